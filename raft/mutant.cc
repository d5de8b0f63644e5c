#include "raft/mutant.h"

#include "raft/mutant_table.h"

namespace etcetera::raft {

const std::vector<MutantInfo>& all_mutants() {
  static const std::vector<MutantInfo> all = {
      {Mutant::kFigure8Commit, "figure8",
       "a leader commits an entry of an earlier term once a majority holds it (Figure 8)",
       Breaks::kSafety},
      {Mutant::kForgetVote, "forget-vote", "a restarted node forgets whom it voted for",
       Breaks::kSafety},
      {Mutant::kVoteWithoutLogCheck, "vote-any-log",
       "votes are granted without checking that the candidate's log is up to date",
       Breaks::kSafety},
      {Mutant::kTruncateOnStaleAppend, "truncate-stale-append",
       "a follower cuts its log after a late AppendEntries, even where it matched",
       Breaks::kSafety},
      {Mutant::kReadWithoutHeartbeat, "read-no-heartbeat",
       "ReadIndex answers without a heartbeat round, so a deposed leader serves stale reads",
       Breaks::kSafety},
      {Mutant::kLeaderNoStepDown, "leader-no-step-down",
       "a leader that sees a newer term adopts it but stays leader, so a term can have two",
       Breaks::kSafety},
      {Mutant::kNoPreVote, "no-prevote",
       "nodes campaign without a pre-vote even when it is on, so a node back from a partition "
       "deposes the leader",
       Breaks::kLiveness},
  };
  return all;
}

std::optional<Mutant> mutant_by_name(std::string_view name) {
  return find_mutant(all_mutants(), name);
}

std::string_view mutant_name(Mutant mutant) {
  return name_of_mutant(all_mutants(), mutant);
}

}  // namespace etcetera::raft
