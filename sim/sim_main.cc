// etcetera-sim: the deterministic simulator from the command line.
//
//   etcetera-sim SCRIPT                  runs an interaction script, printing each command's output
//   etcetera-sim -i                      an interactive prompt for the same commands
//   etcetera-sim --seed S [--nodes N] [--steps K] [--faults PROFILE] [--bug NAME]
//                [--runs R] [--trace FILE] [--save FILE] [--no-liveness]
//                                        random fault schedules, checked against the spec
//   etcetera-sim --seed S --clients C [--history FILE] [--serializable P] [...]
//                                        the same, on key-value nodes with C clients whose
//                                        operations are written down as a history;
//                                        --keep-going runs on past a spec violation;
//                                        --forward: writes go to any node, which forwards
//                                        them to the leader (--kv-bug to break that)
//   etcetera-sim --seed S --locks C [--pauses P] [--lock-bug NAME] [...]
//                                        C lock clients whose processes may pause past their
//                                        leases, a fenced resource, the lock properties
//   etcetera-sim --list-bugs | --list-faults
//
// A random run checks every invariant after every trace event, then liveness
// once the faults stop, and prints a summary. A failing run is shrunk and
// saved as a script (and its trace, with --trace) that replays it exactly.
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "kv/mutant.h"
#include "raft/describe.h"
#include "raft/mutant.h"
#include "raft/mutant_table.h"
#include "raft/trace.h"
#include "sim/kv_run.h"
#include "sim/lock_run.h"
#include "sim/script/env.h"
#include "sim/script/script.h"
#include "sim/shrink.h"

namespace {

using namespace etcetera;
using sim::ScheduleOptions;

constexpr const char* kUsage =
    "usage: etcetera-sim SCRIPT [--trace FILE]\n"
    "       etcetera-sim -i\n"
    "       etcetera-sim --seed S [--nodes N] [--steps K] [--faults PROFILE] [--bug NAME]\n"
    "                    [--runs R] [--pre-vote=false] [--check-quorum=false]\n"
    "                    [--trace FILE] [--save FILE] [--no-liveness] [--coverage]\n"
    "       etcetera-sim --seed S --clients C [--history FILE] [--serializable PERCENT]\n"
    "                    [--nodes N] [--steps K] [--faults PROFILE] [--bug NAME] [--trace FILE]\n"
    "                    [--keep-going] [--forward [--kv-bug NAME]]\n"
    "       etcetera-sim --seed S --locks C [--pauses PER_MILLE] [--lock-bug NAME]\n"
    "                    [--nodes N] [--steps K] [--faults PROFILE] [--trace FILE]\n"
    "       etcetera-sim --list-bugs | --list-faults\n";

// A progress bar on stderr, shown only once a run has taken two seconds.
class Progress {
 public:
  explicit Progress(std::string what)
      : what_(std::move(what)), start_(Clock::now()), enabled_(isatty(2)) {}
  void update(std::uint64_t done, std::uint64_t total) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - start_ < std::chrono::seconds(2) || now - last_ < std::chrono::milliseconds(200))
      return;
    last_ = now;
    shown_ = true;
    const int width = 30;
    const int filled = total ? static_cast<int>(done * width / total) : 0;
    std::fprintf(stderr, "\r%s [%s%s] %llu/%llu", what_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total));
  }
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r%s\r", std::string(what_.size() + 45, ' ').c_str());
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_;
  Clock::time_point start_;
  Clock::time_point last_{};
  bool enabled_;  // only on a terminal: a log file gets the summary alone
  bool shown_ = false;
};

int list_bugs() {
  for (const auto& m : raft::all_mutants())
    std::printf("%-22s %s\n", std::string(m.name).c_str(), std::string(m.description).c_str());
  std::printf("\nWith --clients C --forward, --kv-bug takes:\n");
  for (const auto& m : kv::all_mutants())
    std::printf("%-22s %s\n", std::string(m.name).c_str(), std::string(m.description).c_str());
  return 0;
}

