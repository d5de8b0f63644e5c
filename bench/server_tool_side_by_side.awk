# etcd's benchmark tool against etcd and against etcetera, one table: the
# runs that `./run bench server` wrote down (bench_server_tool), a line each,
# tab-separated:
#
#   row number, row, server (etcd or etcetera), round, requests per second,
#   99th percentile of the latency in seconds ("-": none to quote), errors,
#   status ("ok", or why the run failed)
#
#   awk -F'\t' -f server_tool_side_by_side.awk RUNS.tsv
#
# Prints, per row: each server's requests per second in each round (a run
# with failed requests marked *, a run that failed as "failed"), the ratio of
# the medians (etcetera / etcd: below 1, etcetera is slower), and the median
# p99 of each. The median of an even number of rounds is the mean of the
# middle two. The table is Markdown, so that it can be pasted as it is.

function median(list,    v, n, i, j, t) {
  n = split(list, v, " ")
  if (n == 0) return ""
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
  return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# 12345.6 -> "12,346"
function thousands(x,    s) {
  s = sprintf("%.0f", x)
  while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
  return s
}

function ms(seconds) {
  if (seconds == "") return "-"
  seconds *= 1000
  return sprintf(seconds < 10 ? "%.2f" : "%.1f", seconds)
}

function runs(row, server) { return ((row, server) in cells) ? substr(cells[row, server], 3) : "not run" }

{
  row = $1 + 0
  if (!(row in label)) { label[row] = $2; if (row > rows) rows = row }
  key = row SUBSEP $3
  if ($8 != "ok") { cells[key] = cells[key] "; failed"; failed++; next }
  cells[key] = cells[key] "; " thousands($5) ($7 > 0 ? "*" : "")
  rps[key] = rps[key] " " $5
  if ($6 != "-") p99[key] = p99[key] " " $6
  if ($7 > 0) with_errors++
}

END {
  printf "| row | etcd, requests/s per round | etcetera, requests/s per round | etcetera / etcd | p99 ms, etcd / etcetera |\n"
  printf "|---|---|---|---|---|\n"
  for (row = 1; row <= rows; row++) {
    if (!(row in label)) continue
    a = median(rps[row, "etcd"]); b = median(rps[row, "etcetera"])
    ratio = a != "" && b != "" && a > 0 ? sprintf("%.2f", b / a) : "-"
    printf "| %s | %s | %s | %s | %s / %s |\n", label[row], runs(row, "etcd"), runs(row, "etcetera"),
           ratio, ms(median(p99[row, "etcd"])), ms(median(p99[row, "etcetera"]))
  }
  if (with_errors) printf "\n* some of that run's requests failed: the tool counted them apart (the run's log has them)\n"
  if (failed) printf "\n%d run(s) failed: the tool could not run them (the run's log says why)\n", failed
  exit failed > 0 ? 1 : 0
}
