#include "raft/tracker.h"

namespace etcetera::raft {

void ProgressTracker::reset_progress(Index next) {
  progress_.clear();
  for (NodeId id : voters_.voters())
    progress_.emplace(id, Progress(next, max_inflight_));
}

Index ProgressTracker::committed_index() const {
  std::map<NodeId, Index> match;
  for (const auto& [id, pr] : progress_)
    match[id] = pr.match;
  return voters_.committed_index(match);
}

bool ProgressTracker::quorum_active_and_reset(NodeId self) {
  std::set<NodeId> active{self};
  for (auto& [id, pr] : progress_) {
    if (pr.recent_active) active.insert(id);
    pr.recent_active = false;
  }
  return voters_.has_quorum(active);
}

std::string ProgressTracker::describe_votes() const {
  std::string granted, rejected;
  for (const auto& [id, yes] : votes_)
    (yes ? granted : rejected) += " " + std::to_string(id);
  return "granted (" + (granted.empty() ? "" : granted.substr(1)) + ") rejected (" +
         (rejected.empty() ? "" : rejected.substr(1)) + ")";
}

}  // namespace etcetera::raft
