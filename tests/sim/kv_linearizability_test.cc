// The simulator's key-value histories through the linearizability checker
// (spec/linearizability/): what clients saw on a correct cluster is always
// linearizable, under every fault profile; with the stale-read mutant (a
// leader answering ReadIndex without the heartbeat round that confirms it
// still leads) a deposed leader serves old values, and the checker finds the
// violation from the clients' history alone. Histories go through the JSON
// lines the simulator writes, as `etcetera-check` would read them.
#include <catch2/catch.hpp>

#include "sim/kv_run.h"
#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"
#include "visualizer/history_view.h"

namespace etcetera::sim {
namespace {

namespace lin = spec::lin;

lin::History as_checker_reads_it(const History& history) {
  auto parsed = lin::parse_history(history.to_json_lines(), lin::Format::kJsonl);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// A step budget, not a clock, so that the verdict is the same on every
// machine; the histories here need a few hundred thousand steps at most.
lin::Budget budget() {
  lin::Budget b;
  b.max_steps = 20'000'000;
  return b;
}

TEST_CASE("what clients see is linearizable, under every fault profile", "[kv-sim][lin]") {
  for (const auto& profile : fault_profiles()) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      KvRunOptions o;
      o.schedule.profile = profile.name;
      o.schedule.seed = seed;
      o.steps = 500;
      o.workload.clients = 6;
      const auto run = run_kv(o);
      INFO(profile.name << " seed " << seed << "\n" << run.script);
      REQUIRE_FALSE(run.violation.has_value());
      const lin::History history = as_checker_reads_it(run.history);
      // Both models: etcd holds every answer to its revision; kv checks each
      // key alone, by value.
      for (const char* model : {"etcd", "kv"}) {
        INFO("model " << model);
        CHECK(lin::check(*lin::model_by_name(model), history, budget()).verdict ==
              lin::Verdict::kLinearizable);
      }
    }
  }
}

// The mutant's runs: a leader cut off from the others keeps leading (no
// CheckQuorum), partitions last long enough for a new leader to commit, and
// the run goes on past the spec's own ReadIndex invariant, so that the
// clients' history is whole.
KvRunOptions stale_read_run(std::uint64_t seed, bool mutant) {
  KvRunOptions o;
  o.schedule.profile = "long-partitions";
  o.schedule.seed = seed;
  o.schedule.check_quorum = false;
  if (mutant) o.schedule.mutant = raft::Mutant::kReadWithoutHeartbeat;
  o.steps = 600;
  o.workload.clients = 8;
  o.stop_at_violation = false;
  return o;
}

TEST_CASE("the stale-read mutant shows to clients, and its violation is drawn", "[kv-sim][lin]") {
  std::optional<std::uint64_t> found;
  for (std::uint64_t seed = 1; seed <= 10 && !found; ++seed) {
    const auto run = run_kv(stale_read_run(seed, true));
    const lin::History history = as_checker_reads_it(run.history);
    const auto model = lin::model_by_name("etcd");
    const auto result = lin::check(*model, history, budget());
    REQUIRE(result.verdict != lin::Verdict::kUnknown);
    if (result.verdict != lin::Verdict::kNotLinearizable) continue;
    found = seed;
    // The spec saw the same bug inside the cluster.
    REQUIRE(run.violation.has_value());
    CHECK(run.violation->starts_with("ReadIndexInv"));
    // The failing part draws, the operation that cannot follow in red. (It
    // need not be the stale get itself: the search may explain the get by
    // an order that then strands a later write.)
    const auto& part = result.parts[*result.failing_part];
    REQUIRE(part.stuck.has_value());
    const std::string html = viz::history_html(history, part, *model, "stale read");
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("class=\"op stuck\"") != std::string::npos);
  }
  REQUIRE(found.has_value());
  // The same schedule without the mutant: nothing to find.
  const auto control = run_kv(stale_read_run(*found, false));
  REQUIRE_FALSE(control.violation.has_value());
  CHECK(lin::check(*lin::model_by_name("etcd"), as_checker_reads_it(control.history), budget())
            .verdict == lin::Verdict::kLinearizable);
}

}  // namespace
}  // namespace etcetera::sim
