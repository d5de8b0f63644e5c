#include "raft/quorum.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace etcetera::raft {

Index MajorityConfig::committed_index(const std::map<NodeId, Index>& match) const {
  if (voters_.empty()) return 0;
  std::vector<Index> indexes;
  for (NodeId id : voters_) {
    auto it = match.find(id);
    indexes.push_back(it == match.end() ? 0 : it->second);
  }
  std::ranges::sort(indexes, std::greater<>());
  return indexes[quorum() - 1];  // quorum() voters are at or above this index
}

VoteResult MajorityConfig::vote_result(const std::map<NodeId, bool>& votes) const {
  std::size_t granted = 0, rejected = 0;
  for (NodeId id : voters_) {
    auto it = votes.find(id);
    if (it == votes.end()) continue;
    (it->second ? granted : rejected)++;
  }
  if (granted >= quorum()) return VoteResult::kWon;
  if (voters_.size() - rejected < quorum()) return VoteResult::kLost;
  return VoteResult::kPending;
}

bool MajorityConfig::has_quorum(const std::set<NodeId>& ids) const {
  auto n = std::ranges::count_if(voters_, [&](NodeId id) { return ids.contains(id); });
  return static_cast<std::size_t>(n) >= quorum();
}

std::string MajorityConfig::describe() const {
  std::string out = "(";
  for (NodeId id : voters_)
    out += (out.size() > 1 ? " " : "") + std::to_string(id);
  return out + ")";
}

}  // namespace etcetera::raft