int list_faults() {
  for (const auto& p : sim::fault_profiles())
    std::printf("%-11s %s; links %s\n", std::string(p.name).c_str(),
                std::string(p.description).c_str(), sim::describe(p.link).c_str());
  return 0;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// SCRIPT mode: each command with what it printed, as raft-scripts --rewrite
// would write it.
int run_script(const std::string& path, const std::string& trace_path) {
  const auto text = read_file(path);
  if (!text) {
    std::fprintf(stderr, "etcetera-sim: cannot read %s\n", path.c_str());
    return 2;
  }
  sim::Script script;
  if (auto err = sim::parse_script(*text, script); !err.empty()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), err.c_str());
    return 2;
  }
  std::ofstream trace_file;
  std::unique_ptr<raft::JsonLinesSink> sink;
  if (!trace_path.empty()) {
    trace_file.open(trace_path);
    if (!trace_file) {
      std::fprintf(stderr, "etcetera-sim: cannot write %s\n", trace_path.c_str());
      return 2;
    }
    sink = std::make_unique<raft::JsonLinesSink>(trace_file);
  }
  sim::InteractionEnv env;
  env.set_tee(sink.get());
  bool violated = false;
  for (const auto& s : script.stanzas) {
    for (const auto& l : s.leading)
      std::printf("%s\n", l.c_str());
    std::string out;
    try {
      out = env.run(s.command);
    } catch (const sim::ScriptError& e) {
      std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), s.line, e.message.c_str());
      return 2;
    }
    violated |= out.find("INVARIANT VIOLATED") != std::string::npos;
    std::printf("%s\n----\n%s\n\n", s.command.c_str(), out.c_str());
  }
  return violated ? 1 : 0;
}

// -i: one command per line; after each, its output and the cluster.
int interactive() {
  sim::InteractionEnv env;
  const bool tty = isatty(0);
  std::printf(
      "etcetera-sim: the interaction-script commands, one per line (docs/scripts.md).\n"
      "Start with 'add-nodes 3', then e.g. 'campaign 1', 'stabilize', 'run 5', 'partition 1 2,3'.\n"
      "'help' lists the commands, 'quit' leaves.\n");
  std::string line;
  for (;;) {
    if (tty) std::printf("> ");
    std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    if (line.empty() || line[0] == '#') continue;
    if (line == "quit" || line == "exit") break;
    if (line == "help") {
      std::printf("%s", sim::InteractionEnv::help().c_str());
      continue;
    }
    if (!tty) std::printf("> %s\n", line.c_str());
    try {
      std::printf("%s\n", env.run(line).c_str());
    } catch (const sim::ScriptError& e) {
      std::printf("error: %s\n", e.message.c_str());
      continue;
    }
    std::printf("%s", env.summary().c_str());
  }
  return 0;
}

struct RandomArgs {
  ScheduleOptions options;
  std::size_t steps = 1000;
  std::uint64_t runs = 1;
  bool liveness = true;
  bool coverage = false;  // print how often each Raft.tla action and branch was taken
  std::string trace_path, save_path;
  int clients = 0;  // > 0: key-value nodes with this many clients
  int serializable_percent = 0;
  bool forward = false;  // writes taken by any node and forwarded (sim/forwarding.h)
  kv::Mutant kv_mutant = kv::Mutant::kNone;
  std::string history_path;
  bool keep_going = false;  // a kv run goes on past a spec violation, for the whole history
  int locks = 0;            // > 0: this many lock clients on one lock
  int pauses = 0;           // per mille per tick: a lock client's process pauses past its lease
  lock::Mutant lock_mutant = lock::Mutant::kNone;
};

