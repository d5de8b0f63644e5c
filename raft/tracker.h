// ProgressTracker: the leader's bookkeeping for the whole configuration — the
// members, a Progress per member (learners included: they receive the log),
// and the votes of the current election.
#pragma once

#include <map>
#include <set>
#include <string>

#include "raft/configuration.h"
#include "raft/progress.h"

namespace etcetera::raft {

class ProgressTracker {
 public:
  ProgressTracker(Configuration config, std::size_t max_inflight)
      : config_(std::move(config)), max_inflight_(max_inflight) {}

  const Configuration& config() const { return config_; }
  const JointConfig& voters() const { return config_.voters; }
  bool is_voter(NodeId id) const { return config_.voters.contains(id); }
  bool is_member(NodeId id) const { return config_.is_member(id); }

  // A new configuration: members that stay keep their progress, new ones
  // start in probe at `next`, removed ones are forgotten.
  void set_config(Configuration config, Index next);
  // Every member starts over in probe at `next` (a new leader does this).
  void reset_progress(Index next);
  Progress& progress(NodeId id) { return progress_.at(id); }
  bool has_progress(NodeId id) const { return progress_.contains(id); }
  const std::map<NodeId, Progress>& all_progress() const { return progress_; }

  // The index majorities have matched (both, while joint): the candidate for commitIndex.
  Index committed_index() const;

  // CheckQuorum: were majorities recently active? Clears the marks for the
  // next period; `self` always counts as active.
  bool quorum_active_and_reset(NodeId self);

  void reset_votes() { votes_.clear(); }
  void record_vote(NodeId id, bool granted) { votes_.try_emplace(id, granted); }
  VoteResult tally_votes() const { return config_.voters.vote_result(votes_); }

 private:
  Configuration config_;
  std::size_t max_inflight_;
  std::map<NodeId, Progress> progress_;
  std::map<NodeId, bool> votes_;  // the first answer of each voter in this election counts
};

}  // namespace etcetera::raft
