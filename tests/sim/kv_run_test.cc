// Key-value clients on a simulated cluster (sim/kv_run.h): under every fault
// profile the clients' histories are well formed and consistent with what
// the store did, and the replicas end up with the same store.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "sim/kv_run.h"

namespace etcetera::sim {
namespace {

using Function = HistoryEvent::Function;
using Type = HistoryEvent::Type;

// Each client sees the store move forward: the revisions of one process's
// linearizable answers never decrease (a stale read would go back).
std::optional<std::string> check_sessions_move_forward(const History& history) {
  std::map<std::uint64_t, std::int64_t> last;
  for (const auto& e : history.events()) {
    if (e.type != Type::kOk || e.serializable) continue;
    if (e.revision < last[e.process]) {
      return "process " + std::to_string(e.process) + " saw revision " +
             std::to_string(e.revision) + " after " + std::to_string(last[e.process]) +
             " (at time " + std::to_string(e.time) + ")";
    }
    last[e.process] = e.revision;
  }
  return std::nullopt;
}

// Every value a get returns was written by a put or cas invoked before the
// get returned: the store never makes values up or mixes keys.
std::optional<std::string> check_reads_come_from_writes(const History& history) {
  std::set<std::pair<std::string, std::string>> written;
  for (const auto& e : history.events()) {
    if (e.type == Type::kInvoke && (e.f == Function::kPut || e.f == Function::kCas)) {
      written.insert({e.key, *e.value});
    }
    if (e.type == Type::kOk && e.f == Function::kGet && e.value &&
        !written.contains({e.key, *e.value})) {
      return "a get of " + e.key + " returned " + *e.value + ", which nobody wrote there";
    }
  }
  return std::nullopt;
}

TEST_CASE("on a healthy cluster every client operation completes", "[kv-sim]") {
  KvRunOptions o;
  o.schedule.profile = "none";
  o.schedule.seed = 7;
  o.steps = 600;
  const auto result = run_kv(o);
  INFO(result.script);
  REQUIRE_FALSE(result.violation.has_value());
  CHECK(result.stats.invoked > 50);
  CHECK(result.stats.unknown == 0);
  CHECK(result.stats.ok + result.stats.failed == result.stats.invoked);
  CHECK_FALSE(result.history.check_well_formed().has_value());
  CHECK_FALSE(check_sessions_move_forward(result.history).has_value());
  CHECK_FALSE(check_reads_come_from_writes(result.history).has_value());
  CHECK(result.revision > 10);
}

TEST_CASE("under every fault profile the histories hold together and the replicas agree",
          "[kv-sim]") {
  for (const auto& profile : fault_profiles()) {
    KvWorkloadStats total;
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      KvRunOptions o;
      o.schedule.profile = std::string(profile.name);
      o.schedule.seed = seed;
      o.schedule.nodes = 3 + static_cast<int>(seed % 3);
      o.workload.serializable_percent = seed % 4 == 0 ? 30 : 0;
      const auto result = run_kv(o);
      INFO("profile " << profile.name << ", seed " << seed << "\n" << result.script);
      REQUIRE_FALSE(result.violation.has_value());
      auto well_formed = result.history.check_well_formed();
      REQUIRE_FALSE(well_formed.has_value());
      auto forward = check_sessions_move_forward(result.history);
      REQUIRE_FALSE(forward.has_value());
      auto from_writes = check_reads_come_from_writes(result.history);
      REQUIRE_FALSE(from_writes.has_value());
      total.invoked += result.stats.invoked;
      total.ok += result.stats.ok;
      total.unknown += result.stats.unknown;
    }
    INFO("profile " << profile.name);
    CHECK(total.ok > total.invoked / 3);  // the faults slow clients down, never stop them
    if (profile.name == "crashes" || profile.name == "chaos") CHECK(total.unknown > 0);
  }
}

TEST_CASE("histories are written as JSON lines a checker can read", "[kv-sim]") {
  HistoryEvent invoke;
  invoke.process = 3;
  invoke.f = Function::kCas;
  invoke.key = "k1";
  invoke.expected = "v1";
  invoke.value = "v2";
  invoke.time = 12;
  CHECK(to_json_line(invoke) ==
        R"({"process":3,"type":"invoke","f":"cas","key":"k1","value":["v1","v2"],"time":12})");
  HistoryEvent read;
  read.process = 4;
  read.type = Type::kOk;
  read.key = "k2";
  read.time = 15;
  read.revision = 9;
  read.serializable = true;
  CHECK(
      to_json_line(read) ==
      R"({"process":4,"type":"ok","f":"get","key":"k2","value":null,"time":15,"revision":9,"consistency":"serializable"})");
}

TEST_CASE("a malformed history is reported with the event at fault", "[kv-sim]") {
  History h;
  HistoryEvent e;
  e.process = 1;
  e.key = "k1";
  h.add(e);
  e.type = Type::kInfo;
  h.add(e);
  e.type = Type::kInvoke;
  h.add(e);  // a process that timed out acts again
  auto problem = h.check_well_formed();
  REQUIRE(problem.has_value());
  CHECK(*problem == "event 3 (process 1): the process returned info earlier and acts again");
}

}  // namespace
}  // namespace etcetera::sim
