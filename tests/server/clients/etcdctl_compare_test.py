#!/usr/bin/python3
"""etcdctl_compare.py masks what differs by nature and nothing else.

Each case writes two small transcripts, etcd's and etcetera's, and checks the
comparison's verdict. The padded-id cases come from a real failure: etcdctl
prints "cluster %16x", so a cluster id with a leading zero nibble prints with
two spaces, one time in sixteen.

Usage: etcdctl_compare_test.py
"""

import os
import subprocess
import sys
import tempfile

COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "etcdctl_compare.py")


def verdict(etcd, ours):
    """0 when the masked transcripts are the same, 1 with a diff."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in (("etcd.txt", etcd), ("ours.txt", ours)):
            paths.append(os.path.join(tmp, name))
            with open(paths[-1], "w", encoding="utf-8") as f:
                f.write(text)
        run = subprocess.run([sys.executable, COMPARE, *paths], capture_output=True, text=True)
        return run.returncode, run.stdout


ADDED = """$ etcdctl member add m4 --peer-urls=http://127.0.0.1:2
Member {member} added to cluster {cluster}
(exit 0)
"""

CASES = [
    # (what, etcd's transcript, etcetera's transcript, expected exit)
    ("a cluster id one digit short is padded, not different",
     ADDED.format(member="8e9e05c52164694d", cluster=" cdf818194e3a8c3"),
     ADDED.format(member="1c2d9ff5a9e0b3a1", cluster="a1b2c3d4e5f60718"), 0),
    ("a member id one digit short is padded, not different",
     ADDED.format(member=" e9e05c52164694d", cluster="cdf818194e3a8c32"),
     ADDED.format(member="1c2d9ff5a9e0b3a1", cluster="a1b2c3d4e5f60718"), 0),
    ("the same id twice stays one name: a second id is not the first",
     ADDED.format(member="8e9e05c52164694d", cluster="cdf818194e3a8c32"),
     ADDED.format(member="1c2d9ff5a9e0b3a1", cluster="1c2d9ff5a9e0b3a1"), 1),
    ("a different word is still a difference",
     ADDED.format(member="8e9e05c52164694d", cluster="cdf818194e3a8c32"),
     ADDED.format(member="1c2d9ff5a9e0b3a1", cluster="a1b2c3d4e5f60718").replace("added", "joined"), 1),
    ("loopback ports are masked",
     "$ etcdctl endpoint health\n127.0.0.1:2379 is healthy: took = 1.2ms\n(exit 0)\n",
     "$ etcdctl endpoint health\n127.0.0.1:41000 is healthy: took = 980µs\n(exit 0)\n", 0),
    ("an exit code is never masked",
     "$ etcdctl get a\n(exit 0)\n", "$ etcdctl get a\n(exit 1)\n", 1),
]


def main():
    failed = 0
    for what, etcd, ours, expected in CASES:
        code, out = verdict(etcd, ours)
        ok = code == expected
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: exit {code}, expected {expected}")
        if not ok:
            print(out)
    print(f"{len(CASES) - failed} of {len(CASES)} cases as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
