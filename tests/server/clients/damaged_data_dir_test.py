#!/usr/bin/python3
"""A member whose data dir is damaged says why, exits non-zero, and leaves
the data dir as it found it (docs/durability.md, "Recovery").

Usage: damaged_data_dir_test.py ETCETERA WORKDIR

One member takes some writes and is stopped. Then a byte in the middle of
its WAL is changed, and a half-written snapshot file is left beside its
snapshots, as a crash would leave it: restarted, the member must exit 1 within seconds,
naming the segment and the byte offset, with every file of its data dir
as it was (a later fix, or a restore, starts from what was there). Put
back, the member starts again and serves every write.
"""

import os
import sys
import time

from etcd3.etcdrpc import rpc_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_cluster import LocalCluster  # noqa: E402


def picture(root):
    out = {}
    for base, _, files in os.walk(root):
        for f in files:
            path = os.path.join(base, f)
            with open(path, "rb") as data:
                out[os.path.relpath(path, root)] = data.read()
    return out


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    server, workdir = sys.argv[1:]
    problems = []
    with LocalCluster(server, workdir, names=["m1"]) as c:
        m = c.members["m1"]
        c.start()
        c.wait_ready()
        for i in range(20):
            m.kv.Put(rpc_pb2.PutRequest(key=b"/k/%d" % i, value=b"v" * 200), timeout=10)
        m.stop()
        wal_dir = os.path.join(m.data_dir, "member", "wal")
        segment = os.path.join(wal_dir, sorted(f for f in os.listdir(wal_dir)
                                               if f.endswith(".wal"))[-1])
        with open(segment, "rb") as f:
            original = f.read()
        damaged = bytearray(original)
        damaged[len(damaged) // 2] ^= 0x55
        with open(segment, "wb") as f:
            f.write(damaged)
        # What a crash during a snapshot leaves: it must stay too, for now.
        with open(os.path.join(m.data_dir, "member", "snap",
                               "0000000000000001-0000000000000009.snap.tmp"), "wb") as f:
            f.write(b"half a snapshot")
        before = picture(m.data_dir)

        c.restart("m1")
        try:
            code = m.process.wait(timeout=20)
        except Exception:
            code = None
            m.kill()
        log = m.log_tail(5)
        print(f"damaged_data_dir: the member exited {code}; its last words:\n{log}")
        if code != 1:
            problems.append(f"the member exited {code}, not 1")
        if segment not in log or "byte" not in log:
            problems.append("its error does not name the segment and the byte offset")
        if picture(m.data_dir) != before:
            problems.append("it changed its data dir")

        with open(segment, "wb") as f:
            f.write(original)
        c.restart("m1")
        c.wait_ready()
        got = m.kv.Range(rpc_pb2.RangeRequest(key=b"/k/", range_end=b"/k0"), timeout=10)
        if got.count != 20:
            problems.append(f"after the repair it holds {got.count} of the 20 keys")
        time.sleep(0.1)
    for p in problems:
        print(f"damaged_data_dir: FAILED: {p}", file=sys.stderr)
    if problems:
        return 1
    print("damaged_data_dir: ok: refused with the file and offset, the data dir untouched, "
          "and served again once put back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
