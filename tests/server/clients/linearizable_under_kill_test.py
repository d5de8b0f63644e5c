#!/usr/bin/python3
"""Clients' histories stay linearizable while members are killed with -9 and
restarted.

Usage (inside with_cluster.sh, which exports ENDPOINT_LIST and CLUSTER_DIR):
    linearizable_under_kill_test.py ETCETERA_CHECK [--rounds N] [--writers W]
                                    [--readers R] [--plant-stale-read]

Writers and readers, each on a gRPC channel of its own to one member (spread
over the three), work on the keys k1, k2, k3: puts of values no other write
uses, compare-and-set txns (value == expected, then put), deletes, and
linearizable gets. Meanwhile each round kills one member with -9 (the
leader, then a follower, by turns), goes on for two seconds, restarts it and
waits until it serves a linearizable read.

Every call and every answer is written down as it happens, in the jsonl
history format of etcetera-check (docs/linearizability.md, docs/kv.md), to
$CLUSTER_DIR/history.jsonl:
  - ok: the call was answered. Its `revision` is the answer's
    header.revision: for a get the revision it read at, for a put, a delete
    or a cas that succeeded the one it made (a delete of a missing key
    makes none, and answers the store's).
  - fail: it certainly did nothing. A cas whose compare failed (it stays in
    the check: it saw another value, at its `revision`); a get that erred;
    a put or delete refused in etcd's words ("etcdserver: no leader", ...;
    at_most_once_test.outcome_of_error, which that test holds to the
    store's history).
  - info: unknown. A write that timed out, met a broken connection or a
    stopped member. Also a cas refused in etcd's words: `fail` would say its
    compare ran. The client then goes on as a new process.
`time` is microseconds since the run began; the checker goes by line order.

Then `ETCETERA_CHECK history.jsonl --model etcd` must say LINEARIZABLE.

--plant-stale-read checks the check: after the real history is found
LINEARIZABLE, one ok get is rewritten to answer the value its key held
before the write it read (the same revision: a stale read), into
history-planted.jsonl, which the checker must find NOT LINEARIZABLE.

Exit 0 when the verdicts are as expected; else the reason, and exit 1. The
histories stay in $CLUSTER_DIR.
"""

import json
import os
import random
import subprocess
import sys
import threading
import time

import grpc
from etcd3.etcdrpc import rpc_pb2, rpc_pb2_grpc

from at_most_once_test import Cluster, outcome_of_error
from local_cluster import CHANNEL_OPTIONS

NAME = "linearizable_under_kill"
KEYS = ["k1", "k2", "k3"]
CALL_TIMEOUT = 7.0  # the server answers within its own 5 s
CHECK_TIMEOUT = 30  # seconds etcetera-check may search before it says UNKNOWN


