#!/bin/sh
# etcdctl's membership commands against a fresh three-member cluster (run
# inside with_cluster.sh), written as a transcript like etcdctl_transcript.sh's:
# member list, a member added (never started: three of four still make a
# quorum) and removed, an unknown member.
#
# The same transcript taken of etcd and of etcetera must match once the
# numbers that differ by nature (lease and member ids, ports, durations, raft
# terms and indexes) are masked: etcdctl_compare.py does that. So every
# expected output here is what etcd itself prints.
set -u
export ETCDCTL_API=3
first=${ENDPOINT_LIST%% *}
run() { # prints the command, then its output; the exit status goes in the transcript too
  echo "\$ etcdctl $*"
  etcdctl --endpoints="$first" --command-timeout=5s "$@" 2>&1
  echo "(exit $?)"
}
run_all() { # the same, against every member
  echo "\$ etcdctl (every member) $*"
  etcdctl --endpoints="$ENDPOINTS" --command-timeout=5s "$@" 2>&1
  echo "(exit $?)"
}

run member list
added=$(etcdctl --endpoints="$first" member add m4 --peer-urls=http://127.0.0.1:1 2>&1)
echo '$ etcdctl member add m4 --peer-urls=http://127.0.0.1:1'
echo "$added"
new_id=$(echo "$added" | sed -n 's/^Member  *\([0-9a-f]*\) added.*/\1/p')
run member list
run member remove "$new_id"
run member list
run member remove 1234

