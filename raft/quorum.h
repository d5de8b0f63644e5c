// Majority arithmetic, kept apart from messages and storage: given who voted
// or how far each voter's log matches, what does a majority decide?
#pragma once

#include <map>
#include <set>
#include <string>

#include "raft/types.h"

namespace etcetera::raft {

enum class VoteResult { kPending, kWon, kLost };

class MajorityConfig {
 public:
  MajorityConfig() = default;
  explicit MajorityConfig(std::set<NodeId> voters) : voters_(std::move(voters)) {}

  const std::set<NodeId>& voters() const { return voters_; }
  bool contains(NodeId id) const { return voters_.contains(id); }
  std::size_t quorum() const { return voters_.size() / 2 + 1; }

  // The largest index that a majority of voters has matched: sort the match
  // indexes of the voters (a missing voter counts as 0) and take the one a
  // majority is at or above.
  Index committed_index(const std::map<NodeId, Index>& match) const;

  // Won once a majority granted, lost once a majority can no longer grant.
  VoteResult vote_result(const std::map<NodeId, bool>& votes) const;

  // True when the given set of voters holds a majority.
  bool has_quorum(const std::set<NodeId>& ids) const;

  std::string describe() const;  // "(1 2 3)"

 private:
  std::set<NodeId> voters_;
};

}  // namespace etcetera::raft
