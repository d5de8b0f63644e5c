#!/bin/sh
# etcetera-check --html on a real violation: a Jepsen etcd history that
# verdicts.tsv calls not linearizable must exit 1 and leave a page with the
# diagram in it; a linearizable one must leave no page at all.
# Usage: check_html_test.sh ETCETERA_CHECK TESTDATA_DIR OUTDIR
# Exits 77 (ctest's "skipped") when the histories are not on this machine.
check="$1"
data="$2"
out="$3"
if [ ! -f "$data/jepsen-etcd/verdicts.tsv" ]; then
  echo "skipped: no testdata at '$data' (set ETCETERA_TESTDATA to the folder with jepsen-etcd/ and kv-edn/)"
  exit 77
fi
bad=$(awk -F '\t' '$2 == "not-linearizable" { print $1; exit }' "$data/jepsen-etcd/verdicts.tsv")
good=$(awk -F '\t' '$2 == "linearizable" { print $1; exit }' "$data/jepsen-etcd/verdicts.tsv")
mkdir -p "$out"
page="$out/${bad%.log}.html"
rm -f "$page" "$out/good.html"

"$check" "$data/jepsen-etcd/$bad" --html "$page" >"$out/check.log" 2>&1
status=$?
[ "$status" -eq 1 ] || { echo "FAIL: $bad: exit $status, expected 1"; cat "$out/check.log"; exit 1; }
[ -s "$page" ] || { echo "FAIL: $bad: no page at $page"; exit 1; }
grep -q '<svg' "$page" || { echo "FAIL: $page holds no <svg>"; exit 1; }
grep -q 'class="op stuck"' "$page" || { echo "FAIL: $page marks no stuck operation"; exit 1; }

"$check" "$data/jepsen-etcd/$good" --html "$out/good.html" >"$out/good.log" 2>&1
status=$?
[ "$status" -eq 0 ] || { echo "FAIL: $good: exit $status, expected 0"; cat "$out/good.log"; exit 1; }
[ ! -e "$out/good.html" ] || { echo "FAIL: $good is linearizable, yet a page was written"; exit 1; }
grep -q 'no violation to draw' "$out/good.log" || { echo "FAIL: $good: silent about the page"; exit 1; }
echo "$bad drawn in $page; $good left undrawn"
