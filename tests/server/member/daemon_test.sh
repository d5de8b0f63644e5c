#!/bin/sh
# The etcetera daemon from the outside: a single-node member starts, leads,
# shuts down cleanly on SIGTERM (exit 0), starts again from its data dir, and
# a data dir that cannot be opened is exit 1 with the reason.
# Usage: daemon_test.sh path/to/etcetera
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; cat "$log" 2>/dev/null; exit 1; }

for round in 1 2; do
  # A log per round: the child truncates its log only once it runs, so a
  # shared one could still show the previous round's lines.
  log=$dir/log$round
  # Port 0: the kernel picks a free one; a lone member never dials its peers.
  "$bin" --data-dir "$dir/data" --listen-client-urls http://127.0.0.1:0 \
    --listen-peer-urls http://127.0.0.1:0 --initial-advertise-peer-urls http://127.0.0.1:0 \
    --heartbeat-interval 10 --election-timeout 100 >"$log" 2>&1 &
  pid=$!
  # Up: it leads, and it serves clients once its own attributes have applied.
  for _ in $(seq 100); do grep -qs "serving clients" "$log" && break; sleep 0.1; done
  grep -q "leader is default" "$log" || { kill $pid; fail "round $round: no leader"; }
  grep -q "serving clients" "$log" || { kill $pid; fail "round $round: not serving clients"; }
  kill -TERM $pid
  wait $pid
  status=$?
  [ $status -eq 0 ] || fail "round $round: exit $status after SIGTERM"
  grep -q "SIGTERM, shutting down" "$log" || fail "round $round: no shutdown line"
done
ls "$dir/data/member/wal"/*.wal >/dev/null 2>&1 || fail "no WAL in the data dir"

touch "$dir/file"
log=$dir/log-bad
"$bin" --data-dir "$dir/file/data" >"$log" 2>&1
status=$?
[ $status -eq 1 ] || fail "unopenable data dir: exit $status, want 1"
grep -q "cannot open data dir" "$log" || fail "unopenable data dir: no reason given"
echo "ok"
