// etcetera-check: is a history of concurrent operations linearizable?
//
//   etcetera-check HISTORY [--model register|kv|kv-empty|etcd] [--format jsonl|jepsen|edn]
//                          [--timeout SECONDS] [--html OUT]
//
// The last line is the verdict, and the exit status says it too:
//   LINEARIZABLE 0, NOT LINEARIZABLE 1, UNKNOWN 2 (the time budget ran out:
//   never a guess), and 3 for input it cannot read (with the line and why)
//   or an --html OUT it cannot write.
// For a violation it prints the smallest part that fails (a key, for the
// key-value models), how many operations it holds, the longest order of
// them the search could explain, and the operation that could not follow;
// with --html OUT it also draws that part as a timeline in one self-contained
// page (visualizer/history_view.h). With no violation there is nothing to
// draw, and OUT is left alone.
//
// The checker is spec/'s; this command lives in visualizer/ only because it
// draws, and spec/ links nothing above it.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"
#include "visualizer/history_view.h"

namespace {

using namespace etcetera::spec::lin;

constexpr const char* kUsage =
    "usage: etcetera-check HISTORY [--model register|kv|kv-empty|etcd] [--format "
    "jsonl|jepsen|edn]\n"
    "                      [--timeout SECONDS] [--html OUT]\n"
    "  --html OUT  for a violation, draw the failing part as a timeline in OUT (an HTML page)\n";

int unreadable(const std::string& what) {
  std::fprintf(stderr, "etcetera-check: %s\n", what.c_str());
  return 3;
}

// --html OUT: the failing part as a page. False, once the reason is
// printed, when OUT cannot be written.
bool draw_violation(const std::string& out, const std::string& history_path, const History& history,
                    const CheckResult& result, const Model& model) {
  if (!result.failing_part) {
    std::fprintf(stderr, "etcetera-check: no violation to draw (%s): %s not written\n",
                 verdict_name(result.verdict), out.c_str());
    return true;
  }
  const std::string page = etcetera::viz::history_html(history, result.parts[*result.failing_part],
                                                       model, "Not linearizable: " + history_path);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (file) file << page;
  file.close();
  if (!file) {
    std::fprintf(stderr, "etcetera-check: cannot write %s: %s\n", out.c_str(),
                 std::strerror(errno));
    return false;
  }
  std::printf("the failing part drawn in %s\n", out.c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, model_name, format_name_arg, html;
  double timeout = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else if (arg == "--model") {
      model_name = value();
    } else if (arg == "--format") {
      format_name_arg = value();
    } else if (arg == "--html") {
      html = value();
      // "--html --timeout 5" is a forgotten OUT, not a file named "--timeout".
      if (html.empty() || html.starts_with("--"))
        return unreadable("--html takes the file to write\n" + std::string(kUsage));
    } else if (arg == "--timeout") {
      const std::string v = value();
      try {
        timeout = std::stod(v);
      } catch (...) {
        timeout = -1;
      }
      if (timeout <= 0)
        return unreadable("--timeout takes a positive number of seconds\n" + std::string(kUsage));
    } else if (path.empty() && !arg.starts_with("-")) {
      path = arg;
    } else {
      return unreadable("unknown argument '" + arg + "'\n" + kUsage);
    }
  }
  if (path.empty()) return unreadable(std::string("no history given\n") + kUsage);

  std::ifstream in(path, std::ios::binary);
  if (!in) return unreadable("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  auto format = format_name_arg.empty() ? guess_format(text) : format_by_name(format_name_arg);
  if (!format) {
    return unreadable(path +
                      (format.error().line ? ":" + std::to_string(format.error().line) : "") +
                      ": " + format.error().reason);
  }
  if (model_name.empty()) model_name = default_model(*format);
  auto model = model_by_name(model_name);
  if (!model)
    return unreadable("unknown model '" + model_name + "' (register, kv, kv-empty or etcd)");
  auto history = parse_history(text, *format);
  if (!history) {
    return unreadable(path + ":" + std::to_string(history.error().line) + ": " +
                      history.error().reason);
  }

  Budget budget;
  const auto start = std::chrono::steady_clock::now();
  if (timeout > 0) {
    budget.out_of_time = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
             timeout;
    };
  }
  const CheckResult result = check(*model, *history, budget);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu operations, %s format, %s model, %zu part%s, %llu search steps, %.3f s\n",
              path.c_str(), history->operations.size(), format_name(*format), model_name.c_str(),
              result.parts.size(), result.parts.size() == 1 ? "" : "s",
              static_cast<unsigned long long>(result.steps), secs);
  std::fputs(explain(*model, *history, result).c_str(), stdout);
  const bool drawn = html.empty() || draw_violation(html, path, *history, result, *model);
  std::printf("%s\n", verdict_name(result.verdict));
  if (!drawn) return 3;
  switch (result.verdict) {
    case Verdict::kLinearizable:
      return 0;
    case Verdict::kNotLinearizable:
      return 1;
    case Verdict::kUnknown:
      return 2;
  }
  return 2;
}
