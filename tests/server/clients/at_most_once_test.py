#!/usr/bin/python3
"""Writes sent to followers while the leader is killed with -9: each applies
at most once, and its answer is what happened.

Usage (inside with_cluster.sh, which exports ENDPOINT_LIST and CLUSTER_DIR):
    at_most_once_test.py [--rounds N] [--clients C]

Each client owns a key and alternates a put of a value no other write uses
with a compare-and-set from the last value it wrote to a new one, always at
a member that was a follower when the round began. Each round kills the
leader with -9 while the writes go on, waits, and restarts it. Then the
whole history is read back (a watch from revision 1) and held against what
the clients were told:

  - no value is in the history twice (no write applied twice);
  - a write answered ok is in the history, at the revision it was told;
  - a write answered as failed (a compare that failed, or an error that
    says the write did not happen) is not in the history at all;
  - a write whose answer was unknown (etcd's "request timed out", a broken
    connection, the client's own deadline) may be there once, or not.

etcd 3.4 passes this test as it is. Exit 0 when every check holds; else
each problem, in words, and exit 1.
"""

import os
import random
import subprocess
import sys
import threading
import time

import grpc
from etcd3.etcdrpc import rpc_pb2, rpc_pb2_grpc

PREFIX = b"/amo/"
CALL_TIMEOUT = 10.0  # the server answers within its own 5 s


def prefix_end(prefix):
    return prefix[:-1] + bytes([prefix[-1] + 1])


def outcome_of_error(error):
    """'unknown' or 'failed', from what a failed call said."""
    code, text = error.code(), error.details() or ""
    if code in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
        return "unknown"
    # etcd's own words for "nobody knows": a timeout, or a member that
    # stopped while the write was on its way.
    if not text.startswith("etcdserver: ") or "timed out" in text or "server stopped" in text:
        return "unknown"
    return "failed"  # "not leader", "no leader", ...: it did not and will not happen


class Member:
    def __init__(self, name, endpoint):
        self.name, self.endpoint = name, endpoint
        self.channel = grpc.insecure_channel(endpoint)
        self.kv = rpc_pb2_grpc.KVStub(self.channel)
        self.maintenance = rpc_pb2_grpc.MaintenanceStub(self.channel)

    def status(self):
        try:
            return self.maintenance.Status(rpc_pb2.StatusRequest(), timeout=1.0)
        except grpc.RpcError:
            return None


class Cluster:
    def __init__(self):
        endpoints = os.environ["ENDPOINT_LIST"].split()
        self.members = [Member(f"m{i + 1}", e) for i, e in enumerate(endpoints)]
        self.members_sh = os.path.join(os.environ["CLUSTER_DIR"], "members.sh")

    def shell(self, command):
        subprocess.run(["sh", "-c", f". '{self.members_sh}'; {command}"], check=True)

    def leader(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.members:
                s = m.status()
                if s is not None and s.leader != 0 and s.leader == s.header.member_id:
                    return m
            time.sleep(0.1)
        raise SystemExit("at_most_once: no leader within %d s" % timeout)

    def wait_serving(self, member, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = member.status()
            if s is not None and s.leader != 0:
                return
            time.sleep(0.1)
        raise SystemExit(f"at_most_once: {member.name} did not come back within {timeout} s")


class Client(threading.Thread):
    """One key, and every write made to it with what it was told."""

    def __init__(self, index, targets, stop, seed):
        super().__init__(daemon=True)
        self.key = PREFIX + b"%d" % index
        self.index, self.targets, self.stop, self.rng = index, targets, stop, random.Random(seed)
        self.writes = []  # dicts: kind, value, outcome, revision, detail

    def run(self):
        last, n = None, 0
        while not self.stop.is_set():
            member = self.rng.choice(self.targets[0])
            n += 1
            value = b"c%d-%d" % (self.index, n)
            write = {"kind": "put" if last is None or n % 2 else "cas", "value": value,
                     "at": member.name, "revision": 0, "detail": ""}
            try:
                if write["kind"] == "put":
                    r = member.kv.Put(rpc_pb2.PutRequest(key=self.key, value=value),
                                      timeout=CALL_TIMEOUT)
                    write["outcome"], write["revision"] = "ok", r.header.revision
                else:
                    compare = rpc_pb2.Compare(key=self.key, value=last,
                                              result=rpc_pb2.Compare.EQUAL,
                                              target=rpc_pb2.Compare.VALUE)
                    put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=self.key,
                                                                           value=value))
                    r = member.kv.Txn(rpc_pb2.TxnRequest(compare=[compare], success=[put]),
                                      timeout=CALL_TIMEOUT)
                    write["outcome"] = "ok" if r.succeeded else "failed"
                    write["revision"] = r.header.revision
                    write["detail"] = "" if r.succeeded else "compare failed"
            except grpc.RpcError as e:
                write["outcome"] = outcome_of_error(e)
                write["detail"] = f"{e.code().name} {e.details()}"
                time.sleep(0.05)
            self.writes.append(write)
            if write["outcome"] != "failed":
                last = value  # written, or perhaps: the next compare expects it


