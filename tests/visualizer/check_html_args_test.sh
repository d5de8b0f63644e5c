#!/bin/sh
# etcetera-check --html's mistakes: no value (or an option where it belongs),
# or a file it cannot write, is exit 3 with a message; a violation still gets
# its verdict printed.
# Usage: check_html_args_test.sh ETCETERA_CHECK OUTDIR
check="$1"
out="$2"
mkdir -p "$out"
history="$out/stale-read.log"
# Process 0 writes 1; after that, process 1 reads nil.
printf 'INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\tnil\n' >"$history"

"$check" "$history" --html >"$out/args.log" 2>&1
status=$?
[ "$status" -eq 3 ] || { echo "FAIL: --html without a value: exit $status, expected 3"; exit 1; }
grep -q 'usage:' "$out/args.log" || { echo "FAIL: --html without a value: no usage"; exit 1; }

"$check" "$history" --html --timeout 5 >"$out/args.log" 2>&1
status=$?
[ "$status" -eq 3 ] || { echo "FAIL: --html followed by an option: exit $status, expected 3"; exit 1; }
[ ! -e ./--timeout ] || { echo "FAIL: wrote a file named --timeout"; exit 1; }

"$check" "$history" --html "$out/no-such-dir/x.html" >"$out/args.log" 2>&1
status=$?
[ "$status" -eq 3 ] || { echo "FAIL: unwritable OUT: exit $status, expected 3"; exit 1; }
grep -q "cannot write $out/no-such-dir/x.html" "$out/args.log" \
  || { echo "FAIL: unwritable OUT: no message"; cat "$out/args.log"; exit 1; }
grep -q '^NOT LINEARIZABLE$' "$out/args.log" || { echo "FAIL: the verdict was not printed"; exit 1; }

rm -f "$out/stale-read.html"
"$check" "$history" --html "$out/stale-read.html" >"$out/args.log" 2>&1
status=$?
[ "$status" -eq 1 ] || { echo "FAIL: exit $status, expected 1"; cat "$out/args.log"; exit 1; }
grep -q 'class="op stuck"' "$out/stale-read.html" || { echo "FAIL: no stuck operation drawn"; exit 1; }
echo "ok"
