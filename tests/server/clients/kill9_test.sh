#!/bin/sh
# A member killed with kill -9 while writes go on comes back with its data
# and catches up. Run inside with_cluster.sh (its ENDPOINTS, CLUSTER_DIR).
set -eu
. "$CLUSTER_DIR/members.sh"
ctl() { ETCDCTL_API=3 etcdctl --command-timeout=5s "$@"; }
m2="127.0.0.1:$client_2"
m1="127.0.0.1:$client_1"
fail() { echo "kill9_test: FAILED: $*" >&2; exit 1; }

for i in 1 2 3 4 5; do ctl --endpoints="$m1" put "/k/before-$i" "v$i" >/dev/null; done
# m2 has the first writes: its own (serializable) read says so.
for _ in $(seq 1 50); do
  [ "$(ctl --endpoints="$m2" get --consistency=s --prefix /k/ --keys-only 2>/dev/null | grep -c /k/)" = 5 ] && break
  sleep 0.1
done

kill_member m2
for i in 1 2 3 4 5; do ctl --endpoints="$m1" put "/k/while-down-$i" "w$i" >/dev/null; done
restart_member m2

# Back: it serves its own copy, which must hold all ten keys once caught up.
want=$(ctl --endpoints="$m1" get --prefix /k/)
got=""
for _ in $(seq 1 100); do
  got=$(ctl --endpoints="$m2" get --consistency=s --prefix /k/ 2>/dev/null || true)
  [ "$got" = "$want" ] && break
  sleep 0.1
done
[ "$got" = "$want" ] || fail "after kill -9 and a restart m2 holds
$got
but the cluster holds
$want"
# And it takes part again: a write through it commits.
ctl --endpoints="$m2" put /k/after ok >/dev/null || fail "a write through the restarted member failed"
[ "$(ctl --endpoints="$m1" get /k/after --print-value-only)" = ok ] || fail "the write through m2 is not visible at m1"
echo "kill9_test: ok: m2 killed with -9, restarted, holds the 10 keys written around its death, and serves writes"
