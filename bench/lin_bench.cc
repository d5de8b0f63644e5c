// lin-bench: the linearizability checker (spec/linearizability/) on every
// real history of the testdata folder, with Google Benchmark: one benchmark
// per file, named by its path in the folder, checked with the model its
// format implies. docs/performance.md quotes the medians of `./run bench lin`.
//
//   lin-bench [--testdata DIR] [--tsv FILE] [--benchmark_... flags]
//   lin-bench --show-testdata
//
// What is timed: each run of a benchmark parses the file (timed apart, the
// parse_us counter, as the mean of enough parses to fill a millisecond),
// then the timed loop checks the parsed history over and over. The check is
// the figure, because it is what compares with other checkers: their
// readers are different code. The summary quotes its CPU time (the machine
// is shared; see lin_summary.h), with the wall time beside it.
//
// After the benchmarks, a summary: per suite and in all, the number of
// files, the total of the per-file medians and the worst file; then whether
// every verdict is the published one (testdata/README.md). A wrong verdict,
// or a file that is not a history, makes the exit status 1; no testdata
// folder makes it 77 (ctest's "skipped"). --tsv writes one line per file
// (write_tsv in lin_summary.h has the columns) for `./run bench porcupine`,
// which sets these figures beside Porcupine's.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "bench/lin_summary.h"
#include "bench/testdata.h"
#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"

#ifndef ETCETERA_TESTDATA
#define ETCETERA_TESTDATA ""
#endif

namespace etcetera::bench {
namespace {

using namespace spec::lin;
using Clock = std::chrono::steady_clock;

// One history and what the benchmark learns about it.
struct Case {
  HistoryFile file;
  std::string text;
  Format format = Format::kJepsen;
  std::unique_ptr<Model> model;
  std::optional<Verdict> verdict;  // the check's, once it has run
  std::string error;               // why it could not be checked
};

std::expected<std::unique_ptr<Case>, std::string> load(const HistoryFile& file) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return std::unexpected("cannot read " + file.path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto c = std::make_unique<Case>();
  c->file = file;
  c->text = buffer.str();
  auto format = guess_format(c->text);
  if (!format) return std::unexpected(file.name + ": " + format.error().reason);
  c->format = *format;
  c->model = model_by_name(default_model(*format));
  return c;
}

// The history, and the mean seconds of one parse over at least a
// millisecond of parses (a single parse of a small file is too short for
// the clock to say much).
std::pair<std::expected<History, ParseError>, double> timed_parse(const Case& c) {
  const auto start = Clock::now();
  int parses = 0;
  std::expected<History, ParseError> history;
  do {
    history = parse_history(c.text, c.format);
    ++parses;
  } while (history && Clock::now() - start < std::chrono::milliseconds(1));
  const std::chrono::duration<double> spent = Clock::now() - start;
  return {std::move(history), spent.count() / parses};
}

std::string label(const Case& c) {
  std::string out = verdict_name(*c.verdict);
  if (c.file.published && *c.file.published != *c.verdict)
    out += std::string(" (WRONG: published ") + verdict_name(*c.file.published) + ")";
  return out;
}

void bm_check(benchmark::State& state, Case& c) {
  auto [history, parse_seconds] = timed_parse(c);
  if (!history) {
    c.error =
        c.file.name + ":" + std::to_string(history.error().line) + ": " + history.error().reason;
    state.SkipWithError(c.error.c_str());
    return;
  }
  Verdict verdict = Verdict::kUnknown;
  for (auto _ : state) {
    CheckResult result = check(*c.model, *history);
    verdict = result.verdict;
    benchmark::DoNotOptimize(result);
  }
  c.verdict = verdict;
  state.SetLabel(label(c));
  state.counters["parse_us"] = parse_seconds * 1e6;
  state.counters["operations"] = static_cast<double>(history->operations.size());
}

double in_seconds(double time, benchmark::TimeUnit unit) {
  constexpr double kPerUnit[] = {1e-9, 1e-6, 1e-3, 1};  // benchmark::TimeUnit's order
  return time * kPerUnit[unit];
}

// The console table as usual, and each file's times kept for the summary.
class Reporter final : public benchmark::ConsoleReporter {
 public:
  explicit Reporter(Figures& figures)
      : ConsoleReporter(isatty(fileno(stdout)) ? OO_Defaults : OO_Tabular), figures_(figures) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      FileFigures& f = figures_[run.run_name.function_name];
      const double cpu = in_seconds(run.GetAdjustedCPUTime(), run.time_unit);
      const double wall = in_seconds(run.GetAdjustedRealTime(), run.time_unit);
      const double parse =
          run.counters.contains("parse_us") ? run.counters.at("parse_us") * 1e-6 : 0;
      if (run.run_type == Run::RT_Iteration) {
        f.check_cpu.runs.push_back(cpu);
        f.check_wall.runs.push_back(wall);
        f.parse.runs.push_back(parse);
      } else if (run.aggregate_name == "median") {
        f.check_cpu.reported_median = cpu;
        f.check_wall.reported_median = wall;
        f.parse.reported_median = parse;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

 private:
  Figures& figures_;
};

struct Options {
  std::string testdata = ETCETERA_TESTDATA;
  std::string tsv;
  bool show_testdata = false;
};

std::expected<Options, std::string> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--show-testdata") {
      o.show_testdata = true;
    } else if ((arg == "--testdata" || arg == "--tsv") && i + 1 < argc) {
      (arg == "--testdata" ? o.testdata : o.tsv) = argv[++i];
    } else {
      return std::unexpected("unknown argument '" + arg +
                             "'\nusage: lin-bench [--testdata DIR] [--tsv FILE] "
                             "[--benchmark_... flags] | --show-testdata");
    }
  }
  return o;
}

