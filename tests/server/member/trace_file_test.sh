#!/bin/sh
# A real member's run replays in the visualizer: `etcetera --trace-file`
# writes the project's trace (JSON lines, raft/trace.proto), which shows the
# member starting, leading and appending the client's write, and
# etcetera-viz turns it into a page.
# Usage: trace_file_test.sh path/to/etcetera path/to/etcetera-viz
set -u
bin=$1 viz=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; cat "$dir/log" 2>/dev/null; exit 1; }
ports=$(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
client=$1 peer=$2
"$bin" --data-dir "$dir/data" --listen-client-urls "http://127.0.0.1:$client" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "default=http://127.0.0.1:$peer" --trace-file "$dir/trace.jsonl" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -qs "serving clients" "$dir/log" && break; sleep 0.1; done
ETCDCTL_API=3 etcdctl --endpoints="127.0.0.1:$client" --command-timeout=5s put traced yes >/dev/null ||
  { kill $pid; fail "the put was not answered"; }
kill -TERM $pid
wait $pid
for action in Restart BecomeLeader ClientRequest; do
  grep -q "\"action\":\"$action\"" "$dir/trace.jsonl" || fail "no $action event in the trace"
done
"$viz" "$dir/trace.jsonl" --html "$dir/replay.html" >"$dir/viz.log" 2>&1 || { cat "$dir/viz.log"; fail "etcetera-viz refused the trace"; }
grep -q "etcetera-data" "$dir/replay.html" || fail "the page carries no replay"
echo "ok: $(wc -l <"$dir/trace.jsonl") events traced and replayed"
