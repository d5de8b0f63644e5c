// Whole runs and scripts: a random fault schedule with key-value clients
// (sim/kv_run.h), and the interaction-script language (docs/scripts.md),
// which tells a scenario message by message, as the paper's figures do.
// Also the lists a notebook picks from: the bugs and the fault profiles.
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include "python/bindings.h"
#include "raft/mutant.h"
#include "sim/kv_run.h"
#include "sim/schedule.h"
#include "sim/script/env.h"

namespace etcetera::python {
namespace {

struct KvRun {
  sim::History history;
  std::optional<std::string> violation;
  std::string script;
  std::int64_t revision = 0;
  sim::KvWorkloadStats stats;
  std::vector<raft::pb::Event> events;
  bool traced = false;
};

KvRun run_kv(std::uint64_t seed, std::size_t steps, const std::string& profile, int nodes,
             const std::optional<std::string>& bug, bool pre_vote, bool check_quorum, int clients,
             int keys, int serializable_percent, bool keep_going, bool trace) {
  if (!sim::fault_profile(profile)) {
    std::vector<std::string> known;
    for (const auto& p : sim::fault_profiles())
      known.emplace_back(p.name);
    throw Error("no fault profile '" + profile + "': " + name_list(known));
  }
  if (clients < 1 || keys < 1) throw Error("clients and keys must be at least 1");
  sim::KvRunOptions o;
  o.schedule.seed = seed;
  o.schedule.profile = profile;
  o.schedule.nodes = node_count(nodes);
  o.schedule.pre_vote = pre_vote;
  o.schedule.check_quorum = check_quorum;
  o.schedule.mutant = raft_bug(bug);
  o.steps = steps;
  o.workload.clients = clients;
  o.workload.keys = keys;
  percent(serializable_percent, "serializable_percent");
  o.workload.serializable_percent = serializable_percent;
  o.stop_at_violation = !keep_going;
  raft::TraceBuffer buffer;
  KvRun out;
  {
    py::gil_scoped_release unlocked;
    auto r = sim::run_kv(o, trace ? &buffer : nullptr);
    out.history = std::move(r.history);
    out.violation = std::move(r.violation);
    out.script = std::move(r.script);
    out.revision = r.revision;
    out.stats = r.stats;
  }
  out.events = buffer.take();
  out.traced = trace;
  return out;
}

// An interaction script, run one command at a time, with its trace kept.
class Script {
 public:
  Script() { env_.set_tee(&trace_); }
  std::string run(const std::string& text) {
    std::string out;
    std::size_t line_no = 0;
    std::size_t from = 0;
    while (from <= text.size()) {
      std::size_t to = text.find('\n', from);
      if (to == std::string::npos) to = text.size();
      std::string line = text.substr(from, to - from);
      from = to + 1;
      ++line_no;
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#') continue;
      try {
        const std::string printed = env_.run(line);
        out += (out.empty() ? "" : "\n") + ("> " + line.substr(first)) + "\n" + printed;
      } catch (const sim::ScriptError& e) {
        throw Error("line " + std::to_string(line_no) + " (" + line + "): " + e.message);
      } catch (const std::exception& e) {
        throw Error("line " + std::to_string(line_no) + " (" + line + "): " + e.what());
      }
    }
    return out;
  }
  const raft::TraceBuffer& trace() const { return trace_; }

 private:
  raft::TraceBuffer trace_;  // declared first: the environment sends it every event
  sim::InteractionEnv env_;
};

}  // namespace

void bind_runs(py::module_& m) {
  py::class_<KvRun>(m, "KvRun", "A key-value run on a random fault schedule (run_kv()).")
      .def_readonly("history", &KvRun::history)
      .def_readonly("violation", &KvRun::violation,
                    "The first raft invariant that broke, or replicas that differ, or None.")
      .def_readonly("script", &KvRun::script,
                    "The schedule as an interaction script, to replay it step by step.")
      .def_readonly("revision", &KvRun::revision, "The store's revision at the end.")
      .def_property_readonly(
          "stats",
          [](const KvRun& r) {
            py::dict d;
            d["invoked"] = r.stats.invoked;
            d["ok"] = r.stats.ok;
            d["failed"] = r.stats.failed;
            d["unknown"] = r.stats.unknown;
            d["redirects"] = r.stats.redirects;
            return d;
          },
          "How the clients' operations ended.")
      .def(
          "trace",
          [](const KvRun& r) {
            if (!r.traced) throw Error("this run kept no trace: pass trace=True to run_kv()");
            return make_trace(r.events);
          },
          "The run's events (with trace=True).");

  m.def("run_kv", &run_kv, py::kw_only(), py::arg("seed") = 1, py::arg("steps") = 400,
        py::arg("profile") = "chaos", py::arg("nodes") = 3, py::arg("bug") = py::none(),
        py::arg("pre_vote") = true, py::arg("check_quorum") = true, py::arg("clients") = 3,
        py::arg("keys") = 2, py::arg("serializable_percent") = 0, py::arg("keep_going") = false,
        py::arg("trace") = false,
        R"(Key-value clients on a random fault schedule (sim/kv_run.h), as etcetera-sim --clients
runs them. profile: a fault profile (etcetera.profiles()); bug: a raft bug (etcetera.bugs());
keep_going: run the schedule to its end past a spec violation, for the whole history;
trace: keep the events (for drawing).)");

  py::class_<Script>(m, "Script",
                     "The interaction-script language (docs/scripts.md): a scenario told "
                     "command by command, each printing what it caused.")
      .def(py::init<>())
      .def("run", &Script::run, py::arg("commands"),
           "Runs one command or many (one a line; # starts a comment) and returns what they "
           "printed, each after its command.")
      .def(
          "trace", [](const Script& s) { return make_trace(s.trace().events()); },
          "Every event so far, as a Trace.");

  m.def(
      "bugs",
      [] {
        py::list out;
        for (const auto& info : raft::all_mutants()) {
          py::dict d;
          d["name"] = std::string(info.name);
          d["description"] = std::string(info.description);
          d["breaks"] = info.breaks == raft::Breaks::kSafety ? "safety" : "liveness";
          out.append(d);
        }
        return out;
      },
      "The classic raft bugs that can be switched on (raft/mutant.h).");
  m.def(
      "profiles",
      [] {
        py::list out;
        for (const auto& p : sim::fault_profiles()) {
          py::dict d;
          d["name"] = std::string(p.name);
          d["description"] = std::string(p.description);
          out.append(d);
        }
        return out;
      },
      "The fault profiles of run_kv() (sim/schedule.h).");
}

}  // namespace etcetera::python
