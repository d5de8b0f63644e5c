#include "bench/lin_summary.h"

#include <algorithm>
#include <cstdio>

#include "bench/testdata.h"

namespace etcetera::bench {

using spec::lin::Verdict;
using spec::lin::verdict_name;

double median(std::vector<double> values) {
  std::ranges::sort(values);
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Samples::median() const {
  return reported_median ? *reported_median : bench::median(runs);
}

std::string duration(double seconds) {
  const char* unit = "s";
  for (const char* smaller : {"ms", "us", "ns"}) {
    if (seconds >= 1) break;
    seconds *= 1000;
    unit = smaller;
  }
  // Four significant digits: the totals are read against each other.
  const int decimals = seconds < 10 ? 3 : seconds < 100 ? 2 : 1;
  char text[32];
  std::snprintf(text, sizeof text, "%.*f %s", decimals, seconds, unit);
  return text;
}

namespace {

struct SuiteLine {
  int files = 0;
  double total = 0, total_wall = 0;
  const FileResult* worst = nullptr;

  void add(const FileResult& r) {
    ++files;
    total += r.check_seconds;
    total_wall += r.check_wall_seconds;
    if (!worst || r.check_seconds > worst->check_seconds) worst = &r;
  }
};

void print_line(const std::string& suite, const SuiteLine& s) {
  std::printf("%-12s %5d %12s %12s  %-28s %s\n", suite.c_str(), s.files, duration(s.total).c_str(),
              duration(s.total_wall).c_str(), s.worst->name.c_str(),
              duration(s.worst->check_seconds).c_str());
}

void print_verdicts(const std::vector<FileResult>& results) {
  int published = 0;
  for (const FileResult& r : results) {
    if (!r.published) continue;
    ++published;
    if (*r.published != r.verdict) {
      std::printf("WRONG VERDICT: %s: %s, published %s\n", r.name.c_str(), verdict_name(r.verdict),
                  verdict_name(*r.published));
    }
  }
  const int wrong = wrong_verdicts(results);
  std::printf("verdicts: %d of %d match the published ones (verdicts.tsv, -ok/-bad names)%s\n",
              published - wrong, published, wrong == 0 ? "" : ": FAILED");
  if (published < static_cast<int>(results.size()))
    std::printf("%zu files have no published verdict\n", results.size() - published);
}

}  // namespace

void print_summary(const std::string& tool, const std::string& testdata,
                   const std::vector<FileResult>& results) {
  if (results.empty()) return;  // a filter that matched nothing, or --benchmark_list_tests
  std::printf(
      "\n== %s: %zu histories of %s\n"
      "the check alone; each file's median, totalled (CPU time, and wall time beside it)\n",
      tool.c_str(), results.size(), testdata.c_str());
  std::map<std::string, SuiteLine> suites;
  SuiteLine all;
  double parsing = 0;
  for (const FileResult& r : results) {
    suites[suite_of(r.name)].add(r);
    all.add(r);
    parsing += r.parse_seconds;
  }
  std::printf("%-12s %5s %12s %12s  %-28s %s\n", "suite", "files", "total (CPU)", "(wall)",
              "worst file (CPU)", "its median");
  for (const auto& [suite, line] : suites)
    print_line(suite.empty() ? "(top)" : suite, line);
  print_line("all", all);
  std::printf("parsing, timed apart: total of the medians %s\n", duration(parsing).c_str());
  print_verdicts(results);
}

int wrong_verdicts(const std::vector<FileResult>& results) {
  return static_cast<int>(std::ranges::count_if(
      results, [](const FileResult& r) { return r.published && *r.published != r.verdict; }));
}

bool write_tsv(const std::string& path, const std::vector<FileResult>& results) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) return false;
  std::fprintf(out,
               "file\tcheck_cpu_seconds\tcheck_wall_seconds\tparse_seconds\tverdict\tpublished\n");
  for (const FileResult& r : results) {
    std::fprintf(out, "%s\t%.9g\t%.9g\t%.9g\t%s\t%s\n", r.name.c_str(), r.check_seconds,
                 r.check_wall_seconds, r.parse_seconds, verdict_name(r.verdict),
                 r.published ? verdict_name(*r.published) : "-");
  }
  return std::fclose(out) == 0;
}

}  // namespace etcetera::bench