// Leaders per term, commits and faults, from the run's checks and cluster.
void print_summary(const sim::ScheduleRunner& r, const sim::Outcome& out) {
  const auto& view = r.checks().view;
  std::printf("events: %zu, virtual time: %llu ticks\n", r.checks().events,
              static_cast<unsigned long long>(r.cluster().now()));
  std::printf("leaders per term:");
  for (const auto& [term, leaders] : view.leaders()) {
    std::printf(" %llu:", static_cast<unsigned long long>(term));
    for (std::size_t i = 0; i < leaders.size(); ++i)
      std::printf("%s%llu", i ? "," : "", static_cast<unsigned long long>(leaders[i]));
  }
  std::printf("\ncommitted entries: %zu, client requests: %zu, values still pending: %zu\n",
              view.committed().size(), static_cast<std::size_t>(r.requests()), r.pending().size());
  const auto& n = r.cluster().network().stats();
  const auto& f = r.cluster().fault_stats();
  std::printf(
      "faults: %llu crashes, %llu restarts, %llu partitions; messages: %llu sent, %llu lost, "
      "%llu duplicated, %llu cut by partitions or crashes, %llu dropped\n",
      static_cast<unsigned long long>(f.crashes), static_cast<unsigned long long>(f.restarts),
      static_cast<unsigned long long>(f.partitions), static_cast<unsigned long long>(n.sent),
      static_cast<unsigned long long>(n.lost), static_cast<unsigned long long>(n.duplicated),
      static_cast<unsigned long long>(n.cut), static_cast<unsigned long long>(n.dropped));
  if (out.liveness.bounds.leader > 0)
    std::printf(
        "liveness: leader after %llu ticks (bound %llu), all committed after %llu (bound %llu)%s\n",
        static_cast<unsigned long long>(out.liveness.leader_after),
        static_cast<unsigned long long>(out.liveness.bounds.leader),
        static_cast<unsigned long long>(out.liveness.commit_after),
        static_cast<unsigned long long>(out.liveness.bounds.commit),
        out.liveness.rejoin_checked ? ", rejoin disrupted nothing" : "");
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// A failing schedule: shrink it, save it as a script (and its trace).
int report_failure(const RandomArgs& a, const ScheduleOptions& o, std::vector<sim::Step> steps,
                   const std::string& failure) {
  std::printf("FAILED %s\n", failure.c_str());
  std::printf("shrinking %zu steps...\n", steps.size());
  std::fflush(stdout);
  Progress bar("shrinking");
  const auto small =
      sim::shrink(o, steps, a.liveness, 3000, [&](std::size_t size, std::size_t runs) {
        bar.update(steps.size() - size, steps.size());
        (void)runs;
      });
  std::unique_ptr<sim::ScheduleRunner> runner;
  std::ofstream trace_file;
  std::unique_ptr<raft::JsonLinesSink> sink;
  const std::string save =
      a.save_path.empty() ? "counterexample-seed" + std::to_string(o.seed) + ".txt" : a.save_path;
  const std::string trace = a.trace_path.empty() ? save + ".jsonl" : a.trace_path;
  trace_file.open(trace);
  sink = std::make_unique<raft::JsonLinesSink>(trace_file);
  const auto out = sim::check_schedule(o, small, a.liveness, &runner, sink.get());
  const std::string why = out.failure ? *out.failure : failure;
  const std::string comment =
      "A counterexample found by etcetera-sim --seed " + std::to_string(o.seed) + " --faults " +
      o.profile +
      (o.mutant == raft::Mutant::kNone ? std::string()
                                       : " --bug " + std::string(raft::mutant_name(o.mutant))) +
      ",\nshrunk from " + std::to_string(steps.size()) + " to " + std::to_string(small.size()) +
      " steps. It fails with\n  " + why + "\nReplay it with: etcetera-sim " + save;
  if (!write_file(save, runner->script(comment))) {
    std::fprintf(stderr, "etcetera-sim: cannot write %s\n", save.c_str());
    return 2;
  }
  std::printf("shrunk to %zu steps: %s\nsaved the script to %s and its trace to %s\n", small.size(),
              why.c_str(), save.c_str(), trace.c_str());
  return 1;
}

int run_random(const RandomArgs& a) {
  Progress bar("schedules");
  std::uint64_t total_events = 0;
  spec::Coverage coverage;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t k = 0; k < a.runs; ++k) {
    ScheduleOptions o = a.options;
    o.seed = a.options.seed + k;
    raft::Rng rng(o.seed);
    const auto steps = sim::random_schedule(rng, a.steps, o.profile);
    std::ofstream trace_file;
    std::unique_ptr<raft::JsonLinesSink> sink;
    if (!a.trace_path.empty() && a.runs == 1) {
      trace_file.open(a.trace_path);
      if (!trace_file) {
        std::fprintf(stderr, "etcetera-sim: cannot write %s\n", a.trace_path.c_str());
        return 2;
      }
      sink = std::make_unique<raft::JsonLinesSink>(trace_file);
    }
    std::unique_ptr<sim::ScheduleRunner> runner;
    const auto out = sim::check_schedule(o, steps, a.liveness, &runner, sink.get());
    total_events += runner->checks().events;
    coverage.merge(runner->checks().view.coverage());
    if (a.runs == 1) print_summary(*runner, out);
    if (out.failure) {
      if (a.runs > 1) std::printf("seed %llu: ", static_cast<unsigned long long>(o.seed));
      RandomArgs one = a;
      if (a.runs > 1) one.trace_path.clear();
      return report_failure(one, o, steps, *out.failure);
    }
    bar.update(k + 1, a.runs);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("ok: %llu schedule%s of %zu steps, every invariant held after every event%s\n",
              static_cast<unsigned long long>(a.runs), a.runs == 1 ? "" : "s", a.steps,
              a.liveness ? ", and liveness held once stable" : "");
  if (a.coverage)
    std::printf("Raft.tla actions and branches taken (0: never reached):\n%s",
                coverage.table().c_str());
  if (a.runs > 1)
    std::printf("%.0f schedules/s, %.0f events/s\n", static_cast<double>(a.runs) / secs,
                static_cast<double>(total_events) / secs);
  return 0;
}

// --trace FILE for a client run: the file and the sink writing to it, or
// neither without a path. open() says why it cannot write, and fails.
struct TraceFile {
  std::ofstream file;
  std::unique_ptr<raft::JsonLinesSink> sink;
  bool open(const std::string& path) {
    if (path.empty()) return true;
    file.open(path);
    if (!file) {
      std::fprintf(stderr, "etcetera-sim: cannot write %s\n", path.c_str());
      return false;
    }
    sink = std::make_unique<raft::JsonLinesSink>(file);
    return true;
  }
};

// Key-value clients on a fault schedule: prints what they did and writes
// their history (sim/kv_run.h).
int run_kv_clients(const RandomArgs& a) {
  sim::KvRunOptions o;
  o.schedule = a.options;
  o.steps = a.steps;
  o.workload.clients = a.clients;
  o.workload.serializable_percent = a.serializable_percent;
  o.workload.forward = a.forward;
  o.workload.mutant = a.kv_mutant;
  o.stop_at_violation = !a.keep_going;
  TraceFile trace;
  if (!trace.open(a.trace_path)) return 2;
  const auto result = sim::run_kv(o, trace.sink.get());
  const auto& s = result.stats;
  std::printf("operations: %llu invoked, %llu ok, %llu failed, %llu unknown (timed out)",
              static_cast<unsigned long long>(s.invoked), static_cast<unsigned long long>(s.ok),
              static_cast<unsigned long long>(s.failed),
              static_cast<unsigned long long>(s.unknown));
  if (!a.forward)
    std::printf("; %llu proposals redirected to the leader",
                static_cast<unsigned long long>(s.redirects));
  std::printf("\n");
  if (a.forward) {
    const auto& f = s.forwarding;
    std::printf(
        "forwarding: %llu forwards to the leader, %llu attempts sent again, %llu refused "
        "(not leader), %llu lost on the wire; %llu copies applied as nothing, %llu of them "
        "refused as late\n",
        static_cast<unsigned long long>(f.forwarded), static_cast<unsigned long long>(f.resent),
        static_cast<unsigned long long>(f.refused), static_cast<unsigned long long>(f.lost),
        static_cast<unsigned long long>(f.duplicates), static_cast<unsigned long long>(f.late));
  }
  std::printf("store revision at the end: %lld\n", static_cast<long long>(result.revision));
  if (!a.history_path.empty()) {
    std::ofstream out(a.history_path);
    out << result.history.to_json_lines();
    if (!out) {
      std::fprintf(stderr, "etcetera-sim: cannot write %s\n", a.history_path.c_str());
      return 2;
    }
    std::printf("history: %zu events written to %s\n", result.history.events().size(),
                a.history_path.c_str());
  }
  if (result.violation) {
    std::printf("violation: %s\n", result.violation->c_str());
    return 1;
  }
  std::printf("ok: every raft invariant held after every event, and the replicas agree%s\n",
              a.forward ? "; every write applied at most once, as its client was told" : "");
  return 0;
}

// Lock clients on a fault schedule (sim/lock_run.h): what each believed and
// what the protected resource accepted, then the properties of
// docs/locks.md. Exit 1 if the fenced resource or the lock order failed.
int run_lock_clients(const RandomArgs& a) {
  sim::LockRunOptions o;
  o.schedule = a.options;
  o.steps = a.steps;
  o.workload.clients = a.locks;
  o.workload.pause_per_mille = a.pauses;
  o.workload.mutant = a.lock_mutant;
  TraceFile trace;
  if (!trace.open(a.trace_path)) return 2;
  const auto run = sim::run_lock(o, trace.sink.get());
  std::printf("%s", sim::describe_run(run).c_str());
  bool failed = false;
  auto report = [&](const char* what, const std::optional<std::string>& problem, bool must_hold) {
    std::printf("%-44s %s\n", what, problem ? problem->c_str() : "holds");
    failed = failed || (problem && must_hold);
  };
  std::optional<std::string> overlap;
  if (auto o2 = sim::find_overlapping_beliefs(run.beliefs)) {
    overlap = "clients " + std::to_string(o2->earlier.client) + " and " +
              std::to_string(o2->later.client) + " believed at once (tokens " +
              std::to_string(o2->earlier.token) + " and " + std::to_string(o2->later.token) + ")";
  }
  report("mutual exclusion (a lease alone cannot):", overlap, false);
  report("fenced resource:", sim::check_fenced_writes(run.writes), true);
  report("granted only with the waiter's key alive:",
         sim::check_acquired_with_own_key(run.acquires), true);
  if (run.violation) report("raft spec:", run.violation, true);
  return failed ? 1 : 0;
}

std::optional<std::uint64_t> number(const std::string& s) {
  try {
    std::size_t used = 0;
    const auto v = std::stoull(s, &used);
    if (used == s.size()) return v;
  } catch (...) {
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  RandomArgs a;
  std::string script;
  bool random = false;
  auto fail = [](const std::string& why) {
    std::fprintf(stderr, "etcetera-sim: %s\n%s", why.c_str(), kUsage);
    return 2;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto count = [&](const char* what) -> std::optional<std::uint64_t> {
      const auto v = value();
      if (!v) return std::nullopt;
      auto n = number(*v);
      if (!n) std::fprintf(stderr, "etcetera-sim: %s takes a number, not '%s'\n", what, v->c_str());
      return n;
    };
    if (arg == "--list-bugs") return list_bugs();
    if (arg == "--list-faults") return list_faults();
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    }
    if (arg == "-i") return interactive();
    if (arg == "--seed") {
      auto n = count("--seed");
      if (!n) return fail("--seed needs a number");
      a.options.seed = *n;
      random = true;
    } else if (arg == "--nodes") {
      auto n = count("--nodes");
      if (!n || *n < 1 || *n > 7) return fail("--nodes takes 1 to 7");
      a.options.nodes = static_cast<int>(*n);
    } else if (arg == "--steps") {
      auto n = count("--steps");
      if (!n || *n < 1) return fail("--steps takes a positive number");
      a.steps = *n;
    } else if (arg == "--runs") {
      auto n = count("--runs");
      if (!n || *n < 1) return fail("--runs takes a positive number");
      a.runs = *n;
    } else if (arg == "--faults") {
      auto v = value();
      if (!v || !sim::fault_profile(*v)) return fail("--faults takes a profile (--list-faults)");
      a.options.profile = *v;
    } else if (arg == "--bug") {
      auto v = value();
      auto m = v ? raft::mutant_by_name(*v) : std::nullopt;
      if (!m) return fail("--bug takes a mutant's name (--list-bugs)");
      a.options.mutant = *m;
    } else if (arg == "--trace") {
      auto v = value();
      if (!v) return fail("--trace needs a file");
      a.trace_path = *v;
    } else if (arg == "--save") {
      auto v = value();
      if (!v) return fail("--save needs a file");
      a.save_path = *v;
    } else if (arg == "--clients") {
      auto n = count("--clients");
      if (!n || *n < 1 || *n > 100) return fail("--clients takes 1 to 100");
      a.clients = static_cast<int>(*n);
    } else if (arg == "--serializable") {
      auto n = count("--serializable");
      if (!n || *n > 100) return fail("--serializable takes a percentage of reads, 0 to 100");
      a.serializable_percent = static_cast<int>(*n);
    } else if (arg == "--history") {
      auto v = value();
      if (!v) return fail("--history needs a file");
      a.history_path = *v;
    } else if (arg == "--locks") {
      auto n = count("--locks");
      if (!n || *n < 1 || *n > 20) return fail("--locks takes 1 to 20");
      a.locks = static_cast<int>(*n);
    } else if (arg == "--pauses") {
      auto n = count("--pauses");
      if (!n || *n > 1000) return fail("--pauses takes a chance per tick in per mille, 0 to 1000");
      a.pauses = static_cast<int>(*n);
    } else if (arg == "--lock-bug") {
      auto v = value();
      auto m = v ? lock::mutant_by_name(*v) : std::nullopt;
      if (!m) return fail("--lock-bug takes one of:" + raft::mutant_names(lock::all_mutants()));
      a.lock_mutant = *m;
    } else if (arg == "--forward") {
      a.forward = true;
    } else if (arg == "--kv-bug") {
      auto v = value();
      auto m = v ? kv::mutant_by_name(*v) : std::nullopt;
      if (!m) return fail("--kv-bug takes one of:" + raft::mutant_names(kv::all_mutants()));
      a.kv_mutant = *m;
    } else if (arg == "--keep-going") {
      a.keep_going = true;
    } else if (arg == "--coverage") {
      a.coverage = true;
    } else if (arg == "--no-liveness") {
      a.liveness = false;
    } else if (arg == "--pre-vote=false") {
      a.options.pre_vote = false;
    } else if (arg == "--check-quorum=false") {
      a.options.check_quorum = false;
    } else if (!arg.starts_with("-") && script.empty()) {
      script = arg;
    } else {
      return fail("unknown argument '" + arg + "'");
    }
  }
  if (!script.empty() && random) return fail("give a SCRIPT or --seed, not both");
  if (!script.empty()) return run_script(script, a.trace_path);
  if (!random) return fail("give a SCRIPT, -i, or --seed S");
  if (a.clients == 0 && (!a.history_path.empty() || a.serializable_percent > 0 || a.keep_going ||
                         a.forward))
    return fail("--history, --serializable, --keep-going and --forward need --clients");
  if (!a.forward && a.kv_mutant != kv::Mutant::kNone)
    return fail("--kv-bug needs --forward: the bug is in how a node resends a forwarded write");
  if (a.locks == 0 && (a.pauses > 0 || a.lock_mutant != lock::Mutant::kNone))
    return fail("--pauses and --lock-bug need --locks");
  if (a.locks > 0) {
    if (a.clients > 0) return fail("give --clients or --locks, not both");
    if (a.runs > 1) return fail("--locks runs one schedule; leave out --runs");
    return run_lock_clients(a);
  }
  if (a.clients > 0) {
    if (a.runs > 1) return fail("--clients runs one schedule; leave out --runs");
    return run_kv_clients(a);
  }
  return run_random(a);
}
