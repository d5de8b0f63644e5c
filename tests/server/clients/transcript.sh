# What the etcdctl transcripts share (sourced by etcdctl_transcript.sh and
# etcdctl_membership_transcript.sh, inside with_cluster.sh): each command is
# written after "$ ", then what etcdctl printed on standard output and error,
# then its exit status.
export ETCDCTL_API=3
first=${ENDPOINT_LIST%% *}
run() { # against the first member
  echo "\$ etcdctl $*"
  etcdctl --endpoints="$first" --command-timeout=5s "$@" 2>&1
  echo "(exit $?)"
}
run_all() { # the same, against every member
  echo "\$ etcdctl (every member) $*"
  etcdctl --endpoints="$ENDPOINTS" --command-timeout=5s "$@" 2>&1
  echo "(exit $?)"
}
