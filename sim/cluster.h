// sim::Cluster — N raft nodes in one process, wired by a simulated network
// (sim/network.h). It plays the application's part for every node: persist
// each Ready to the node's MemoryStorage, put its messages on the network,
// apply committed entries, advance. Crashing a node throws away everything
// but its storage; restarting rebuilds it from that storage.
//
// Two ways to move it along. By hand, as the interaction scripts do: tick a
// node, process a Ready, deliver or drop chosen messages. Or in virtual time:
// advance_time() is one tick of the simulated clock, in which every running
// node's clock ticks at its own rate and the network delivers what is due.
//
// Deterministic: no clocks or threads; each node's seed derives from the
// cluster's seed, its id and how many times it restarted, and the network's
// from the cluster's seed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/state_machine.h"
#include "raft/memory_storage.h"
#include "raft/node.h"
#include "raft/trace.h"
#include "sim/network.h"

namespace etcetera::sim {

using raft::NodeId;

struct ClusterOptions {
  int nodes = 3;
  int election_tick = 10;
  std::optional<int> election_spread;  // raft/config.h: default election_tick
  int heartbeat_tick = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  std::size_t max_inflight_msgs = 256;
  std::size_t max_entries_per_msg = 64;
  std::uint64_t seed = 1;
  raft::Mutant mutant = raft::Mutant::kNone;  // a known bug in every node (raft/mutant.h)
  LinkFaults link;                            // every link's faults, until set_link changes one
  // Each node runs the key-value state machine (kv/state_machine.h) as its
  // application, and the leader's lease clock reads the node's own clock.
  bool kv = false;
  std::int64_t millis_per_tick = 100;  // what one tick of a node's clock is, for leases
};

// Told what key-value nodes produce for their clients: the outcome of each
// request a node applies (every replica applies every request; a listener
// keeps those it waits for), and linearizable reads that are ready or refused.
class KvListener {
 public:
  virtual ~KvListener() = default;
  virtual void applied(NodeId, const kv::pb::Response&) {}
  virtual void read_ready(NodeId, const raft::ReadState&) {}
  virtual void read_refused(NodeId, const std::string& /*context*/) {}
};

// Told about each Ready and each message the cluster handles, so that a
// caller can print what happens (the interaction scripts do) without driving
// every step itself.
class ClusterObserver {
 public:
  enum class Fate { kDelivered, kLostDown, kLostPartition, kDropped };
  virtual ~ClusterObserver() = default;
  virtual void before_ready(NodeId) {}
  virtual void after_ready(NodeId, const raft::Ready&) {}
  virtual void before_message(const raft::pb::Message&, Fate) {}
  virtual void after_message(const raft::pb::Message&, Fate) {}
};

// Faults the cluster itself injected, for the simulator's summary.
struct FaultStats {
  std::uint64_t crashes = 0;
  std::uint64_t restarts = 0;
  std::uint64_t partitions = 0;  // isolate() and partition() calls
};

class Cluster {
 public:
  // REQUIRES: trace (if not null) outlives the cluster.
  Cluster(const ClusterOptions& options, raft::TraceSink* trace);

  std::vector<NodeId> ids() const;
  bool is_up(NodeId id) const { return nodes_.at(id).node != nullptr; }
  // How many times node `id` has been started (1 after the cluster's start):
  // what a node's process would keep on disk to tell its runs apart.
  int starts(NodeId id) const { return nodes_.at(id).restarts; }
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
  std::size_t in_flight_count() const { return network_.in_flight().size(); }
  const raft::pb::Message& in_flight(std::size_t k) const {
    return network_.in_flight()[k].message;
  }
  // Removes from the network every message `match` accepts and returns them.
  std::vector<raft::pb::Message> take(const std::function<bool(const raft::pb::Message&)>& match);
  // Whether a message can arrive now (both ends up, no partition between them).
  bool can_deliver(const raft::pb::Message& m) const;
  // Steps a message into its destination. REQUIRES: can_deliver(m).
  void deliver(const raft::pb::Message& m);
  // Delivers m if it can arrive, else loses it; tells the observer either way.
  void deliver_or_lose(const raft::pb::Message& m);
  // Drops m on purpose (a test's or a script's choice), telling the observer.
  void drop(const raft::pb::Message& m);

  // Cuts node `id` off from all others (both directions) until heal().
  void isolate(NodeId id);
  // Splits the nodes into groups that reach only themselves (nodes in no
  // group form one more group) until heal().
  void partition(const std::vector<std::vector<NodeId>>& groups);
  void heal();
  bool is_isolated(NodeId id) const { return network_.is_isolated(id); }
  Network& network() { return network_; }
  const Network& network() const { return network_; }

  // One tick of node `id`'s clock (its election and heartbeat timers, and
  // on a key-value leader its lease clock). REQUIRES: is_up(id).
  void tick(NodeId id) { tick_node(id, nodes_.at(id)); }
  // One tick for every running node.
  void tick_all();
  // Processes Readys and delivers every message in flight, whatever its
  // delay (losing those that cannot arrive), until the cluster is quiet.
  // Returns how many were delivered.
  int stabilize() { return stabilize(ids()); }
  // The same among some nodes only: messages to others stay in flight.
  int stabilize(const std::vector<NodeId>& among);

