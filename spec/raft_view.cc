#include "spec/raft_view.h"

#include <algorithm>

namespace etcetera::spec {

using raft::pb::Event;
using raft::pb::Message;

void ClusterView::apply(const Event& e) {
  NodeView& node = nodes_[e.node()];
  switch (e.kind_case()) {
    case Event::kStarted: {
      const auto& s = e.started();
      node.log.assign(s.terms().begin(), s.terms().end());
      node.votes_granted.clear();
      node.match_index.clear();
      break;
    }
    case Event::kEntriesAppended: {
      const auto& a = e.entries_appended();
      node.log.resize(a.first_index() - 1);
      node.log.insert(node.log.end(), a.terms().begin(), a.terms().end());
      break;
    }
    case Event::kMessageReceived: {
      // Received, and so about to be handled in the receiver's current term.
      const Message& m = e.message_received().message();
      if (m.term() != e.state().term()) break;
      if (m.type() == raft::pb::REQUEST_VOTE_RESPONSE && e.state().role() == raft::pb::CANDIDATE)
        node.votes_granted.try_emplace(m.from(), !m.reject());
      if (m.type() == raft::pb::APPEND_ENTRIES_RESPONSE && !m.reject() &&
          e.state().role() == raft::pb::LEADER)
        node.match_index[m.from()] = std::max(node.match_index[m.from()], m.index());
      break;
    }
    default:
      break;
  }
  apply_state(e.node(), node, e.state());
}

void ClusterView::apply_state(NodeId id, NodeView& node, const raft::pb::NodeState& s) {
  if (s.term() != node.current_term || s.role() != node.role) {
    // A new term or role starts a new election and a new leadership.
    if (s.role() != raft::pb::CANDIDATE || s.term() != node.current_term)
      node.votes_granted.clear();
    if (s.role() != raft::pb::LEADER || s.term() != node.current_term) node.match_index.clear();
  }
  node.current_term = s.term();
  node.voted_for = s.vote();
  node.role = s.role();
  if (s.role() == raft::pb::LEADER) {
    auto& ids = leaders_[s.term()];
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  const Index before = node.commit_index;
  node.commit_index = s.commit();
  if (node.commit_index > before) record_commits(node, before, node.commit_index);
}

void ClusterView::record_commits(NodeView& node, Index from, Index to) {
  for (Index k = from + 1; k <= to && k <= node.log.size(); ++k) {
    const Term t = node.log[k - 1];
    auto [it, fresh] = committed_.try_emplace(k, CommittedEntry{t, node.current_term});
    if (fresh) continue;
    if (it->second.term != t) {
      commit_conflicts_.push_back("index " + std::to_string(k) + " committed with term " +
                                  std::to_string(it->second.term) + " and with term " +
                                  std::to_string(t));
    }
    it->second.commit_term = std::min(it->second.commit_term, node.current_term);
  }
}

}  // namespace etcetera::spec