class History:
    """The events of every client, in the order they happened."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        self.start = time.monotonic()
        self.next_process = 0

    def new_process(self):
        with self.lock:
            self.next_process += 1
            return self.next_process

    def add(self, **event):
        with self.lock:
            event["time"] = int((time.monotonic() - self.start) * 1e6)
            self.events.append(event)

    def write(self, path, events=None):
        with open(path, "w") as f:
            for e in events if events is not None else self.events:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")


class Client(threading.Thread):
    def __init__(self, index, endpoint, history, latest, stop, writer):
        super().__init__(daemon=True)
        self.endpoint, self.history, self.latest, self.stop = endpoint, history, latest, stop
        self.writer, self.rng = writer, random.Random(index)
        self.kv = rpc_pb2_grpc.KVStub(grpc.insecure_channel(endpoint, options=CHANNEL_OPTIONS))
        self.process = history.new_process()
        self.tag, self.n = f"w{index}", 0

    def operation(self):
        """(f, key, value) for the next call; value is [expected, new] for a cas."""
        key = self.rng.choice(KEYS)
        if not self.writer:
            return "get", key, None
        self.n += 1
        value = f"{self.tag}-{self.n}"
        roll = self.rng.random()
        expected = self.latest.get(key)
        # A compare of the value of a missing key fails in etcd whatever it
        # expects, so a cas always expects a value seen last.
        if roll < 0.1:
            return "delete", key, None
        if roll < 0.55 and expected is not None:
            return "cas", key, [expected, value]
        return "put", key, value

    def call(self, f, key, value):
        """The outcome, the value to record on ok, and the answer's revision."""
        k = key.encode()
        if f == "get":
            r = self.kv.Range(rpc_pb2.RangeRequest(key=k), timeout=CALL_TIMEOUT)
            read = r.kvs[0].value.decode() if r.kvs else None
            self.latest[key] = read
            return "ok", read, r.header.revision
        if f == "put":
            r = self.kv.Put(rpc_pb2.PutRequest(key=k, value=value.encode()), timeout=CALL_TIMEOUT)
            self.latest[key] = value
            return "ok", value, r.header.revision
        if f == "delete":
            r = self.kv.DeleteRange(rpc_pb2.DeleteRangeRequest(key=k), timeout=CALL_TIMEOUT)
            self.latest[key] = None
            return "ok", None, r.header.revision
        compare = rpc_pb2.Compare(key=k, value=value[0].encode(), result=rpc_pb2.Compare.EQUAL,
                                  target=rpc_pb2.Compare.VALUE)
        put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=k, value=value[1].encode()))
        r = self.kv.Txn(rpc_pb2.TxnRequest(compare=[compare], success=[put]),
                        timeout=CALL_TIMEOUT)
        if r.succeeded:
            self.latest[key] = value[1]
        return ("ok" if r.succeeded else "fail"), value, r.header.revision

    def run(self):
        while not self.stop.is_set():
            f, key, value = self.operation()
            self.history.add(process=self.process, type="invoke", f=f, key=key, value=value)
            try:
                outcome, answer, revision = self.call(f, key, value)
                self.history.add(process=self.process, type=outcome, f=f, key=key,
                                 value=answer, revision=revision)
                continue
            except grpc.RpcError as e:
                known = f != "cas" and outcome_of_error(e) == "failed"
                outcome = "fail" if f == "get" or known else "info"
                self.history.add(process=self.process, type=outcome, f=f, key=key,
                                 value=value, error=f"{e.code().name} {e.details()}")
            if outcome == "info":
                self.process = self.history.new_process()
            time.sleep(0.1)  # a member that is down is not asked a hundred times a second


def wait_reading(endpoint, name, timeout=20.0):
    """Until `endpoint` answers a linearizable read."""
    kv = rpc_pb2_grpc.KVStub(grpc.insecure_channel(endpoint, options=CHANNEL_OPTIONS))
    deadline = time.monotonic() + timeout
    while True:
        try:
            return kv.Range(rpc_pb2.RangeRequest(key=b"k1", range_end=b"k4"), timeout=2.0)
        except grpc.RpcError as e:
            if time.monotonic() > deadline:
                raise SystemExit(f"{NAME}: {name} serves no linearizable read within "
                                 f"{timeout} s: {e.code().name} {e.details()}")
            time.sleep(0.1)


