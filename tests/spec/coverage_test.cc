// Spec coverage (spec/coverage.h): the table lists every action and branch
// of Raft.tla, zeros included, and a campaign of random schedules shows
// which of them the schedules reach. The campaign prints its table: the
// zeros are what the random schedules never exercise.
#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>

#include "sim/schedule.h"
#include "spec/coverage.h"

namespace {

using etcetera::spec::Branch;
using etcetera::spec::Coverage;

}  // namespace

TEST_CASE("the coverage table lists every action and branch, aligned, zeros included") {
  Coverage c;
  c.add(Branch::kTimeoutPreVote);
  c.add(Branch::kTimeoutPreVote);
  c.add(Branch::kBecomeLeaderQuorum);
  CHECK(c.count(Branch::kTimeoutPreVote) == 2);
  CHECK(c.count("Timeout") == 2);
  CHECK(c.count("DropMessage") == 0);

  std::istringstream table(c.table());
  std::vector<std::string> lines;
  for (std::string line; std::getline(table, line);)
    lines.push_back(line);
  REQUIRE(lines.size() == etcetera::spec::spec_actions().size() + etcetera::spec::kBranchCount);
  for (const auto& line : lines)
    CHECK(line.size() == lines.front().size());  // counts end in one column
  CHECK(lines[0].starts_with("Timeout "));
  CHECK(lines[0].ends_with(" 2"));
  CHECK(lines[1].starts_with("  PreVote: BecomePreCandidate "));
  CHECK(c.unreached().size() == etcetera::spec::kBranchCount - 2);

  Coverage d;
  d.add(Branch::kTimeoutPreVote);
  d.merge(c);
  CHECK(d.count(Branch::kTimeoutPreVote) == 3);
  CHECK(d.count(Branch::kBecomeLeaderQuorum) == 1);
}

TEST_CASE("random schedules reach the spec's main branches") {
  Coverage total;
  for (int k = 1; k <= 200; ++k) {
    etcetera::sim::ScheduleOptions o;
    o.nodes = 3 + k % 3;
    o.pre_vote = k % 2 == 0;
    o.check_quorum = (k / 2) % 2 == 0;
    o.seed = static_cast<std::uint64_t>(k);
    etcetera::raft::Rng rng(static_cast<std::uint64_t>(k));
    const auto steps = etcetera::sim::random_schedule(rng, 200 + rng.in_range(0, 800));
    etcetera::sim::CheckingSink sink;
    INFO("schedule " << k);
    REQUIRE_FALSE(etcetera::sim::run_schedule(o, steps, &sink).has_value());
    total.merge(sink.view.coverage());  // what a CheckingSink holds after a run
  }
  std::printf("Raft.tla coverage by 200 random schedules:\n%s", total.table().c_str());
  for (Branch b :
       {Branch::kBecomePreCandidateFromFollower, Branch::kBecomeCandidateAfterPreVote,
        Branch::kBecomeLeaderQuorum, Branch::kUpdateTermLeader, Branch::kRequestVoteRefusedLog,
        Branch::kAppendRequestAppends, Branch::kAppendRequestRejects,
        Branch::kAdvanceCommitIndexCommits, Branch::kSnapshotRequestReplacesLog,
        Branch::kApplyConfChangeApplied, Branch::kLeaveJointAppended, Branch::kRestartFromSnapshot,
        Branch::kCheckQuorumStepsDown}) {
    INFO(etcetera::spec::branch_info(b).action << ": " << etcetera::spec::branch_info(b).branch);
    CHECK(total.count(b) > 0);
  }
}
