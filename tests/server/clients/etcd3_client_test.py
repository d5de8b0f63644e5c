#!/usr/bin/python3
"""python3-etcd3, Debian's etcd client library, against a running cluster.

Usage: etcd3_client_test.py HOST:PORT [HOST:PORT ...] [--members N]

Each check runs what an application written for etcd would run, and
compares what comes back with what etcd itself answers (this script passes
against etcd 3.4 as it is). The first endpoint takes the writes; the others
must see them. Exit 0 when every check holds; otherwise the first failure,
in words, and exit 1.
"""

import os
import sys
import threading
import time

import etcd3
import etcd3.events
from etcd3.etcdrpc import rpc_pb2
import grpc


class Failure(Exception):
    """A check that did not hold; the message says what was seen."""


def expect(what, seen, wanted):
    if seen != wanted:
        raise Failure(f"{what}: got {seen!r}, expected {wanted!r}")


def eventually(what, condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise Failure(f"{what}: not within {timeout} s")


def check_put_get_delete(c, others):
    c.put("/t/a", "1")
    value, meta = c.get("/t/a")
    expect("get after put", value, b"1")
    expect("a new key's version", meta.version, 1)
    c.put("/t/a", "2")
    value, meta = c.get("/t/a")
    expect("get after a second put", value, b"2")
    expect("the version after a second put", meta.version, 2)
    for other in others:
        expect("the same key read through another member", other.get("/t/a")[0], b"2")
    for k in ("/t/c", "/t/b"):
        c.put(k, k[-1])
    keys = [m.key for _, m in c.get_prefix("/t/", sort_order="ascend", sort_target="key")]
    expect("get_prefix, by key", keys, [b"/t/a", b"/t/b", b"/t/c"])
    expect("delete of a key that exists", c.delete("/t/a"), True)
    expect("get after delete", c.get("/t/a"), (None, None))
    expect("delete of a key that is gone", c.delete("/t/a"), False)
    c.delete_prefix("/t/")
    expect("get_prefix after delete_prefix", list(c.get_prefix("/t/")), [])


def check_transactions(c):
    c.put("/tx/k", "old")
    ok, responses = c.transaction(
        compare=[c.transactions.value("/tx/k") == "old"],
        success=[c.transactions.put("/tx/k", "new"), c.transactions.get("/tx/k")],
        failure=[c.transactions.put("/tx/failed", "yes")])
    expect("a txn whose compare holds", ok, True)
    expect("the txn's range answer", [v for v, _ in responses[1]], [b"new"])
    ok, _ = c.transaction(
        compare=[c.transactions.version("/tx/k") == 1],
        success=[c.transactions.put("/tx/k", "newer")],
        failure=[c.transactions.put("/tx/failed", "yes")])
    expect("a txn whose compare fails", ok, False)
    expect("the failure branch ran", c.get("/tx/failed")[0], b"yes")
    expect("the success branch did not", c.get("/tx/k")[0], b"new")
    c.delete_prefix("/tx/")


def check_leases(c):
    lease = c.lease(30)
    if not 0 < lease.remaining_ttl <= 30:
        raise Failure(f"a 30 s lease reports {lease.remaining_ttl} s left")
    c.put("/lease/k", "v", lease=lease)
    expect("the key's lease", c.get("/lease/k")[1].lease_id, lease.id)
    answers = list(lease.refresh())
    if not answers or answers[0].TTL != 30:
        raise Failure(f"a keep-alive of a 30 s lease answered {answers}")
    expect("the lease's keys", [k for k in lease.keys], [b"/lease/k"])
    lease.revoke()
    expect("a key after its lease is revoked", c.get("/lease/k"), (None, None))

    short = c.lease(1)
    c.put("/lease/short", "v", lease=short)
    eventually("a key whose 1 s lease is not kept alive goes",
               lambda: c.get("/lease/short") == (None, None))
    expect("an expired lease's TTL", c.get_lease_info(short.id).TTL, -1)


def check_watches(c):
    events = []
    done = threading.Event()

    def collect(response):
        for e in getattr(response, "events", []):
            events.append(e)
        if len(events) >= 2:
            done.set()

    watch_id = c.add_watch_callback("/w/k", collect)
    try:
        time.sleep(0.2)  # the watch is created before the writes
        c.put("/w/k", "1")
        c.delete("/w/k")
        if not done.wait(10):
            raise Failure(f"a watch saw {len(events)} of 2 events")
    finally:
        c.cancel_watch(watch_id)
    expect("the watch's first event", type(events[0]), etcd3.events.PutEvent)
    expect("its value", events[0].value, b"1")
    expect("the watch's second event", type(events[1]), etcd3.events.DeleteEvent)

    # A watch from a past revision replays history.
    c.put("/w/h", "1")
    start = c.get("/w/h")[1].mod_revision
    c.put("/w/h", "2")
    iterator, cancel = c.watch("/w/h", start_revision=start)
    seen = [next(iterator).value, next(iterator).value]
    cancel()
    expect("a watch from an earlier revision", seen, [b"1", b"2"])
    c.delete_prefix("/w/")


# python3-etcd3's lock is a key under /locks/ with a lease, taken by a txn
# comparing its create revision with 0. (Its wait for a held lock does not
# run with Debian's tenacity: acquire() of a held lock raises TypeError
# inside the library, against etcd as well, so a held lock is checked
# through is_acquired and the txn, not a second acquire.)
def check_lock(c):
    name = f"jobs-{os.getpid()}"  # a lock nobody else holds, even after a failed run
    first = c.lock(name, ttl=10)
    expect("the first lock", first.acquire(timeout=5), True)
    expect("the holder sees it holds", first.is_acquired(), True)
    second = c.lock(name, ttl=10)
    expect("another lock of the same name while it is held", second.is_acquired(), False)
    ok, _ = c.transaction(compare=[c.transactions.create("/locks/" + name) == 0],
                          success=[c.transactions.put("/locks/" + name, "thief")], failure=[])
    expect("the lock's txn while it is held", ok, False)
    expect("release", first.release(), True)
    expect("the second lock after the first is released", second.acquire(timeout=5), True)
    expect("the first no longer holds", first.is_acquired(), False)
    second.release()


def check_errors(c):
    c.put("/e/k", "1")
    c.put("/e/k", "2")
    revision = c.get("/e/k")[1].mod_revision
    c.compact(revision)
    try:
        # This version of the library reads only the newest revision: its
        # own stub asks for an older one.
        c.kvstub.Range(rpc_pb2.RangeRequest(key=b"/e/k", revision=revision - 1), c.timeout)
        raise Failure("a read below the compacted revision was answered")
    except grpc.RpcError as e:
        expect("the code of a compacted read", e.code(), grpc.StatusCode.OUT_OF_RANGE)
        expect("its message", e.details(), "etcdserver: mvcc: required revision has been compacted")
    try:
        c.kvstub.Range(rpc_pb2.RangeRequest(key=b"/e/k", revision=revision + 1000), c.timeout)
        raise Failure("a read at a future revision was answered")
    except grpc.RpcError as e:
        expect("the code of a future read", e.code(), grpc.StatusCode.OUT_OF_RANGE)
        expect("its message", e.details(), "etcdserver: mvcc: required revision is a future revision")
    expect("an unknown lease's TTL", c.get_lease_info(0x7fffffff).TTL, -1)
    try:
        c.revoke_lease(0x7fffffff)
        raise Failure("a revoke of an unknown lease succeeded")
    except grpc.RpcError as e:
        expect("the code of an unknown lease", e.code(), grpc.StatusCode.NOT_FOUND)
        expect("its message", e.details(), "etcdserver: requested lease not found")
    c.delete_prefix("/e/")


def check_cluster(c, members):
    ids = sorted(m.id for m in c.members)
    expect("the number of members", len(ids), members)
    status = c.status()
    if status.leader.id not in ids:
        raise Failure(f"the leader {status.leader.id} is not among the members {ids}")
    if status.raft_term < 1:
        raise Failure(f"raft term {status.raft_term}")


CHECKS = [
    ("put, get and delete", lambda c, o, m: check_put_get_delete(c, o)),
    ("transactions", lambda c, o, m: check_transactions(c)),
    ("leases", lambda c, o, m: check_leases(c)),
    ("watches", lambda c, o, m: check_watches(c)),
    ("the lock", lambda c, o, m: check_lock(c)),
    ("errors", lambda c, o, m: check_errors(c)),
    ("members and status", lambda c, o, m: check_cluster(c, m)),
]


def main(argv):
    members = 1
    endpoints = []
    args = iter(argv[1:])
    for a in args:
        if a == "--members":
            members = int(next(args))
        else:
            endpoints.append(a)
    if not endpoints:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    clients = []
    for e in endpoints:
        host, port = e.rsplit(":", 1)
        clients.append(etcd3.client(host=host, port=int(port), timeout=10))
    for name, check in CHECKS:
        try:
            check(clients[0], clients[1:], members)
        except (Failure, grpc.RpcError, etcd3.exceptions.Etcd3Exception) as e:
            print(f"etcd3_client_test: {name}: FAILED: {e}", file=sys.stderr)
            return 1
        print(f"etcd3_client_test: {name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