def plant_stale_read(events):
    """A copy of `events` where one ok get, in the middle of the run, answers
    the value its key held before the write it read, at the revision it
    read at. The write it read was answered ok at a revision above that
    older value's, so no order explains the planted answer."""
    made = {}  # value -> (key, revision), for writes answered ok
    for e in events:
        if e["type"] == "ok" and e["f"] in ("put", "cas"):
            value = e["value"][1] if e["f"] == "cas" else e["value"]
            made[value] = (e["key"], e["revision"])
    gets = [i for i, e in enumerate(events)
            if e["type"] == "ok" and e["f"] == "get" and e["value"] in made]
    for i in gets[len(gets) // 2:] + gets[:len(gets) // 2]:
        e = events[i]
        read_at = made[e["value"]][1]
        older = [(rev, v) for v, (key, rev) in made.items() if key == e["key"] and rev < read_at]
        if older:
            stale = max(older)[1]
            planted = [dict(x) for x in events]
            planted[i]["value"] = stale
            return planted, (f"process {e['process']}'s get of {e['key']} at revision "
                             f"{e['revision']} now answers {stale}, not {e['value']}")
    return None, "no ok get read a value that replaced an older one"


def check(etcetera_check, path):
    """etcetera-check's exit status and its output."""
    run = subprocess.run([etcetera_check, path, "--model", "etcd", "--format", "jsonl",
                          "--timeout", str(CHECK_TIMEOUT)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run.returncode, run.stdout


def verdict_text(status):
    return {0: "LINEARIZABLE", 1: "NOT LINEARIZABLE", 2: "UNKNOWN"}.get(
        status, f"unreadable (exit {status})")


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("--"):
        raise SystemExit(__doc__)
    etcetera_check, args = args[0], args[1:]
    rounds, writers, readers, plant = 3, 4, 4, False
    while args:
        flag = args.pop(0)
        if flag == "--plant-stale-read":
            plant = True
        elif flag in ("--rounds", "--writers", "--readers") and args and args[0].isdigit():
            n = int(args.pop(0))
            rounds, writers, readers = (n if flag == "--rounds" else rounds,
                                        n if flag == "--writers" else writers,
                                        n if flag == "--readers" else readers)
        else:
            raise SystemExit(__doc__)

    cluster = Cluster()
    # The check's model starts from an empty store at revision 1.
    first = wait_reading(cluster.members[0].endpoint, cluster.members[0].name)
    if first.kvs or first.header.revision != 1:
        raise SystemExit(f"{NAME}: the cluster is not new: revision {first.header.revision}, "
                         f"{len(first.kvs)} of the keys k1..k3")

    history, latest, stop = History(), {}, threading.Event()
    clients = [Client(i, cluster.members[i % 3].endpoint, history, latest, stop, writer=True)
               for i in range(writers)]
    clients += [Client(writers + i, cluster.members[(writers + i) % 3].endpoint, history,
                       latest, stop, writer=False) for i in range(readers)]
    for c in clients:
        c.start()
    kills = []
    for r in range(rounds):
        time.sleep(1.5)
        leader = cluster.leader()
        # The leader, then a follower (one not killed yet, if there is one).
        followers = sorted((m for m in cluster.members if m is not leader),
                           key=lambda m: any(k.startswith(m.name + " ") for k in kills))
        victim = leader if r % 2 == 0 else followers[0]
        role = "leader" if victim is leader else "follower"
        cluster.shell(f"kill_member {victim.name}")
        time.sleep(2.0)
        cluster.shell(f"restart_member {victim.name}")
        cluster.wait_serving(victim)
        wait_reading(victim.endpoint, victim.name)
        kills.append(f"{victim.name} ({role})")
        print(f"{NAME}: round {r + 1}/{rounds}: killed {victim.name}, the {role}, with -9, "
              f"restarted it; {len(history.events)} events so far", flush=True)
    time.sleep(1.0)
    stop.set()
    for c in clients:
        c.join(timeout=CALL_TIMEOUT + 5)
    if any(c.is_alive() for c in clients):
        raise SystemExit(f"{NAME}: a client did not finish its last call")

    path = os.path.join(os.environ["CLUSTER_DIR"], "history.jsonl")
    history.write(path)
    ends = [e for e in history.events if e["type"] != "invoke"]
    counts = {t: sum(1 for e in ends if e["type"] == t) for t in ("ok", "fail", "info")}
    started = time.monotonic()
    status, output = check(etcetera_check, path)
    print(f"{NAME}: {len(ends)} operations: {counts['ok']} ok, {counts['fail']} fail, "
          f"{counts['info']} info; {len(kills)} kills: {', '.join(kills)}; etcetera-check: "
          f"{verdict_text(status)} in {time.monotonic() - started:.1f} s", flush=True)

    problems = []
    if status != 0:
        problems.append(f"the history is {verdict_text(status)}; it is kept in {path}; "
                        f"etcetera-check says:\n{output.rstrip()}")
    if counts["ok"] < 200:
        problems.append(f"only {counts['ok']} operations were answered ok: "
                        f"the test did not test much (history in {path})")
    if plant and not problems:
        planted, what = plant_stale_read(history.events)
        if planted is None:
            problems.append(f"nothing to plant: {what}")
        else:
            planted_path = os.path.join(os.environ["CLUSTER_DIR"], "history-planted.jsonl")
            history.write(planted_path, planted)
            status, output = check(etcetera_check, planted_path)
            print(f"{NAME}: planted a stale read: {what}; etcetera-check: {verdict_text(status)}")
            if status != 1:
                problems.append(f"the planted stale read in {planted_path} was not caught: "
                                f"etcetera-check says:\n{output.rstrip()}")
            else:
                print("\n".join(f"  {line}" for line in output.rstrip().splitlines()[-4:]))
    for p in problems:
        print(f"{NAME}: FAILED: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"{NAME}: ok: " + ("the real history is linearizable and the planted stale read is "
                             "caught" if plant else "the history is linearizable"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
