// sim::Cluster — N raft nodes in one process, wired by an in-memory network
// that delivers only when told to. It plays the application's part for every
// node: persist each Ready to the node's MemoryStorage, put its messages on
// the network, apply committed entries, advance. Crashing a node throws away
// everything but its storage; restarting rebuilds it from that storage.
//
// Deterministic: no clocks or threads; each node's seed derives from the
// cluster's seed, its id and how many times it restarted.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "raft/memory_storage.h"
#include "raft/node.h"
#include "raft/trace.h"

namespace etcetera::sim {

using raft::NodeId;

struct ClusterOptions {
  int nodes = 3;
  int election_tick = 10;
  int heartbeat_tick = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  std::size_t max_inflight_msgs = 256;
  std::size_t max_entries_per_msg = 64;
  std::uint64_t seed = 1;
  raft::Mutant mutant = raft::Mutant::kNone;  // a known bug in every node (raft/mutant.h)
};

class Cluster {
 public:
  // REQUIRES: trace (if not null) outlives the cluster.
  Cluster(const ClusterOptions& options, raft::TraceSink* trace);

  std::vector<NodeId> ids() const;
  bool is_up(NodeId id) const { return nodes_.at(id).node != nullptr; }
  raft::Node& node(NodeId id) { return *nodes_.at(id).node; }
  const raft::MemoryStorage& storage(NodeId id) const { return *nodes_.at(id).storage; }
  raft::MemoryStorage& storage(NodeId id) { return *nodes_.at(id).storage; }
  // The entries node `id` applied, in order, since it last (re)started.
  const std::vector<raft::pb::Entry>& applied(NodeId id) const { return nodes_.at(id).applied; }
  // The current leader with the highest term among running nodes, if any.
  std::optional<NodeId> leader() const;

  // Carries out one Ready of node `id`, if it has one, and returns it.
  std::optional<raft::Ready> process_ready(NodeId id);

  // Messages sent and not yet delivered, in the order they were sent.
  const std::deque<raft::pb::Message>& in_flight() const { return in_flight_; }
  // Removes from the network every message `match` accepts and returns them.
  std::vector<raft::pb::Message> take(const std::function<bool(const raft::pb::Message&)>& match);
  // Whether a message can arrive now (both ends up, no partition between them).
  bool can_deliver(const raft::pb::Message& m) const;
  // Steps a message into its destination. REQUIRES: can_deliver(m).
  void deliver(const raft::pb::Message& m);

  // Cuts node `id` off from all others (both directions) until heal().
  void isolate(NodeId id) { isolated_.insert(id); }
  void heal() { isolated_.clear(); }
  bool is_isolated(NodeId id) const { return isolated_.contains(id); }

  // One tick for every running node.
  void tick_all();
  // Processes Readys and delivers messages (dropping those that cannot
  // arrive) until the cluster is quiet. Returns how many were delivered.
  int stabilize();

  void crash(NodeId id);
  // REQUIRES: !is_up(id). Returns the error if the node cannot be rebuilt.
  raft::Result<void> restart(NodeId id);

  // Log compaction by node `id`'s application: a snapshot of its state
  // machine through `index` (0: its applied index) replaces those entries.
  raft::Result<void> compact(NodeId id, raft::Index index = 0);

  // Starts a new, empty node `id` that knows the cluster's current
  // configuration (from `from`, a running member) but is not in it: a
  // membership change must add it. REQUIRES: id is new.
  raft::Result<void> add_node(NodeId id, NodeId from);

  // Replaces node `id`'s disk with these entry terms (index 1, 2, ...) and
  // hard state, and restarts it: for scripting the log situations of the paper.
  raft::Result<void> set_log(NodeId id, raft::Term term, const std::vector<raft::Term>& terms);

 private:
  struct Member {
    std::unique_ptr<raft::MemoryStorage> storage;
    std::unique_ptr<raft::Node> node;
    std::vector<raft::pb::Entry> applied;
    int restarts = 0;
    // The configuration the node was started with, and at which log index.
    std::vector<NodeId> voters, learners;
    raft::Index conf_index = 0;
    bool joining = false;
    // The configuration after each applied membership entry (for snapshots).
    std::map<raft::Index, raft::pb::ConfState> conf_history;
  };

  raft::Config config_for(NodeId id, const Member& m) const;
  void apply(Member& m, const raft::Ready& rd);
  raft::pb::ConfState conf_state_at(const Member& m, raft::Index index) const;

  ClusterOptions options_;
  raft::TraceSink* trace_;
  std::map<NodeId, Member> nodes_;
  std::deque<raft::pb::Message> in_flight_;
  std::set<NodeId> isolated_;
};

}  // namespace etcetera::sim
