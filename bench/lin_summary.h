// lin-bench's figures after the run: each file's median, the summary per
// suite, and the same figures as a table for other tools (`./run bench
// porcupine` joins it with Porcupine's, which its Go harness prints in the
// same shape).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/linearizability/checker.h"

namespace etcetera::bench {

// One figure of one file as the benchmark reported it, in seconds: the
// median of its repetitions when there were several, else of its runs.
struct Samples {
  std::vector<double> runs;
  std::optional<double> reported_median;

  double median() const;
};

// The figures of one file. The check's CPU time is the one compared: the
// machine is shared, and wall time also counts the time other work held the
// core; the checks are single-threaded, so CPU time is their whole cost.
struct FileFigures {
  Samples check_cpu, check_wall, parse;
};
using Figures = std::map<std::string, FileFigures>;  // by file name

struct FileResult {
  std::string name;               // relative to the testdata folder
  double check_seconds = 0;       // median CPU time of one check
  double check_wall_seconds = 0;  // median wall time of one check
  double parse_seconds = 0;       // median wall time of one parse
  spec::lin::Verdict verdict = spec::lin::Verdict::kUnknown;
  std::optional<spec::lin::Verdict> published;
};

double median(std::vector<double> values);  // REQUIRES: values is not empty
// "617.2 ms", "12.34 us": four digits in the unit that keeps it under 1000.
std::string duration(double seconds);

// Per suite (a folder of the testdata) and in all: files, the total of the
// medians, the worst file; then the parsing, and the verdicts. Nothing when
// no file ran.
void print_summary(const std::string& tool, const std::string& testdata,
                   const std::vector<FileResult>& results);
int wrong_verdicts(const std::vector<FileResult>& results);

// One line per file, tab-separated, after a header line: name, check CPU
// seconds, check wall seconds, parse seconds, verdict, published verdict
// ("-" for none).
[[nodiscard]] bool write_tsv(const std::string& path, const std::vector<FileResult>& results);

}  // namespace etcetera::bench
