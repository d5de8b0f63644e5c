#!/bin/sh
# Starts a three-member cluster on loopback, runs a command against it, and
# stops the cluster, whatever the command's outcome.
#
#   with_cluster.sh SERVER WORKDIR COMMAND [ARGS...]
#
# SERVER is a binary that takes etcd's flags: build/server/etcetera, or etcd
# itself (which is how this script and the suites it runs were checked).
# The command sees:
#   ENDPOINTS      the members' client addresses, host:port, comma-separated
#   ENDPOINT_LIST  the same, space-separated
#   CLUSTER_DIR    WORKDIR: each member's data and log are in $CLUSTER_DIR/<name>
#   SERVER         the binary, and restart_member NAME / kill_member NAME
#                  through `. $CLUSTER_DIR/members.sh` (for kill -9 tests)
# Exit status: the command's; 1 if the cluster does not come up.
set -eu
server=$1 workdir=$2
shift 2

# Six free ports on loopback: the kernel picks them, then they are released
# for the members to bind. Another process (a test running beside this one)
# can take one in between; the member that cannot bind it exits (etcd and
# etcetera alike refuse a port in use), and the cluster starts again on six
# new ports, up to three times.
pick_ports() {
  ports=$(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
  i=0 cluster="" endpoints="" list=""
  for p in $ports; do
    i=$((i + 1))
    if [ $i -le 3 ]; then eval "client_$i=$p"; else eval "peer_$((i - 3))=$p"; fi
  done
  for n in 1 2 3; do
    eval "peer=\$peer_$n client=\$client_$n"
    cluster="${cluster:+$cluster,}m$n=http://127.0.0.1:$peer"
    endpoints="${endpoints:+$endpoints,}127.0.0.1:$client"
    list="${list:+$list }127.0.0.1:$client"
  done

  # members.sh: how to start, restart and kill a member, for the command too.
  cat > "$workdir/members.sh" <<SCRIPT
start_member() { # NAME [--initial-cluster-state existing]
  n=\${1#m}; shift
  eval "peer=\\\$peer_\$n client=\\\$client_\$n"
  "$server" --name "m\$n" --data-dir "$workdir/m\$n" \\
    --listen-client-urls "http://127.0.0.1:\$client" --advertise-client-urls "http://127.0.0.1:\$client" \\
    --listen-peer-urls "http://127.0.0.1:\$peer" --initial-advertise-peer-urls "http://127.0.0.1:\$peer" \\
    --initial-cluster "$cluster" "\$@" >>"$workdir/m\$n.log" 2>&1 &
  echo \$! > "$workdir/m\$n.pid"
}
kill_member() { kill -9 "\$(cat "$workdir/\$1.pid")" 2>/dev/null || true; }
stop_member() { kill "\$(cat "$workdir/\$1.pid")" 2>/dev/null || true; }
restart_member() { start_member "\$1" --initial-cluster-state existing; }
peer_1=$peer_1 peer_2=$peer_2 peer_3=$peer_3
client_1=$client_1 client_2=$client_2 client_3=$client_3
SCRIPT
  . "$workdir/members.sh"
}

stop_all() {
  for n in 1 2 3; do stop_member "m$n"; done
  sleep 0.5
  for n in 1 2 3; do kill_member "m$n"; done
}
trap stop_all EXIT

# Up when every member answers a linearizable read (etcdctl endpoint health).
# Returns 2 when a member exited because a port was taken: start again.
start_cluster() {
  for n in 1 2 3; do start_member "m$n"; done
  for _ in $(seq 1 100); do
    if ETCDCTL_API=3 etcdctl --endpoints="$endpoints" --command-timeout=2s endpoint health >/dev/null 2>&1; then
      return 0
    fi
    for n in 1 2 3; do
      if ! kill -0 "$(cat "$workdir/m$n.pid")" 2>/dev/null &&
         grep -q -i -e "cannot listen" -e "address already in use" "$workdir/m$n.log"; then
        echo "with_cluster: m$n could not bind its port (taken meanwhile); starting again on new ports" >&2
        return 2
      fi
    done
    sleep 0.1
  done
  return 1
}

up=1
for attempt in 1 2 3; do
  rm -rf "$workdir"
  mkdir -p "$workdir"
  pick_ports
  status=0
  start_cluster || status=$?
  [ $status = 2 ] || { up=$status; break; }
  stop_all
done
if [ $up != 0 ]; then
  echo "with_cluster: the cluster did not come up within 10 s; the members' logs:" >&2
  tail -n 20 "$workdir"/m*.log >&2
  exit 1
fi

export ENDPOINTS="$endpoints" ENDPOINT_LIST="$list" CLUSTER_DIR="$workdir" SERVER="$server"
status=0
"$@" || status=$?
if [ $status != 0 ]; then
  echo "with_cluster: '$*' failed ($status); the members' logs end with:" >&2
  tail -n 10 "$workdir"/m*.log >&2
fi
exit $status
