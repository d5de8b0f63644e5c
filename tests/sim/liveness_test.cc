// Liveness under eventual stability (sim/liveness.h): after any schedule of
// faults, once the network heals and crashed nodes restart, a leader is
// established and every pending value commits within the derived bounds,
// and with PreVote a follower that rejoins does not disrupt the leader.
#include <catch2/catch.hpp>
#include <cstdio>

#include "sim/liveness.h"

namespace {

using etcetera::sim::ScheduleOptions;

struct Observed {
  int schedules = 0;
  int rejoins = 0;
  etcetera::sim::Time max_leader = 0, max_commit = 0;
  std::size_t max_pending = 0;
};

}  // namespace

TEST_CASE("after any fault schedule, a stable cluster elects a leader and commits everything") {
  for (const auto& profile : etcetera::sim::fault_profiles()) {
    Observed seen;
    for (int k = 1; k <= 150; ++k) {
      ScheduleOptions o;
      o.nodes = 3 + k % 3;
      o.pre_vote = k % 4 != 0;
      o.check_quorum = k % 3 != 0;
      o.seed = static_cast<std::uint64_t>(k);
      o.profile = std::string(profile.name);
      etcetera::sim::ScheduleRunner runner(o);
      etcetera::raft::Rng rng(o.seed);
      for (const auto& s : etcetera::sim::random_schedule(rng, 300, profile.name))
        runner.run(s);
      const auto report = etcetera::sim::check_liveness(runner);
      INFO("profile " << profile.name << ", schedule " << k);
      REQUIRE_FALSE(runner.violation().has_value());
      if (report.failure) FAIL(*report.failure << "\n" << runner.script("failing run"));
      ++seen.schedules;
      seen.rejoins += report.rejoin_checked ? 1 : 0;
      seen.max_leader = std::max(seen.max_leader, report.leader_after);
      seen.max_commit = std::max(seen.max_commit, report.commit_after);
      seen.max_pending = std::max(seen.max_pending, report.pending);
    }
    std::printf(
        "profile %-10s %d schedules: leader after <= %llu ticks, all committed after <= %llu "
        "(up to %zu pending), %d rejoin checks\n",
        std::string(profile.name).c_str(), seen.schedules,
        static_cast<unsigned long long>(seen.max_leader),
        static_cast<unsigned long long>(seen.max_commit), seen.max_pending, seen.rejoins);
  }
}
