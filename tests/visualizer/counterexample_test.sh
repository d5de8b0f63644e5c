#!/bin/sh
# A counterexample from the property tests, drawn: the simulator hunts the
# figure8 mutant, shrinks the failing schedule and saves its trace; the
# visualizer must render every step of it and find the step where the
# invariant breaks. Usage: counterexample_test.sh ETCETERA-SIM ETCETERA-VIZ OUTDIR
set -eu
sim=$1 viz=$2 out=$3
mkdir -p "$out"
rm -f "$out/figure8.txt" "$out/figure8.txt.jsonl"
if "$sim" --seed 1 --runs 50 --steps 200 --bug figure8 --save "$out/figure8.txt" >"$out/hunt.log" 2>&1; then
  echo "FAIL: the figure8 mutant was not caught, so there is no counterexample to draw"; exit 1
fi
grep -q '^shrunk to' "$out/hunt.log" || { echo "FAIL: no shrunk schedule"; cat "$out/hunt.log"; exit 1; }
"$viz" "$out/figure8.txt.jsonl" --html "$out/figure8.html" >"$out/viz.log" 2>&1 \
  || { echo "FAIL: etcetera-viz could not render the counterexample"; cat "$out/viz.log"; exit 1; }
grep -q 'an invariant is violated first at step' "$out/viz.log" \
  || { echo "FAIL: the replay shows no invariant violation"; cat "$out/viz.log"; exit 1; }
"$viz" "$out/figure8.txt.jsonl" --svg "$out/figure8-frames" >/dev/null \
  || { echo "FAIL: single frames could not be written"; exit 1; }
cat "$out/viz.log" | tail -2
