# lin-bench's figures beside Porcupine's: the two --tsv tables of
# `./run bench porcupine` (lin-bench --tsv, porcupine-bench -tsv), joined by
# file. Columns of both: file, check CPU seconds, check wall seconds, parse
# seconds, verdict, published verdict.
#
#   awk -F'\t' -f lin_side_by_side.awk OURS.tsv PORCUPINE.tsv
#
# Prints one line per file (the CPU time of one check, median of the runs;
# ratio = Porcupine's over ours, so above 1 means ours is faster), then per
# suite and in all: the totals, their ratio, the geometric mean of the
# per-file ratios, and each checker's worst file. Exits 1 if a file is in
# one table only, or if a verdict differs between the checkers or from the
# published one.

function duration(s,    unit, i, units) {
  split("ms us ns", units, " ")
  unit = "s"
  for (i = 1; i <= 3 && s < 1; i++) { s *= 1000; unit = units[i] }
  return sprintf("%." (s < 10 ? 3 : s < 100 ? 2 : 1) "f %s", s, unit)
}

function suite_of(name) { return index(name, "/") ? substr(name, 1, index(name, "/") - 1) : "(top)" }

function add(suite, file) {
  files[suite]++
  total_ours[suite] += ours[file]
  total_theirs[suite] += theirs[file]
  log_ratio[suite] += log(theirs[file] / ours[file])
  if (!(suite in worst_ours) || ours[file] > ours[worst_ours[suite]]) worst_ours[suite] = file
  if (!(suite in worst_theirs) || theirs[file] > theirs[worst_theirs[suite]]) worst_theirs[suite] = file
}

function suite_line(suite) {
  printf "%-12s %5d %11s %11s %6.2f %8.2f  %s %s; %s %s\n", suite, files[suite],
         duration(total_ours[suite]), duration(total_theirs[suite]),
         total_theirs[suite] / total_ours[suite], exp(log_ratio[suite] / files[suite]),
         worst_ours[suite], duration(ours[worst_ours[suite]]),
         worst_theirs[suite], duration(theirs[worst_theirs[suite]])
}

FNR == 1 { table++; next }
table == 1 { order[++n] = $1; ours[$1] = $2; ours_verdict[$1] = $5; published[$1] = $6 }
table == 2 { theirs[$1] = $2; theirs_verdict[$1] = $5; if (!($1 in ours)) only_theirs[$1] = 1 }

END {
  printf "\n== side by side: the CPU time of one check, each file's median (ratio: Porcupine / ours)\n"
  printf "%-28s %11s %11s %6s  %s\n", "file", "ours", "Porcupine", "ratio", "verdict"
  bad = 0
  for (i = 1; i <= n; i++) {
    f = order[i]
    if (!(f in theirs)) {
      printf "%-28s %11s %11s %6s  MISSING from Porcupine's table\n", f, duration(ours[f]), "-", "-"
      bad++
      continue
    }
    verdict = ours_verdict[f]
    if (ours_verdict[f] != theirs_verdict[f] || (published[f] != "-" && published[f] != verdict)) {
      verdict = "MISMATCH: ours " ours_verdict[f] ", Porcupine " theirs_verdict[f] \
                ", published " published[f]
      bad++
    }
    printf "%-28s %11s %11s %6.2f  %s\n", f, duration(ours[f]), duration(theirs[f]),
           theirs[f] / ours[f], verdict
    add(suite_of(f), f)
    add("all", f)
    if (!(suite_of(f) in seen)) { seen[suite_of(f)] = 1; suites[++m] = suite_of(f) }
  }
  for (f in only_theirs) { printf "%-28s MISSING from ours\n", f; bad++ }
  printf "\n%-12s %5s %11s %11s %6s %8s  %s\n", "suite", "files", "ours", "Porcupine", "ratio",
         "geomean", "worst file: ours; Porcupine"
  for (i = 1; i <= m; i++) suite_line(suites[i])
  if (files["all"] > 0) suite_line("all")
  if (bad == 0) printf "verdicts: ours and Porcupine agree on all %d files, and with every published one\n", files["all"]
  else printf "verdicts: %d MISMATCHES (above)\n", bad
  exit (bad > 0 ? 1 : 0)
}
