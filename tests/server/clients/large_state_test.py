#!/usr/bin/python3
"""Large state never stops a member (docs/durability.md, "Snapshots of any
size"). Two scenarios, each on a three-member cluster of SERVER (etcetera or
etcd, which both pass):

  one-key-history SERVER WORKDIR
      80 puts of a 1 MiB value to one key (80 MiB of history, nothing
      compacted), then small puts past --snapshot-count 100, so that a
      snapshot of it all is due; then every member is killed with -9 and
      restarted. Each must come back, serve the key's whole history and
      agree on its hash.

  join-by-snapshot SERVER WORKDIR [--mib N] [--expect-snapshot] [--bound-rss]
      N MiB (default 1024) in 1 MiB values, one key each, with
      --snapshot-count N/2; then a fourth member is added and started
      empty. It must catch up and hash like the leader. The peak resident
      memory of the leader (the sender) and of the new member (the
      receiver) is printed; with --bound-rss they must stay within
      2.5 N + 512 MiB and 1.5 N + 512 MiB, etcetera's bounds: a snapshot
      is written, sent and installed a part at a time, never held whole
      beside the store. (etcd 3.4's sender took 3.2 N in one run.) With
      --expect-snapshot the new member must have caught up by a snapshot.

Exit 0 when every check holds; otherwise what failed, in words, and 1.
"""

import os
import shutil
import sys
import threading
import time

import grpc
from etcd3.etcdrpc import rpc_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_cluster import LocalCluster  # noqa: E402

MIB = 1 << 20


class Failure(Exception):
    pass


def value(tag, size=MIB):
    head = tag.encode() + b":"
    return head + bytes([0x41 + len(tag) % 26]) * (size - len(head))


def revision_at(member):
    """The revision the member has applied: what a serializable read sees."""
    try:
        return member.kv.Range(rpc_pb2.RangeRequest(key=b"/", count_only=True,
                                                    serializable=True), timeout=5).header.revision
    except grpc.RpcError:
        return 0


def wait_revision(members, revision, timeout):
    deadline = time.monotonic() + timeout
    for m in members:
        while revision_at(m) < revision:
            if m.process.poll() is not None:
                raise Failure(f"{m.name} exited ({m.process.returncode}):\n{m.log_tail()}")
            if time.monotonic() > deadline:
                raise Failure(f"{m.name} did not reach revision {revision} within {timeout} s "
                              f"(it is at {revision_at(m)}):\n{m.log_tail()}")
            time.sleep(0.2)


def hash_at(member, revision):
    return member.maintenance.HashKV(rpc_pb2.HashKVRequest(revision=revision), timeout=60).hash


def largest_snapshot(member):
    """The bytes of the member's largest snapshot, once whole (etcd: its db)."""
    snap = os.path.join(member.data_dir, "member", "snap")
    sizes = [os.path.getsize(os.path.join(snap, f)) for f in os.listdir(snap)
             if f.endswith(".snap") or f == "db"]
    return max(sizes, default=0)


def one_key_history(server, workdir):
    with LocalCluster(server, workdir, flags=["--snapshot-count", "100"]) as c:
        c.start()
        c.wait_ready()
        leader = c.leader()
        first = None
        for i in range(80):
            r = leader.kv.Put(rpc_pb2.PutRequest(key=b"/big", value=value(f"big-{i}")), timeout=30)
            first = first or r.header.revision
        for i in range(30):
            r = leader.kv.Put(rpc_pb2.PutRequest(key=b"/big", value=b"small-%d" % i), timeout=30)
        last = r.header.revision
        wait_revision(c.members.values(), last, 60)
        # A snapshot is written on a thread of its own: it may take a moment.
        deadline = time.monotonic() + 60
        for m in c.members.values():
            while largest_snapshot(m) < 80 * MIB:
                if time.monotonic() > deadline:
                    raise Failure(f"{m.name}'s largest snapshot is {largest_snapshot(m)} bytes, "
                                  "not the 80 MiB history: no snapshot was taken")
                time.sleep(0.2)
        print(f"large_state: 80 MiB history on one key and 30 small puts; every member took a "
              f"snapshot of it", flush=True)
        for m in c.members.values():
            m.kill()
        for name in c.members:
            c.restart(name)
        c.wait_ready(timeout=120)
        for m in c.members.values():
            got = m.kv.Range(rpc_pb2.RangeRequest(key=b"/big", serializable=True), timeout=30)
            if got.kvs[0].value != b"small-29":
                raise Failure(f"{m.name} reads {got.kvs[0].value[:20]!r} after the restart")
            old = m.kv.Range(rpc_pb2.RangeRequest(key=b"/big", revision=first,
                                                  serializable=True), timeout=30)
            if old.kvs[0].value != value("big-0"):
                raise Failure(f"{m.name} lost the first 1 MiB version at revision {first}")
        hashes = {m.name: hash_at(m, last) for m in c.members.values()}
        if len(set(hashes.values())) != 1:
            raise Failure(f"the members disagree after the restart: {hashes}")
        print("large_state: ok: killed with -9 and restarted, every member serves the whole "
              "history and they hash alike")


