#!/bin/sh
# A member removed while it was down learns it was removed when it comes
# back: the entry that removed it never reached it, so only its peers can
# tell it. Run inside with_cluster.sh (its ENDPOINTS, CLUSTER_DIR); checked
# against etcd 3.4 as well, which answers a removed member's messages with
# "removed" and then exits.
set -eu
. "$CLUSTER_DIR/members.sh"
ctl() { ETCDCTL_API=3 etcdctl --command-timeout=5s "$@"; }
m1="127.0.0.1:$client_1" m2="127.0.0.1:$client_2" m3="127.0.0.1:$client_3"
fail() { echo "removed_member_test: FAILED: $*" >&2; exit 1; }
alive() { kill -0 "$(cat "$CLUSTER_DIR/$1.pid")" 2>/dev/null; }

id3=$(ctl --endpoints="$m1" member list | awk -F', ' '$3 == "m3" { print $1 }')
[ -n "$id3" ] || fail "m3 is not in member list"
stop_member m3
for _ in $(seq 1 100); do alive m3 || break; sleep 0.1; done
alive m3 && fail "m3 did not stop on SIGTERM"

# If m3 led, the write waits for the next leader, so the removal that
# follows has one to go to.
ctl --endpoints="$m1" put /before-removal yes >/dev/null || fail "a write with m3 down failed"
ctl --endpoints="$m1" member remove "$id3" >/dev/null || fail "member remove $id3 failed"
ctl --endpoints="$m1" put /after-removal yes >/dev/null || fail "a write after the removal failed"
restart_member m3

# Back with a configuration that still holds it, m3 campaigns; m1 and m2
# answer that it was removed. Then it must stop serving: etcd exits, etcetera
# answers every call with the removal.
answer=""
for _ in $(seq 1 200); do
  if ! alive m3; then answer="(exited)"; break; fi
  answer=$(ctl --endpoints="$m3" --command-timeout=1s get --consistency=s /after-removal 2>&1 || true)
  case "$answer" in *"permanently removed"*) break ;; esac
  sleep 0.1
done
case "$answer" in
  "(exited)"|*"permanently removed"*) ;;
  *) fail "m3, removed while down and restarted, still answers: $answer" ;;
esac
grep -q "removed" "$CLUSTER_DIR/m3.log" || fail "m3's log does not say it was removed"

# The other two go on as a cluster of two.
ctl --endpoints="$m1,$m2" put /after-restart yes >/dev/null || fail "a write to the two left failed"
n=$(ctl --endpoints="$m2" member list | wc -l)
[ "$n" = 2 ] || fail "member list holds $n members, expected 2"
echo "removed_member_test: ok: m3, removed while down, learned it on restart ($answer); m1 and m2 serve"
