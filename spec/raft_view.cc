#include "spec/raft_view.h"

#include <algorithm>

namespace etcetera::spec {

using raft::pb::Event;
using raft::pb::Message;

namespace {

std::string set_text(const std::vector<NodeId>& ids) {
  std::string out = "(";
  for (NodeId id : ids)
    out += (out.size() > 1 ? " " : "") + std::to_string(id);
  return out + ")";
}

// The environment's events (crashes, partitions, lost and duplicated
// messages, notes) and the upper layers' (a lock client's) carry no node
// state: raft/trace.proto numbers them from 40 on. The spec's network
// actions change only `messages`, which the view does not rebuild, and a
// crash shows in the trace as the Restart that follows it.
bool is_environment_event(const Event& e) {
  return static_cast<int>(e.kind_case()) >= static_cast<int>(Event::kNodeCrashed);
}

}  // namespace

ConfigView ConfigView::from(const raft::pb::ConfState& cs) {
  ConfigView c;
  c.incoming.assign(cs.voters().begin(), cs.voters().end());
  c.outgoing.assign(cs.voters_outgoing().begin(), cs.voters_outgoing().end());
  std::ranges::sort(c.incoming);
  std::ranges::sort(c.outgoing);
  return c;
}

std::string ConfigView::describe() const {
  return set_text(incoming) + (joint() ? "&&" + set_text(outgoing) : "");
}

void ClusterView::apply(const Event& e) {
  if (is_environment_event(e)) return;
  NodeView& node = nodes_[e.node()];
  steps_.check(*this, node, e, ++events_);
  switch (e.kind_case()) {
    case Event::kStarted: {
      // Entries before first_index are in the node's snapshot: committed.
      const auto& s = e.started();
      node.log.clear();
      for (Index k = 1; k < s.first_index(); ++k) {
        auto it = committed_.find(k);
        node.log.push_back(it == committed_.end() ? 0 : it->second.term);
      }
      node.snapshot_index = s.first_index() - 1;
      node.snapshot_term = s.snapshot_term();
      if (node.snapshot_index > 0) node.log.back() = s.snapshot_term();
      node.log.insert(node.log.end(), s.terms().begin(), s.terms().end());
      node.conf_entries.assign(s.conf_indexes().begin(), s.conf_indexes().end());
      node.config = ConfigView::from(s.conf_state());
      node.votes_granted.clear();
      node.match_index.clear();
      break;
    }
    case Event::kSnapshotRestored: {
      // The log becomes the snapshot: entries through its index, all
      // committed, so their terms are those recorded when they committed.
      const auto& r = e.snapshot_restored();
      node.log.assign(r.index(), r.term());
      for (Index k = 1; k < r.index(); ++k)
        if (auto it = committed_.find(k); it != committed_.end()) node.log[k - 1] = it->second.term;
      node.snapshot_index = r.index();
      node.snapshot_term = r.term();
      node.conf_entries.clear();
      node.config = ConfigView::from(r.conf_state());
      break;
    }
    case Event::kLogCompacted: {
      const auto& c = e.log_compacted();
      node.snapshot_index = c.index();
      node.snapshot_term = c.term();
      std::erase_if(node.conf_entries, [&](Index k) { return k <= c.index(); });
      break;
    }
    case Event::kConfChanged:
      apply_conf_change(e.node(), node, e.conf_changed());
      break;
    case Event::kInputRefused: {
      // Every node refuses the same entry, so its configuration stays in step
      // with the others'; but the entry breaks the chain all the same.
      const auto& r = e.input_refused();
      if (r.input() == "apply_conf_change")
        config_chain_breaks_.push_back("node " + std::to_string(e.node()) +
                                       " refused a membership entry against " +
                                       node.config.describe() + ": " + r.reason());
      break;
    }
    case Event::kReadIndexRequested: {
      // A forwarded read is asked for on the follower (index 0); the leader's
      // own record of it (same context, on another node) comes later.
      const Index floor = committed_.empty() ? 0 : committed_.rbegin()->first;
      read_floor_.try_emplace({e.node(), e.read_index_requested().context()}, floor);
      break;
    }
    case Event::kReadIndexReleased: {
      const auto& r = e.read_index_released();
      auto it = read_floor_.find({e.node(), r.context()});
      if (it != read_floor_.end() && r.index() < it->second)
        stale_reads_.push_back("node " + std::to_string(e.node()) + " served read '" + r.context() +
                               "' at index " + std::to_string(r.index()) + ", but index " +
                               std::to_string(it->second) + " was committed before it was asked");
      if (it != read_floor_.end()) read_floor_.erase(it);
      break;
    }
    case Event::kEntriesAppended: {
      const auto& a = e.entries_appended();
      node.log.resize(a.first_index() - 1);
      node.log.insert(node.log.end(), a.terms().begin(), a.terms().end());
      std::erase_if(node.conf_entries, [&](Index k) { return k >= a.first_index(); });
      node.conf_entries.insert(node.conf_entries.end(), a.conf_indexes().begin(),
                               a.conf_indexes().end());
      break;
    }
    case Event::kMessageReceived: {
      // Received, and so about to be handled in the receiver's current term.
      const Message& m = e.message_received().message();
      if (m.term() != e.state().term()) break;
      if (m.type() == raft::pb::REQUEST_VOTE_RESPONSE && e.state().role() == raft::pb::CANDIDATE)
        node.votes_granted.try_emplace(m.from(), !m.reject());
      // (An answer about an index past the leader's log is refused by it.)
      if (m.type() == raft::pb::APPEND_ENTRIES_RESPONSE && !m.reject() &&
          e.state().role() == raft::pb::LEADER && m.index() <= node.log.size())
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
  node.leader = s.leader();
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

// ConfigChainInv, as the trace can show it: the C++ entry carries a change,
// and the configuration it leads to is known when it is applied. An "enter
// joint" entry follows a configuration that is not joint and keeps its
// voters as the outgoing set; a "leave joint" entry follows a joint one and
// keeps its incoming set.
void ClusterView::apply_conf_change(NodeId id, NodeView& node, const raft::pb::ConfChanged& c) {
  const ConfigView next = ConfigView::from(c.conf_state());
  const ConfigView& prev = node.config;
  const bool enter = c.change().changes_size() > 0;
  std::string why;
  if (enter && prev.joint())
    why = "enters a joint configuration from the joint " + prev.describe();
  else if (enter && (!next.joint() || next.outgoing != prev.incoming))
    why = "leads from " + prev.describe() + " to " + next.describe() +
          ", whose outgoing voters are not the voters before";
  else if (!enter && !prev.joint())
    why = "leaves a joint configuration, but " + prev.describe() + " is not joint";
  else if (!enter && (next.joint() || next.incoming != prev.incoming))
    why = "leads from " + prev.describe() + " to " + next.describe() +
          ", which does not keep the incoming voters";
  if (!why.empty())
    config_chain_breaks_.push_back("node " + std::to_string(id) + "'s membership entry " +
                                   std::to_string(c.index()) + " " + why);
  node.config = next;
}

}  // namespace etcetera::spec
