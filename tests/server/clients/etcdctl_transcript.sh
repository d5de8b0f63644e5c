#!/bin/sh
# etcdctl's commands, one after another, against a fresh three-member cluster
# (run inside with_cluster.sh), written as a transcript: each command after
# "$ ", then what etcdctl printed on standard output and error.
#
# The same transcript taken of etcd and of etcetera must match once the
# numbers that differ by nature (lease and member ids, ports, durations, raft
# terms and indexes) are masked: etcdctl_compare.py does that. So every
# expected output here is what etcd itself prints.
set -u
. "$(dirname "$0")/transcript.sh"

# put / get / del
run put foo bar
run get foo
run put foo2 bar2
run put foo3 bar3
run get --prefix foo
run get --prefix foo --limit 2
run get --prefix foo --sort-by=KEY --order=DESCEND
run get --prefix foo --keys-only
run get --prefix foo --print-value-only
run get foo --rev=2
run put foo baz
run get foo --rev=2
run get foo -w json
run get --from-key foo2
run get foo foo3
run del foo3
run del --prefix foo
run get --prefix foo
run del nothing-here

# txn, its interactive form on standard input
run put k v
echo '$ etcdctl txn (compares: value("k") = "v"; success: put k v2, get k; failure: put k lost)'
printf 'value("k") = "v"\n\nput k v2\nget k\n\nput k lost\n\n' | etcdctl --endpoints="$first" txn 2>&1
echo "(exit $?)"
echo '$ etcdctl txn (compares: value("k") = "v"; failure: get k)'
printf 'value("k") = "v"\n\nput k v3\n\nget k\n\n' | etcdctl --endpoints="$first" txn 2>&1
echo "(exit $?)"

# watch: live, with --prefix and --prev-kv, and from a past revision
watch_out=$(mktemp)
etcdctl --endpoints="$first" watch --prefix w/ --prev-kv >"$watch_out" 2>&1 &
watcher=$!
sleep 1
etcdctl --endpoints="$first" put w/a 1 >/dev/null
etcdctl --endpoints="$first" put w/a 2 >/dev/null
etcdctl --endpoints="$first" del w/a >/dev/null
sleep 1
kill $watcher 2>/dev/null
wait $watcher 2>/dev/null
echo '$ etcdctl watch --prefix w/ --prev-kv (while w/a is put twice and deleted)'
cat "$watch_out"
rev=$(etcdctl --endpoints="$first" get k -w fields | sed -n 's/^"Revision" : //p')
echo '$ etcdctl watch --rev=<the revision of the first put of w/a> w/a (history)'
timeout 2 etcdctl --endpoints="$first" watch --rev=$((rev - 3)) w/a 2>&1
rm -f "$watch_out"

# leases
grant=$(etcdctl --endpoints="$first" lease grant 60 2>&1)
echo '$ etcdctl lease grant 60'
echo "$grant"
lease=$(echo "$grant" | sed -n 's/^lease \([0-9a-f]*\) granted.*/\1/p')
run put --lease="$lease" leased v
run lease timetolive "$lease"
run lease timetolive --keys "$lease"
run lease keep-alive --once "$lease"
run lease list
run lease revoke "$lease"
run get leased
run lease timetolive "$lease"
run lease revoke 1234

# lock and elect (client-side recipes over leases, txns, ranges and watches)
run lock mylock -- sh -c 'echo held the lock'
echo '$ etcdctl elect myelection proposal (for 2 s)'
timeout 2 etcdctl --endpoints="$first" elect myelection proposal 2>&1 | sed 's|^myelection/.*|myelection/<key>|'
run get --prefix myelection

# the cluster (member list and changes: etcdctl_membership_transcript.sh)
run_all endpoint health
run_all endpoint status
run_all endpoint hashkv

# compaction, and the errors etcd answers with
run put c 1
run put c 2
crev=$(etcdctl --endpoints="$first" get c -w fields | sed -n 's/^"ModRevision" : //p')
run compaction "$crev"
run get c --rev=$((crev - 1))
run get c --rev=1000000
echo '$ etcdctl txn (130 puts)'
(echo; for i in $(seq 1 130); do echo "put t$i v"; done; echo; echo) |
  etcdctl --endpoints="$first" txn 2>&1
echo "(exit $?)"
run put "" empty-key

# leadership
leader_line=$(etcdctl --endpoints="$ENDPOINTS" endpoint status 2>/dev/null | grep ', true, ' | head -1)
follower=$(etcdctl --endpoints="$ENDPOINTS" endpoint status 2>/dev/null | grep ', false, false' | head -1 | cut -d, -f2 | tr -d ' ')
[ -n "$leader_line" ] || echo "(no leader found in endpoint status)"
run_all move-leader "$follower"
