#!/bin/sh
# etcdctl's membership commands against a fresh three-member cluster (run
# inside with_cluster.sh), written as a transcript like etcdctl_transcript.sh's:
# member list, a member added (never started: three of four still make a
# quorum), its peer URLs updated, and removed; a learner added, refused
# promotion (it never started, so it is not in sync) and removed; duplicate
# peer URLs and an unknown member.
#
# etcd refuses to add a voter ("unhealthy cluster") until it has been
# connected to every member for 5 s (its HealthInterval), so the transcript
# waits that long first; etcetera keeps the same rule.
#
# The same transcript taken of etcd and of etcetera must match once the
# numbers that differ by nature (lease and member ids, ports, durations, raft
# terms and indexes) are masked: etcdctl_compare.py does that. So every
# expected output here is what etcd itself prints.
set -u
. "$(dirname "$0")/transcript.sh"

add() { # NAME ARGS...: member add, printed as run does; the new id in $new_id
  added=$(etcdctl --endpoints="$first" --command-timeout=5s member add "$@" 2>&1)
  status=$?
  echo "\$ etcdctl member add $*"
  echo "$added"
  echo "(exit $status)"
  new_id=$(echo "$added" | sed -n 's/^Member  *\([0-9a-f]*\) added.*/\1/p')
}

sleep 6
run member list
add m4 --peer-urls=http://127.0.0.1:1
run member list
run member update "$new_id" --peer-urls=http://127.0.0.1:2
run member list
run member add m5 --learner --peer-urls=http://127.0.0.1:2
run member remove "$new_id"
run member list
add m5 --learner --peer-urls=http://127.0.0.1:3
run member list
run member promote "$new_id"
run member remove "$new_id"
run_all member list
run member promote 1234
run member remove 1234