def read_history(member):
    """Every put under PREFIX since revision 1: value -> [revisions]."""
    kv = member.kv
    current = kv.Range(rpc_pb2.RangeRequest(key=PREFIX, range_end=prefix_end(PREFIX),
                                            count_only=True), timeout=CALL_TIMEOUT)
    last_revision = current.header.revision
    create = rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(
        key=PREFIX, range_end=prefix_end(PREFIX), start_revision=1))
    stored, seen = {}, 0
    stream = rpc_pb2_grpc.WatchStub(member.channel).Watch(iter([create]), timeout=60.0)
    for response in stream:
        for event in response.events:
            seen = event.kv.mod_revision
            if event.type == 0:  # PUT
                stored.setdefault(event.kv.value, []).append(event.kv.mod_revision)
        if seen >= last_revision:
            break
    stream.cancel()
    return stored, last_revision


def check(clients, stored):
    problems = []
    for value, revisions in stored.items():
        if len(revisions) > 1:
            problems.append(f"{value.decode()} applied {len(revisions)} times, "
                            f"at revisions {revisions}")
    for c in clients:
        for w in c.writes:
            what = f"{w['kind']} of {w['value'].decode()} at {w['at']}"
            at = stored.get(w["value"], [])
            if w["outcome"] == "ok" and w["revision"] not in at:
                problems.append(f"{what} was answered ok at revision {w['revision']}, "
                                f"but the history has it at {at or 'no revision'}")
            if w["outcome"] == "failed" and at:
                problems.append(f"{what} was answered failed ({w['detail']}), "
                                f"but the history has it at revision {at}")
    return problems


def main():
    rounds, clients_n = 12, 8
    args = sys.argv[1:]
    while args:
        flag, value = args.pop(0), args.pop(0) if args else None
        if flag == "--rounds" and value and value.isdigit():
            rounds = int(value)
        elif flag == "--clients" and value and value.isdigit():
            clients_n = int(value)
        else:
            raise SystemExit(__doc__)
    cluster = Cluster()
    targets = [[m for m in cluster.members if m is not cluster.leader()]]
    stop = threading.Event()
    clients = [Client(i, targets, stop, seed=i) for i in range(clients_n)]
    for c in clients:
        c.start()
    for r in range(rounds):
        leader = cluster.leader()
        targets[0] = [m for m in cluster.members if m is not leader]
        time.sleep(1.0)
        cluster.shell(f"kill_member {leader.name}")
        time.sleep(1.5)
        cluster.shell(f"restart_member {leader.name}")
        cluster.wait_serving(leader)
        time.sleep(0.5)
        print(f"at_most_once: round {r + 1}/{rounds}: killed leader {leader.name} with -9, "
              f"restarted it; {sum(len(c.writes) for c in clients)} writes so far", flush=True)
    stop.set()
    for c in clients:
        c.join(timeout=CALL_TIMEOUT + 5)
    stored, last_revision = read_history(cluster.leader())
    writes = [w for c in clients for w in c.writes]
    counts = {o: sum(1 for w in writes if w["outcome"] == o) for o in ("ok", "failed", "unknown")}
    print(f"at_most_once: {len(writes)} writes: {counts['ok']} ok, {counts['failed']} failed, "
          f"{counts['unknown']} unknown; history of {len(stored)} values to revision "
          f"{last_revision}")
    problems = check(clients, stored)
    if counts["ok"] < 100:
        problems.append(f"only {counts['ok']} writes succeeded: the test did not test much")
    for p in problems[:40]:
        print(f"at_most_once: FAILED: {p}", file=sys.stderr)
    if problems:
        print(f"at_most_once: {len(problems)} problems", file=sys.stderr)
        return 1
    print("at_most_once: ok: no write applied twice, and every answer matches the history")
    return 0


if __name__ == "__main__":
    sys.exit(main())