int run(const Options& options) {
  auto files = find_histories(options.testdata);
  if (!files) {
    std::fprintf(stderr, "lin-bench: %s\n", files.error().c_str());
    return 77;
  }
  if (options.show_testdata) {
    std::printf("%s\n", options.testdata.c_str());
    return 0;
  }
  std::vector<std::unique_ptr<Case>> cases;
  for (const HistoryFile& file : *files) {
    auto c = load(file);
    if (!c) {
      std::fprintf(stderr, "lin-bench: %s\n", c.error().c_str());
      return 1;
    }
    Case& ref = **c;
    benchmark::RegisterBenchmark(file.name.c_str(), [&ref](benchmark::State& s) {
      bm_check(s, ref);
    })->Unit(benchmark::kMicrosecond);
    cases.push_back(std::move(*c));
  }
  Figures figures;
  Reporter reporter(figures);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::vector<FileResult> results;
  int failed = 0;
  for (const auto& c : cases) {
    auto it = figures.find(c->file.name);
    if (!c->error.empty()) {
      std::fprintf(stderr, "lin-bench: not checked: %s\n", c->error.c_str());
      ++failed;
    } else if (it != figures.end() && c->verdict) {  // else the filter left it out
      const FileFigures& f = it->second;
      results.push_back(FileResult{c->file.name, f.check_cpu.median(), f.check_wall.median(),
                                   f.parse.median(), *c->verdict, c->file.published});
    }
  }
  print_summary("lin-bench", options.testdata, results);
  if (!options.tsv.empty() && !write_tsv(options.tsv, results)) {
    std::fprintf(stderr, "lin-bench: cannot write %s\n", options.tsv.c_str());
    return 1;
  }
  return failed == 0 && wrong_verdicts(results) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace etcetera::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  auto options = etcetera::bench::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "lin-bench: %s\n", options.error().c_str());
    return 2;
  }
  const int status = etcetera::bench::run(*options);
  benchmark::Shutdown();
  return status;
}
