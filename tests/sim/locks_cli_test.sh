#!/bin/sh
# etcetera-sim --locks from the command line: the walk-through of
# docs/locks.md. With pausing clients two of them believe at once, the fenced
# resource holds (exit 0); with the grant-without-lease-check mutant the lock
# goes to a waiter whose key is gone, and the run fails (exit 1); mistakes in
# the options are refused with a message.
sim="$1"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$sim" --seed 1 --locks 3 --pauses 10 --faults none --steps 500) || fail "a correct run exited $?"
echo "$out" | grep -q "believed at once" || fail "no two believers: $out"
echo "$out" | grep -q "^fenced resource: *holds" || fail "the fence did not hold: $out"

out=$("$sim" --seed 1 --locks 3 --pauses 10 --faults none --steps 500 \
  --lock-bug grant-without-lease-check)
[ $? -eq 1 ] || fail "the mutant's run did not fail"
echo "$out" | grep -q "but its key was gone" || fail "the mutant was not named: $out"

"$sim" --seed 1 --locks 2 --lock-bug nope 2>&1 | grep -q "lock-bug takes one of" || fail "bad --lock-bug"
"$sim" --seed 1 --pauses 3 2>&1 | grep -q "need --locks" || fail "--pauses without --locks"
"$sim" --seed 1 --locks 2 --clients 2 2>&1 | grep -q "not both" || fail "--locks with --clients"
echo ok
