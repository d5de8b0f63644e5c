// ProgressTracker: the leader's bookkeeping for the whole configuration — the
// voters, a Progress per member, and the votes of the current election.
#pragma once

#include <map>
#include <set>
#include <string>

#include "raft/progress.h"
#include "raft/quorum.h"

namespace etcetera::raft {

class ProgressTracker {
 public:
  ProgressTracker(MajorityConfig voters, std::size_t max_inflight)
      : voters_(std::move(voters)), max_inflight_(max_inflight) {}

  const MajorityConfig& voters() const { return voters_; }
  bool is_voter(NodeId id) const { return voters_.contains(id); }

  // Every member starts over in probe at `next` (a new leader does this).
  void reset_progress(Index next);
  Progress& progress(NodeId id) { return progress_.at(id); }
  const std::map<NodeId, Progress>& all_progress() const { return progress_; }

  // The index a majority has matched: the candidate for commitIndex.
  Index committed_index() const;

  // CheckQuorum: were a majority recently active? Clears the marks for the
  // next period; `self` always counts as active.
  bool quorum_active_and_reset(NodeId self);

  void reset_votes() { votes_.clear(); }
  void record_vote(NodeId id, bool granted) { votes_.try_emplace(id, granted); }
  VoteResult tally_votes() const { return voters_.vote_result(votes_); }
  std::string describe_votes() const;  // "granted (1 2) rejected (3)"

 private:
  MajorityConfig voters_;
  std::size_t max_inflight_;
  std::map<NodeId, Progress> progress_;
  std::map<NodeId, bool> votes_;  // the first answer of each voter in this election counts
};

}  // namespace etcetera::raft
