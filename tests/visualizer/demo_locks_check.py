#!/usr/bin/env python3
"""Checks the story of the demo's lock chapter in its trace and its page.

Usage: demo_locks_check.py LOCKS.jsonl LOCKS.html

The chapter promises (sim/demo_locks.cc, docs/locks.md): a holder pauses
past its lease; its lease ends and its key leaves the queue; another client
takes the lock with a higher fencing token while the paused one still
believes it holds it; the paused one wakes and its write with the old token
is refused by the resource; every grant follows create-revision order. The
page must carry a lock panel and jump marks for the locks and the refusal.
"""

import base64
import gzip
import json
import re
import sys


class Failure(Exception):
    """A promise of the chapter the trace or the page does not keep."""


def events_of(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def first(events, kind, start=0, **fields):
    """Index of the first event of `kind` from `start` whose fields match."""
    for i in range(start, len(events)):
        body = events[i].get(kind)
        if body is not None and all(body.get(k, default_of(v)) == v for k, v in fields.items()):
            return i
    raise Failure(f"no {kind} {fields or ''} after event {start}")


def default_of(value):
    # proto3 JSON leaves out fields at their default value.
    return False if isinstance(value, bool) else 0 if isinstance(value, int) else ""


def number(value):
    return int(value) if value is not None else 0


def check_trace(events):
    acquires = [(i, e["lock_acquired"]) for i, e in enumerate(events) if "lock_acquired" in e]
    if len(acquires) < 3:
        raise Failure(f"{len(acquires)} acquires; the chapter hands the lock to three clients")
    tokens = [number(a["token"]) for _, a in acquires]
    if tokens != sorted(tokens):
        raise Failure(f"the lock went out of create-revision order: tokens {tokens}")

    at, holder = acquires[0]
    paused = number(holder["client"])
    token = number(holder["token"])
    pause = first(events, "client_paused", at, client=paused)
    lease_end = first(events, "lease_ended", pause, client=paused)
    gone = first(events, "lock_dequeued", lease_end, client=paused)
    if events[gone]["lock_dequeued"].get("cause") != "its lease expired":
        raise Failure(f"client {paused}'s key left the queue for another reason: {events[gone]}")
    handoff = next(((i, a) for i, a in acquires if i > gone), None)
    if handoff is None:
        raise Failure("nobody took the lock after the paused holder's key was gone")
    if number(handoff[1]["token"]) <= token:
        raise Failure(f"the next holder's token {handoff[1]['token']} is not above {token}")
    resume = first(events, "client_resumed", handoff[0], client=paused)
    refused = first(events, "resource_written", resume, client=paused, accepted=False)
    stale = events[refused]["resource_written"]
    if number(stale["token"]) != token or number(stale["highest"]) <= token:
        raise Failure(f"the refused write is not the stale one: {stale}")
    released = first(events, "lock_released", refused, client=paused)
    if events[released]["lock_released"].get("reason") != "write refused":
        raise Failure(f"client {paused} stopped believing for another reason: {events[released]}")
    # Between the handoff and the refusal two clients believed at once.
    accepted_after = [e for e in events[handoff[0]:refused]
                      if "resource_written" in e and e["resource_written"].get("accepted")]
    if not accepted_after:
        raise Failure("no write of the new holder was accepted before the stale one came")
    return paused, token, number(handoff[1]["token"])


def check_page(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r'<script id="etcetera-data" type="application/octet-stream">(.*?)</script>',
                  text, re.S)
    if not m:
        raise Failure(f"{path} carries no replay data")
    data = json.loads(gzip.decompress(base64.b64decode("".join(m.group(1).split()))))
    ids = [v["id"] for v in data["views"]]
    if not ids or ids[0] != "locks":
        raise Failure(f"the lock panel is not the first one: views {ids}")
    tags = {t for step in data["steps"] for t in step.get("tags", [])}
    for tag in ("lock", "refused", "fault"):
        if tag not in tags:
            raise Failure(f"no step is tagged {tag!r}; tags: {sorted(tags)}")
    refused = next(i for i, s in enumerate(data["steps"]) if "refused" in s.get("tags", []))
    frame = data["steps"][refused]["frames"][0]
    if frame < 0 or "REFUSED" not in data["frames"][frame]:
        raise Failure(f"the lock panel at the refused step ({refused + 1}) does not show it")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        paused, old, new = check_trace(events_of(sys.argv[1]))
        check_page(sys.argv[2])
    except (Failure, OSError, ValueError, KeyError) as e:
        print(f"demo_locks_check: FAILED: {e}", file=sys.stderr)
        return 1
    print(f"demo_locks_check: ok: client {paused} paused holding token {old}, the lock went on "
          f"with token {new}, and its stale write was refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
