// etcetera-viz: a trace (JSON lines, from etcetera-sim --trace or the demo)
// as diagrams.
//   etcetera-viz TRACE --html OUT.html [--title TEXT]
//       one self-contained page with a step-through player
//   etcetera-viz TRACE --svg DIR | --png DIR | --dot DIR [--steps A-B] [--view NAME]...
//       one file per view and step: DIR/<view>-<step>.<format>
// Steps are numbered from 1, one per trace event. docs/visualizer.md.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "raft/describe.h"
#include "visualizer/player.h"
#include "visualizer/trace_reader.h"

namespace {

namespace viz = etcetera::viz;

constexpr const char* kUsage =
    "usage: etcetera-viz TRACE --html OUT.html [--title TEXT]\n"
    "       etcetera-viz TRACE (--svg | --png | --dot) DIR [--steps A-B] [--view NAME]...\n"
    "views: cluster, log, spacetime, locks; steps are numbered from 1, one per trace event\n";

int usage(const std::string& why) {
  std::fprintf(stderr, "etcetera-viz: %s\n%s", why.c_str(), kUsage);
  return 2;
}

struct Args {
  std::string trace, html, title, format, dir;
  std::size_t first = 1, last = 0;  // last 0: to the end
  std::vector<std::string> views;
};

bool parse_number(const std::string& s, std::size_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "12-40", "12-" or "12".
bool parse_steps(const std::string& s, Args& a) {
  const auto dash = s.find('-');
  if (dash == std::string::npos) return parse_number(s, a.first) && parse_number(s, a.last);
  if (!parse_number(s.substr(0, dash), a.first)) return false;
  return dash + 1 == s.size() || parse_number(s.substr(dash + 1), a.last);
}

int write_frames(const Args& a, viz::Replay& replay,
                 const std::vector<std::unique_ptr<viz::View>>& views) {
  std::error_code ec;
  std::filesystem::create_directories(a.dir, ec);
  if (ec) {
    std::fprintf(stderr, "etcetera-viz: cannot create %s: %s\n", a.dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  const std::size_t last = a.last == 0 ? replay.steps() : a.last;
  if (a.first < 1 || a.first > last || last > replay.steps()) {
    std::fprintf(stderr,
                 "etcetera-viz: steps %zu-%zu are not in the trace, which has steps 1-%zu\n",
                 a.first, last, replay.steps());
    return 1;
  }
  viz::Graphviz graphviz;
  std::size_t files = 0;
  replay.seek(a.first - 1);
  while (replay.step() < last) {
    replay.next();
    for (const auto& view : views) {
      const std::string dot = view->dot(replay);
      if (dot.empty()) continue;
      std::string bytes = dot;
      if (a.format != "dot") {
        auto rendered = graphviz.render(dot, view->engine(), a.format);
        if (!rendered) {
          std::fprintf(stderr, "etcetera-viz: step %zu, view %s: %s\n", replay.step(),
                       view->id().c_str(), rendered.error().message.c_str());
          return 1;
        }
        bytes = std::move(*rendered);
      }
      char name[64];
      std::snprintf(name, sizeof name, "%s-%05zu.%s", view->id().c_str(), replay.step(),
                    a.format.c_str());
      const auto path = std::filesystem::path(a.dir) / name;
      std::ofstream out(path, std::ios::binary);
      if (!(out << bytes)) {
        std::fprintf(stderr, "etcetera-viz: cannot write %s\n", path.c_str());
        return 1;
      }
      ++files;
    }
  }
  std::printf("wrote %zu files for steps %zu-%zu to %s\n", files, a.first, last, a.dir.c_str());
  return 0;
}

int write_html(const Args& a, viz::Replay& replay,
               const std::vector<std::unique_ptr<viz::View>>& views) {
  std::ofstream out(a.html, std::ios::binary);
  if (!out) {
    std::fprintf(stderr, "etcetera-viz: cannot write %s\n", a.html.c_str());
    return 1;
  }
  viz::PlayerOptions options;
  options.title = a.title.empty() ? std::filesystem::path(a.trace).filename().string() : a.title;
  options.progress = [](std::size_t done, std::size_t all) {
    std::fprintf(stderr, "etcetera-viz: rendered %zu of %zu steps\n", done, all);
  };
  viz::Graphviz graphviz;
  auto stats = viz::write_player(replay, views, graphviz, options, out);
  if (!stats) {
    std::fprintf(stderr, "etcetera-viz: %s\n", stats.error().message.c_str());
    return 1;
  }
  std::printf("wrote %s: %zu steps, %zu distinct frames, %zu bytes\n", a.html.c_str(), stats->steps,
              stats->frames, stats->page_bytes);
  if (stats->first_violation != 0)
    std::printf("an invariant is violated first at step %zu (jump there with v)\n",
                stats->first_violation);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (arg == "--html" || arg == "--svg" || arg == "--png" || arg == "--dot" || arg == "--title" ||
        arg == "--steps" || arg == "--view") {
      const std::string* v = value();
      if (v == nullptr) return usage(arg + " needs a value");
      if (arg == "--html")
        a.html = *v;
      else if (arg == "--title")
        a.title = *v;
      else if (arg == "--view")
        a.views.push_back(*v);
      else if (arg == "--steps") {
        if (!parse_steps(*v, a)) return usage("--steps takes A-B, A- or A (step numbers from 1)");
      } else {
        if (!a.format.empty()) return usage("one of --svg, --png, --dot at a time");
        a.format = arg.substr(2);
        a.dir = *v;
      }
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option " + arg);
    } else if (a.trace.empty()) {
      a.trace = arg;
    } else {
      return usage("one trace at a time (got " + a.trace + " and " + arg + ")");
    }
  }
  if (a.trace.empty()) return usage("no trace given");
  if (a.html.empty() == a.format.empty())
    return usage("give either --html or one of --svg, --png, --dot");

  auto views = viz::standard_views();
  if (!a.views.empty()) {
    std::vector<std::unique_ptr<viz::View>> chosen;
    for (const auto& name : a.views) {
      auto it = std::find_if(views.begin(), views.end(),
                             [&](const auto& v) { return v && v->id() == name; });
      if (it == views.end()) return usage("no view named '" + name + "'");
      chosen.push_back(std::move(*it));
    }
    views = std::move(chosen);
  }

  auto events = viz::read_trace_file(a.trace);
  if (!events) {
    std::fprintf(stderr, "etcetera-viz: %s\n", events.error().message.c_str());
    return 1;
  }
  if (events->empty()) {
    std::fprintf(stderr, "etcetera-viz: %s has no events\n", a.trace.c_str());
    return 1;
  }
  viz::Replay replay(std::move(*events));
  return a.html.empty() ? write_frames(a, replay, views) : write_html(a, replay, views);
}