  // Virtual time. advance_time() is one tick of the simulated clock: every
  // running node's clock advances by its rate (and ticks the node once per
  // whole tick it accumulates); then Readys are processed and the messages
  // due by now delivered, until nothing more is due.
  Time now() const { return now_; }
  void advance_time();
  // The smallest move of virtual time, for a reader stepping through a run
  // one happening at a time: the first node (by id) with a Ready carries it
  // out; else the first message due arrives (or is lost); else the clock
  // moves one tick, and the nodes' clocks with it, delivering nothing yet.
  // A run of step() calls does what advance_time() does, in a finer order.
  enum class Move { kReady, kMessage, kTick };
  Move step();
  // A node's clock rate in per mille of real (virtual) time: 1000 keeps
  // time, 1500 runs fast, 500 slow. Survives restarts (it is the machine's).
  void set_clock_rate(NodeId id, std::uint32_t per_mille);
  std::uint32_t clock_rate(NodeId id) const { return nodes_.at(id).clock_rate; }

  // REQUIRES: observer (if not null) outlives the cluster or is reset.
  void set_observer(ClusterObserver* observer) { observer_ = observer; }

  // Key-value nodes (ClusterOptions::kv). A node's state machine stands for
  // etcd's backend on disk: it survives a crash, and after a restart the
  // node replays its log into it, which skips what it had already applied
  // (cluster_kv.cc). REQUIRES for kv(): options().kv.
  const ClusterOptions& options() const { return options_; }
  kv::StateMachine& kv(NodeId id) { return *nodes_.at(id).kv; }
  const kv::StateMachine& kv(NodeId id) const { return *nodes_.at(id).kv; }
  // The node's own clock in milliseconds: its ticks so far (at its clock
  // rate, across restarts) times millis_per_tick.
  kv::Millis local_millis(NodeId id) const;
  // REQUIRES: listener (if not null) outlives the cluster or is reset.
  void set_kv_listener(KvListener* listener) { kv_listener_ = listener; }
  const FaultStats& fault_stats() const { return fault_stats_; }

  // A line of narrative in the trace (a Note event), for whoever replays it.
  void note(const std::string& text);
  // An event of a layer above raft (a lock client's, raft/trace.proto):
  // recorded with Event.node 0 and the virtual time. The caller sets the
  // action and the kind.
  void report(raft::pb::Event event);
  // Whether events are recorded at all: callers may skip building them.
  bool tracing() const { return trace_ != nullptr; }

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
    std::unique_ptr<kv::StateMachine> kv;  // with ClusterOptions::kv
    std::uint64_t ticks = 0;               // the node's clock, in whole ticks
    int restarts = 0;
    std::uint32_t clock_rate = 1000;  // per mille
    std::uint32_t clock_carry = 0;    // per mille of a tick accumulated
    // The configuration the node was started with, and at which log index.
    std::vector<NodeId> voters, learners;
    raft::Index conf_index = 0;
    bool joining = false;
    // The configuration after each applied membership entry (for snapshots).
    std::map<raft::Index, raft::pb::ConfState> conf_history;
  };

  // Between the nodes and the caller's sink: stamps every event with the
  // virtual time, and turns the network's own decisions (a lost or doubled
  // message) into events.
  class Recorder final : public raft::TraceSink, public NetworkObserver {
   public:
    Recorder(raft::TraceSink* next, const Time* now) : next_(next), now_(now) {}
    void record(const raft::pb::Event& event) override;
    void lost_on_link(const raft::pb::Message& m) override;
    void duplicated(const raft::pb::Message& m) override;
    // A MessageLost event: the message will never arrive, for `cause`.
    void lost(const raft::pb::Message& m, const std::string& cause);
    // An environment event: no node state, Event.node is `node` (0: the network).
    raft::pb::Event environment(NodeId node, const std::string& action) const;

   private:
    raft::TraceSink* next_;
    const Time* now_;
  };

  raft::Config config_for(NodeId id, const Member& m);
  void record(const raft::pb::Event& e) {
    if (trace_ != nullptr) recorder_.record(e);
  }
  void record_lost(const raft::pb::Message& m, const std::string& cause);
  void record_partition();
  void apply(Member& m, const raft::Ready& rd);
  // The key-value side of a member (cluster_kv.cc).
  void apply_kv(NodeId id, Member& m, const raft::Ready& rd);
  void tick_node(NodeId id, Member& m);
  // One tick of virtual time for the clocks alone (each at its rate).
  void advance_clocks();
  void run_lease_clock(NodeId id, Member& m);
  std::string snapshot_data(const Member& m, raft::Index index) const;
  void restore_kv(Member& m, const raft::pb::Snapshot& snapshot);
  raft::pb::ConfState conf_state_at(const Member& m, raft::Index index) const;

  ClusterOptions options_;
  raft::TraceSink* trace_;  // the caller's sink; null: no trace
  Time now_ = 0;
  Recorder recorder_{trace_, &now_};
  std::map<NodeId, Member> nodes_;
  Network network_;
  ClusterObserver* observer_ = nullptr;
  KvListener* kv_listener_ = nullptr;
  FaultStats fault_stats_;
};

}  // namespace etcetera::sim
