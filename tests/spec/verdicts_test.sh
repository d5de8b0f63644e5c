#!/bin/sh
# etcetera-check against real third-party histories with published verdicts
# (the testdata folder's README describes them): every verdict of
# jepsen-etcd/verdicts.tsv, and the -ok / -bad histories of kv-edn.
# Usage: verdicts_test.sh ETCETERA_CHECK TESTDATA_DIR
# Exits 77 (ctest's "skipped") when the histories are not on this machine.
check="$1"
data="$2"
if [ ! -f "$data/jepsen-etcd/verdicts.tsv" ]; then
  echo "skipped: no testdata at '$data' (set ETCETERA_TESTDATA to the folder with jepsen-etcd/ and kv-edn/)"
  exit 77
fi
failures=0
checked=0
expect() {  # FILE VERDICT
  got=$("$check" "$1" --timeout 60 | tail -n 1)
  checked=$((checked + 1))
  if [ "$got" != "$2" ]; then
    echo "MISMATCH: $1: expected $2, got $got"
    failures=$((failures + 1))
  fi
}
while IFS="$(printf '\t')" read -r file verdict; do
  case "$verdict" in
    linearizable) expect "$data/jepsen-etcd/$file" "LINEARIZABLE" ;;
    not-linearizable) expect "$data/jepsen-etcd/$file" "NOT LINEARIZABLE" ;;
    *) echo "verdicts.tsv: unknown verdict '$verdict' for $file"; failures=$((failures + 1)) ;;
  esac
done < "$data/jepsen-etcd/verdicts.tsv"
for file in "$data"/kv-edn/*-ok.txt; do expect "$file" "LINEARIZABLE"; done
for file in "$data"/kv-edn/*-bad.txt; do expect "$file" "NOT LINEARIZABLE"; done
echo "$checked histories checked, $failures verdicts wrong"
[ "$failures" -eq 0 ] && [ "$checked" -ge 54 ]
