#!/bin/sh
# A port in use is refused, as etcd refuses it: a second member started on
# the first one's client port, or on its peer port, exits 1 and says which
# address it could not listen on, instead of sharing the port (gRPC's
# default, SO_REUSEPORT, would let it bind and take half the connections).
# Usage: port_in_use_test.sh path/to/etcetera
set -u
bin=$1
dir=$(mktemp -d)
first=""
trap '[ -n "$first" ] && kill $first 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; cat "$dir"/log* 2>/dev/null; exit 1; }
ports=$(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
set -- $ports
client=$1 peer=$2 other_client=$3 other_peer=$4

member() { # NAME CLIENT_PORT PEER_PORT; the second and third run for 20 s at most
  timeout 20 "$bin" --name "$1" --data-dir "$dir/$1" --listen-client-urls "http://127.0.0.1:$2" \
    --listen-peer-urls "http://127.0.0.1:$3" --initial-advertise-peer-urls "http://127.0.0.1:$3" \
    --heartbeat-interval 10 --election-timeout 100
}
member first "$client" "$peer" >"$dir/log-first" 2>&1 &
first=$!
for _ in $(seq 100); do grep -qs "serving clients" "$dir/log-first" && break; sleep 0.1; done
grep -q "serving clients" "$dir/log-first" || fail "the first member does not serve clients"

member second "$client" "$other_peer" >"$dir/log-client" 2>&1
status=$?
[ $status -eq 1 ] || fail "a second member on client port $client: exit $status, want 1 (124: it ran on)"
grep -q "cannot listen for clients on 127.0.0.1:$client" "$dir/log-client" ||
  fail "a second member on client port $client: no reason given"

member third "$other_client" "$peer" >"$dir/log-peer" 2>&1
status=$?
[ $status -eq 1 ] || fail "a third member on peer port $peer: exit $status, want 1 (124: it ran on)"
grep -q "cannot listen for peers on 127.0.0.1:$peer" "$dir/log-peer" ||
  fail "a third member on peer port $peer: no reason given"

# The first member still answers its own clients.
ETCDCTL_API=3 etcdctl --endpoints="127.0.0.1:$client" --command-timeout=5s put k v >/dev/null ||
  fail "the first member no longer serves its clients"
echo "ok: ports $client (clients) and $peer (peers) refused to a second member"
