#!/bin/sh
# Takes a transcript of etcdctl commands against a three-member etcd cluster
# and against a three-member cluster of SERVER, and compares them
# (etcdctl_compare.py): the same output, once the numbers that differ by
# nature are masked.
#
#   compare_with_etcd.sh SERVER WORKDIR TRANSCRIPT.sh
#
# Exit 77 (skipped) without etcd or etcdctl; 1 with a diff when they differ.
set -u
server=$1 workdir=$2 transcript=$3
here=$(dirname "$0")
for tool in /usr/bin/etcd /usr/bin/etcdctl; do
  [ -x "$tool" ] || { echo "compare_with_etcd: $tool is missing (./run setup installs it)"; exit 77; }
done
mkdir -p "$workdir"
name=$(basename "$transcript" .sh)
sh "$here/with_cluster.sh" /usr/bin/etcd "$workdir/etcd" sh "$transcript" >"$workdir/$name.etcd.txt" 2>&1 ||
  { echo "compare_with_etcd: the transcript failed against etcd itself"; cat "$workdir/$name.etcd.txt"; exit 1; }
sh "$here/with_cluster.sh" "$server" "$workdir/ours" sh "$transcript" >"$workdir/$name.ours.txt" 2>&1 ||
  { echo "compare_with_etcd: the cluster of $server did not run the transcript"; cat "$workdir/$name.ours.txt"; exit 1; }
/usr/bin/python3 "$here/etcdctl_compare.py" "$workdir/$name.etcd.txt" "$workdir/$name.ours.txt"
