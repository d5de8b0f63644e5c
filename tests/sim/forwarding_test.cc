// Writes taken by any node and forwarded to the leader (sim/forwarding.h),
// under leader crashes, partitions, lost and doubled forwards: every
// request applies at most once, and every answer a client got is what the
// log did (sim/kv_run.h, check_writes_match_store). With the proposer that
// gives a resent write a new id (kv::Mutant::kReproposeAsNew, what the
// server once did) the same checks find a write applied twice.
#include <catch2/catch.hpp>

#include "sim/kv_run.h"
#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"

namespace etcetera::sim {
namespace {

namespace lin = spec::lin;

// Clients that give up after `timeout` ticks: a short one leaves copies of
// given-up writes in flight, and they must not apply after the client's
// node has moved on (kv/applied_requests.h, the floor).
KvRunOptions forwarding_run(const std::string& profile, std::uint64_t seed,
                            kv::Mutant mutant = kv::Mutant::kNone, Time timeout = 40) {
  KvRunOptions o;
  o.workload.timeout = timeout;
  o.workload.resend_after = std::min<Time>(8, timeout / 3);
  o.schedule.profile = profile;
  o.schedule.seed = seed;
  o.steps = 500;
  o.workload.clients = 6;
  o.workload.get_percent = 20;
  o.workload.forward = true;
  o.workload.mutant = mutant;
  return o;
}

const std::vector<std::string> kProfiles = {"crashes", "partitions", "lossy", "chaos"};

TEST_CASE("forwarded writes apply at most once, and every answer is what the log did",
          "[kv-sim][at-most-once]") {
  ForwardingStats total;
  std::uint64_t ok = 0, failed = 0, unknown = 0;
  for (const auto& profile : kProfiles) {
    for (std::uint64_t seed = 1; seed <= 16; ++seed) {
      const Time timeout = seed % 2 ? 40 : 9;
      const auto run = run_kv(forwarding_run(profile, seed, kv::Mutant::kNone, timeout));
      INFO(profile << " seed " << seed << " timeout " << timeout << "\n" << run.script);
      REQUIRE_FALSE(run.violation.has_value());
      auto history = lin::parse_history(run.history.to_json_lines(), lin::Format::kJsonl);
      REQUIRE(history.has_value());
      lin::Budget budget;
      budget.max_steps = 20'000'000;
      CHECK(lin::check(*lin::model_by_name("etcd"), *history, budget).verdict ==
            lin::Verdict::kLinearizable);
      const auto& s = run.stats.forwarding;
      total.forwarded += s.forwarded;
      total.resent += s.resent;
      total.duplicates += s.duplicates;
      total.late += s.late;
      total.lost += s.lost;
      ok += run.stats.ok;
      failed += run.stats.failed;
      unknown += run.stats.unknown;
    }
  }
  // The runs went where the bug was: forwards, resends after a leader change
  // or a loss, and copies that reached the log and applied as nothing.
  WARN("forwarded " << total.forwarded << ", resent " << total.resent << ", duplicates applied "
                    << total.duplicates << " (" << total.late << " late), lost " << total.lost << "; answers: " << ok
                    << " ok, " << failed << " failed, " << unknown << " unknown");
  CHECK(total.forwarded > 1000);
  CHECK(total.resent > 100);
  CHECK(total.duplicates > 10);
  CHECK(total.late > 0);
  CHECK(ok > 1000);
  CHECK(failed > 0);
  CHECK(unknown > 0);
}

TEST_CASE("a proposer that resends a write under a new id is caught applying it twice",
          "[kv-sim][at-most-once][mutant]") {
  std::optional<std::string> caught;
  int runs = 0;
  for (const auto& profile : kProfiles) {
    for (std::uint64_t seed = 1; seed <= 12 && !caught; ++seed) {
      ++runs;
      const auto run = run_kv(forwarding_run(profile, seed, kv::Mutant::kReproposeAsNew));
      caught = run.violation;
    }
    if (caught) break;
  }
  INFO("runs: " << runs);
  REQUIRE(caught.has_value());
  CHECK(caught->find("applied twice") != std::string::npos);
  WARN("repropose-as-new caught after " << runs << " runs: " << *caught);
}

}  // namespace
}  // namespace etcetera::sim