def add_member(c, new, timeout=60.0):
    """member add, again while the cluster answers "unhealthy cluster": etcd's
    rule, which both servers keep, adds a voter only once every voter has
    been connected to the leader for 5 s, and a loaded cluster may not be."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            c.leader().cluster_stub.MemberAdd(rpc_pb2.MemberAddRequest(peerURLs=[new.peer_url]),
                                              timeout=30)
            return
        except grpc.RpcError as e:
            if "unhealthy cluster" not in (e.details() or "") or time.monotonic() > deadline:
                raise
            time.sleep(1)


def join_by_snapshot(server, workdir, mib, expect_snapshot, bound_rss):
    # Snapshots at half the data and at all of it: the log the leader keeps
    # no longer reaches back to the start, so a new member needs a snapshot.
    with LocalCluster(server, workdir, flags=["--snapshot-count", str(max(100, mib // 2))]) as c:
        c.start()
        c.wait_ready()
        leader = c.leader()
        errors = []
        timeouts = []
        per_writer = (mib + 7) // 8

        def put(w, i):
            # A put of its own key and value is safe to repeat: a member
            # that could not apply it within its request timeout (a busy
            # disk shared with other tests) says so, and a client tries
            # again, as etcd's clients are told to. Anything else fails.
            for attempt in range(5):
                try:
                    leader.kv.Put(rpc_pb2.PutRequest(key=b"/data/%d/%d" % (w, i),
                                                     value=value(f"{w}-{i}")), timeout=60)
                    return
                except grpc.RpcError as e:
                    if "request timed out" not in (e.details() or "") or attempt == 4:
                        raise
                    timeouts.append((w, i))

        def writer(w):
            try:
                for i in range(per_writer):
                    if w * per_writer + i >= mib:
                        return
                    put(w, i)
            except grpc.RpcError as e:
                errors.append(f"writer {w}: {e.code().name} {e.details()}")

        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise Failure("; ".join(errors[:3]))
        revision = leader.kv.Range(rpc_pb2.RangeRequest(key=b"/", count_only=True),
                                   timeout=30).header.revision
        wait_revision(c.members.values(), revision, 120)
        print(f"large_state: {mib} MiB written in {time.monotonic() - started:.1f} s "
              f"({len(timeouts)} puts timed out and were sent again)", flush=True)

        new = c.add("m4")
        add_member(c, new)
        started = time.monotonic()
        c.restart("m4")  # an empty data dir and --initial-cluster-state existing: it joins
        wait_revision([new], revision, 300)
        took = time.monotonic() - started
        if hash_at(new, revision) != hash_at(leader, revision):
            raise Failure("the new member does not hash like the leader")
        snapshots = [f for f in os.listdir(os.path.join(new.data_dir, "member", "snap"))
                     if f.endswith(".snap")]
        if expect_snapshot and not snapshots:
            raise Failure("the new member caught up without a snapshot")
        sender, receiver = leader.peak_rss_bytes(), new.peak_rss_bytes()
        print(f"large_state: a fourth member caught up with {mib} MiB in {took:.1f} s "
              f"({'by a snapshot' if snapshots else 'by the log'}); peak RSS: sender "
              f"{sender / MIB:.0f} MiB, receiver {receiver / MIB:.0f} MiB", flush=True)
        if bound_rss and sender > 2.5 * mib * MIB + 512 * MIB:
            raise Failure(f"the sender's peak RSS {sender / MIB:.0f} MiB is over 2.5 x "
                          f"{mib} MiB + 512 MiB")
        if bound_rss and receiver > 1.5 * mib * MIB + 512 * MIB:
            raise Failure(f"the receiver's peak RSS {receiver / MIB:.0f} MiB is over 1.5 x "
                          f"{mib} MiB + 512 MiB")
        print("large_state: ok: the new member caught up and hashes like the leader" +
              (", and memory stayed within its bounds" if bound_rss else ""))


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] not in ("one-key-history", "join-by-snapshot"):
        raise SystemExit(__doc__)
    scenario, server, workdir = args[:3]
    rest = args[3:]
    try:
        if scenario == "one-key-history":
            one_key_history(server, workdir)
        else:
            mib = int(rest[rest.index("--mib") + 1]) if "--mib" in rest else 1024
            join_by_snapshot(server, workdir, mib, "--expect-snapshot" in rest,
                             "--bound-rss" in rest)
    except Failure as f:
        print(f"large_state: FAILED: {f}", file=sys.stderr)
        return 1
    except grpc.RpcError as e:
        print(f"large_state: FAILED: a call was answered {e.code().name} {e.details()}; the "
              f"members' logs are in {workdir}", file=sys.stderr)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)  # gigabytes of data dirs; kept on a failure
    return 0


if __name__ == "__main__":
    sys.exit(main())
