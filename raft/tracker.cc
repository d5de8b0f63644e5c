#include "raft/tracker.h"

namespace etcetera::raft {

void ProgressTracker::set_config(Configuration config, Index next) {
  config_ = std::move(config);
  const std::set<NodeId> members = config_.members();
  std::erase_if(progress_, [&](const auto& kv) { return !members.contains(kv.first); });
  for (NodeId id : members)
    progress_.try_emplace(id, Progress(next, max_inflight_));
}

void ProgressTracker::reset_progress(Index next) {
  progress_.clear();
  for (NodeId id : config_.members())
    progress_.emplace(id, Progress(next, max_inflight_));
}

Index ProgressTracker::committed_index() const {
  std::map<NodeId, Index> match;
  for (const auto& [id, pr] : progress_)
    match[id] = pr.match;
  return config_.voters.committed_index(match);
}

bool ProgressTracker::quorum_active_and_reset(NodeId self) {
  std::set<NodeId> active{self};
  for (auto& [id, pr] : progress_) {
    if (pr.recent_active) active.insert(id);
    pr.recent_active = false;
  }
  return config_.voters.has_quorum(active);
}

}  // namespace etcetera::raft
