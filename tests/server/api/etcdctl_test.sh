#!/bin/sh
# etcd's own etcdctl (3.4) against etcetera's gRPC API over a fake
# one-member backend: each command's output must be what etcd prints.
# Usage: etcdctl_test.sh ETCETERA_FAKE_SERVER
# Exits 77 (skipped) when etcdctl is not installed.
set -u
fake_server=$1
command -v etcdctl >/dev/null 2>&1 || { echo "etcdctl not installed: skipped"; exit 77; }

work=$(mktemp -d)
"$fake_server" 0 >"$work/port" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [ -s "$work/port" ] && break
  sleep 0.2
done
port=$(head -n 1 "$work/port")
[ -n "$port" ] || { echo "the fake server did not start"; cat "$work/server.err"; exit 1; }

export ETCDCTL_API=3
ctl() { timeout 10 etcdctl --endpoints="127.0.0.1:$port" "$@"; }

failures=0
# expect NAME EXPECTED ACTUAL: one check, reported either way.
expect() {
  if [ "$2" = "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1"
    echo "  expected: $(printf '%s' "$2" | od -c | head -n 5)"
    echo "  actual:   $(printf '%s' "$3" | od -c | head -n 5)"
    failures=$((failures + 1))
  fi
}
nl='
'

# KV
expect "put" "OK" "$(ctl put foo bar)"
expect "get" "foo${nl}bar" "$(ctl get foo)"
expect "put --prev-kv" "OK${nl}foo${nl}bar" "$(ctl put foo baz --prev-kv)"
expect "get --print-value-only" "baz" "$(ctl get foo --print-value-only)"
ctl put fa 1 >/dev/null
expect "get --prefix" "fa${nl}1${nl}foo${nl}baz" "$(ctl get --prefix f)"
expect "get --prefix --limit" "fa${nl}1" "$(ctl get --prefix f --limit=1)"
expect "get -w fields count" '"Count" : 2' "$(ctl get --prefix f -w fields | grep Count)"
expect "get of a missing key" "" "$(ctl get nope)"
expect "del" "1" "$(ctl del foo)"
expect "del of a missing key" "0" "$(ctl del foo)"
expect "get -w json header" '"member_id":10276657743932975437' \
  "$(ctl get fa -w json | grep -o '"member_id":[0-9]*')"

# Txn, from stdin, plain and interactive
ctl put c 2 >/dev/null
expect "txn" "SUCCESS${nl}${nl}OK" \
  "$(printf 'value("c") = "2"\n\nput a y\n\nget a\n\n' | ctl txn)"
expect "txn -i" "compares:${nl}success requests (get, put, del):${nl}failure requests (get, put, del):${nl}SUCCESS${nl}${nl}OK${nl}${nl}a${nl}z" \
  "$(printf 'value("c") = "2"\n\nput a z\nget a\n\n\n' | ctl txn -i)"
expect "txn failure branch" "FAILURE${nl}${nl}a${nl}z" \
  "$(printf 'value("c") = "9"\n\nput a w\n\nget a\n\n' | ctl txn)"

# Compaction and the revisions it refuses
rev=$(ctl get c -w json | grep -o '"revision":[0-9]*' | cut -d: -f2)
expect "compaction" "compacted revision $rev" "$(ctl compaction "$rev")"
expect "get at a compacted revision" "Error: etcdserver: mvcc: required revision has been compacted" \
  "$(ctl get c --rev=2 2>&1 | tail -n 1)"
expect "get at a future revision" "Error: etcdserver: mvcc: required revision is a future revision" \
  "$(ctl get c --rev=1000 2>&1 | tail -n 1)"

# Watch: events of a put and a delete (a deleted key's empty value is the
# last line, which $(...) drops), then the timeout ends it
(timeout 3 etcdctl --endpoints="127.0.0.1:$port" watch w >"$work/watch" 2>&1 &)
sleep 1
ctl put w 1 >/dev/null
ctl del w >/dev/null
sleep 3
expect "watch" "PUT${nl}w${nl}1${nl}DELETE${nl}w" "$(cat "$work/watch")"

# Leases
lease=$(ctl lease grant 100 | awk '{print $2}')
expect "lease grant" "lease $lease granted with TTL(100s)" "$(ctl lease timetolive "$lease" | sed 's/, remaining.*//')"
ctl put leased v --lease="$lease" >/dev/null
expect "lease keep-alive --once" "lease $lease keepalived with TTL(100)" "$(ctl lease keep-alive --once "$lease")"
expect "lease timetolive --keys" "lease $lease granted with TTL(100s), remaining(100s), attached keys([leased])" \
  "$(ctl lease timetolive "$lease" --keys | sed 's/remaining(99s)/remaining(100s)/')"
expect "lease list" "found 1 leases${nl}$lease" "$(ctl lease list)"
expect "lease revoke" "lease $lease revoked" "$(ctl lease revoke "$lease")"
expect "lease revoke of a revoked lease" "Error: failed to revoke lease (etcdserver: requested lease not found)" \
  "$(ctl lease revoke "$lease" 2>&1 | tail -n 1)"
expect "the revoked lease's key is gone" "" "$(ctl get leased)"

# Cluster and maintenance
expect "member list" "8e9e05c52164694d, started, default, http://localhost:2380, http://127.0.0.1:$port, false" \
  "$(ctl member list)"
status=$(ctl endpoint status)
expect "endpoint status" "127.0.0.1:$port, 8e9e05c52164694d, 3.4.0, true, false, 2" \
  "$(echo "$status" | awk -F', ' '{print $1", "$2", "$3", "$5", "$6", "$7}')"
expect "endpoint health" "127.0.0.1:$port is healthy" "$(ctl endpoint health 2>&1 | sed 's/: successfully.*//')"
expect "alarm list" "" "$(ctl alarm list)"
expect "defrag" "Finished defragmenting etcd member[127.0.0.1:$port]" "$(ctl defrag)"
expect "snapshot save" "Snapshot saved at $work/snap.db" "$(ctl snapshot save "$work/snap.db" 2>/dev/null)"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
