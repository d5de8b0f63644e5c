#!/usr/bin/python3
"""Compares two etcdctl transcripts (etcdctl_transcript.sh): etcd's and etcetera's.

Usage: etcdctl_compare.py ETCD.txt ETCETERA.txt

What differs by nature is masked before comparing, and nothing else:
  - member ids become <member NAME> (from member list, which comes first);
    other ids (16 hex digits: leases) become <id1>, <id2>, ... in order of
    first appearance, so the same lease is the same name in both;
  - which member leads, and so which one move-leader moves from and to;
  - cluster ids, member ids and raft terms in JSON headers;
  - loopback ports, durations, a lease's remaining seconds;
  - endpoint status's version, database size, raft term and indexes;
  - hashkv's hashes become <hash1>, ...: equal hashes stay equal;
  - etcdctl's JSON warnings (timestamps, random targets) keep only their
    gRPC code and message;
  - lines of the commands that ask every member at once are sorted, since
    their answers arrive in any order.
Exit 0 when the masked transcripts are the same; else a diff and exit 1.
"""

import difflib
import json
import re
import sys

# Ids print in hex without leading zeros: 12 to 16 digits, nearly always.
HEX_ID = re.compile(r"\b[0-9a-f]{12,16}\b")


class Masker:
    def __init__(self):
        self.names = {}

    def name(self, kind, value):
        key = (kind, value)
        if key not in self.names:
            count = sum(1 for k in self.names if k[0] == kind) + 1
            self.names[key] = f"<{kind}{count}>"
        return self.names[key]

    def line(self, text):
        if text.startswith("Member "):  # "Member %16x ... cluster %16x": both ids padded to 16 columns
            text = re.sub(r"^Member +", "Member ", text)
            text = re.sub(r" cluster +", " cluster ", text)
        m = re.match(r"^([0-9a-f]{12,16}), started, (\w+),", text)
        if m:  # member list: the member's name stands for its id from here on
            self.names[("id", m[1])] = f"<member {m[2]}>"
        text = re.sub(r"^Leadership transferred from \w+ to \w+$",
                      "Leadership transferred from <member> to <member>", text)
        if text.startswith('ETCD_INITIAL_CLUSTER="'):  # member add: in the cluster's own order
            members = text[len('ETCD_INITIAL_CLUSTER="'):-1].split(",")
            text = 'ETCD_INITIAL_CLUSTER="' + ",".join(sorted(members)) + '"'
        if text.startswith('{"level":"warn"'):
            try:
                return "warning: " + json.loads(text).get("error", "")
            except ValueError:
                return text
        text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
        text = re.sub(r"took = [0-9.]+[µmn]?s", "took = <duration>", text)
        text = re.sub(r"remaining\(\d+s\)", "remaining(<s>)", text)
        text = re.sub(r'"(cluster_id|member_id|raft_term)":\d+', r'"\1":<n>', text)
        m = re.match(r"^(127\.0\.0\.1:<port>), ([0-9a-f]+), ([^,]+), ([^,]+), (true|false), (true|false), \d+, \d+, \d+, (.*)$", text)
        if m:  # endpoint status: endpoint, id, version, db size, leader, learner, term, index, applied, errors
            # Which member leads is chance: the lines keep that exactly one does.
            text = f"{m[1]}, <member>, <version>, <db size>, {m[5]}, {m[6]}, <term>, <index>, <applied>, {m[7]}"
        m = re.match(r"^(127\.0\.0\.1:<port>), (\d+)$", text)
        if m:  # endpoint hashkv
            text = f"{m[1]}, {self.name('hash', m[2])}"
        return HEX_ID.sub(lambda h: self.name("id", h.group(0)), text)


def masked(path):
    masker = Masker()
    out, block, unordered = [], [], False
    for raw in open(path, encoding="utf-8").read().splitlines():
        if raw.startswith("$ "):
            out.extend(sorted(block) if unordered else block)
            block = []
            unordered = ("(every member)" in raw and "move-leader" not in raw) or "member list" in raw
            out.append(masker.line(raw) if "move-leader" not in raw else "$ etcdctl move-leader <member>")
        elif raw.startswith("(exit "):
            out.extend(sorted(block) if unordered else block)
            block = []
            out.append(raw)
        else:
            block.append(masker.line(raw))
    out.extend(sorted(block) if unordered else block)
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    etcd, ours = masked(sys.argv[1]), masked(sys.argv[2])
    if etcd == ours:
        print(f"etcdctl_compare: the same as etcd, {sum(1 for l in ours if l.startswith('$ '))} commands")
        return 0
    sys.stdout.writelines(difflib.unified_diff([l + "\n" for l in etcd], [l + "\n" for l in ours],
                                               "etcd", "etcetera"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
