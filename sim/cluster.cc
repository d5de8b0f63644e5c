#include "sim/cluster.h"

#include <algorithm>

#include "sim/sim.pb.h"

namespace etcetera::sim {

using raft::pb::Message;

Cluster::Cluster(const ClusterOptions& options, raft::TraceSink* trace)
    // The network draws from its own stream, so that a change to how many
    // random numbers the nodes use does not change its choices.
    : options_(options), trace_(trace), network_(options.seed * 0x9e3779b97f4a7c15ULL + 17) {
  network_.set_default_link(options.link);
  if (trace_ != nullptr) network_.set_observer(&recorder_);
  std::vector<NodeId> voters;
  for (NodeId id = 1; id <= static_cast<NodeId>(options.nodes); ++id)
    voters.push_back(id);
  for (NodeId id : voters) {
    Member& m = nodes_[id];
    m.storage = std::make_unique<raft::MemoryStorage>();
    if (options_.kv) m.kv = std::make_unique<kv::StateMachine>();
    m.voters = voters;
  }
  for (NodeId id : ids()) {
    if (auto ok = restart(id); !ok) raft::raft_fatal("sim: " + ok.error().message);
  }
}

void Cluster::Recorder::record(const raft::pb::Event& event) {
  raft::pb::Event stamped = event;
  stamped.set_time(*now_);
  next_->record(stamped);
}

raft::pb::Event Cluster::Recorder::environment(NodeId node, const std::string& action) const {
  raft::pb::Event e;
  e.set_node(node);
  e.set_action(action);
  e.set_time(*now_);
  return e;
}

void Cluster::Recorder::lost(const Message& m, const std::string& cause) {
  auto e = environment(m.from(), "DropMessage");
  *e.mutable_message_lost()->mutable_message() = m;
  e.mutable_message_lost()->set_cause(cause);
  next_->record(e);
}

void Cluster::Recorder::lost_on_link(const Message& m) {
  lost(m, "lost on the link");
}

void Cluster::Recorder::duplicated(const Message& m) {
  auto e = environment(m.from(), "DuplicateMessage");
  *e.mutable_message_duplicated()->mutable_message() = m;
  next_->record(e);
}

void Cluster::record_lost(const Message& m, const std::string& cause) {
  if (trace_ != nullptr) recorder_.lost(m, cause);
}

void Cluster::note(const std::string& text) {
  if (trace_ == nullptr) return;
  auto e = recorder_.environment(0, "Note");
  e.mutable_note()->set_text(text);
  trace_->record(e);
}

void Cluster::report(raft::pb::Event event) {
  if (trace_ == nullptr) return;
  event.set_node(0);
  recorder_.record(event);
}

std::vector<NodeId> Cluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, m] : nodes_)
    out.push_back(id);
  return out;
}

raft::Config Cluster::config_for(NodeId id, const Member& m) {
  raft::Config c;
  c.id = id;
  c.voters = m.voters;
  c.learners = m.learners;
  c.conf_index = m.conf_index;
  c.joining = m.joining;
  const int restarts = m.restarts;
  c.election_tick = options_.election_tick;
  c.election_spread = options_.election_spread;
  c.heartbeat_tick = options_.heartbeat_tick;
  c.pre_vote = options_.pre_vote;
  c.check_quorum = options_.check_quorum;
  c.max_inflight_msgs = options_.max_inflight_msgs;
  c.max_entries_per_msg = options_.max_entries_per_msg;
  // Distinct, reproducible jitter per node and per incarnation.
  c.seed = options_.seed * 1000003 + id * 7919 + static_cast<std::uint64_t>(restarts);
  c.trace = trace_ != nullptr ? &recorder_ : nullptr;
  c.mutant = options_.mutant;
  return c;
}

std::optional<NodeId> Cluster::leader() const {
  std::optional<NodeId> best;
  raft::Term best_term = 0;
  for (const auto& [id, m] : nodes_) {
    if (m.node && m.node->role() == raft::pb::LEADER && m.node->term() >= best_term) {
      best = id;
      best_term = m.node->term();
    }
  }
  return best;
}

std::optional<raft::Ready> Cluster::process_ready(NodeId id) {
  Member& m = nodes_.at(id);
  if (!m.node || !m.node->has_ready()) return std::nullopt;
  if (observer_) observer_->before_ready(id);
  raft::Ready rd = m.node->ready();
  if (rd.snapshot) {
    if (auto ok = m.storage->apply_snapshot(*rd.snapshot); !ok)
      raft::raft_fatal("sim: " + ok.error().message);
  }
  if (rd.hard_state) m.storage->set_hard_state(*rd.hard_state);
  m.storage->append(rd.entries);
  for (const auto& msg : rd.messages)
    network_.send(msg, now_);
  for (const auto& msg : rd.persisted_messages)
    network_.send(msg, now_);
  apply(m, rd);
  if (m.kv) apply_kv(id, m, rd);
  if (auto ok = m.node->advance(rd.number); !ok) raft::raft_fatal("sim: " + ok.error().message);
  if (observer_) observer_->after_ready(id, rd);
  return rd;
}

// The application's part: restore from a snapshot, then apply entries; a
// membership entry goes to the node, which changes its configuration.
void Cluster::apply(Member& m, const raft::Ready& rd) {
  if (rd.snapshot) {
    if (m.kv) {
      restore_kv(m, *rd.snapshot);
      m.applied.clear();
    } else {
      pb::AppliedLog log;
      if (!log.ParseFromString(rd.snapshot->data()))
        raft::raft_fatal("sim: undecodable snapshot data");
      m.applied.assign(log.entries().begin(), log.entries().end());
    }
    m.conf_history[rd.snapshot->metadata().index()] = rd.snapshot->metadata().conf_state();
  }
  for (const auto& e : rd.committed_entries) {
    m.applied.push_back(e);
    if (e.type() != raft::pb::ENTRY_CONF_CHANGE) continue;
    raft::pb::ConfChange cc;
    if (!cc.ParseFromString(e.data())) raft::raft_fatal("sim: undecodable membership entry");
    // A refused change was recorded in the trace by the node; it changes nothing.
    if (auto cs = m.node->apply_conf_change(e.index(), cc)) m.conf_history[e.index()] = *cs;
  }
}

raft::pb::ConfState Cluster::conf_state_at(const Member& m, raft::Index index) const {
  auto it = m.conf_history.upper_bound(index);
  if (it != m.conf_history.begin()) return std::prev(it)->second;
  raft::pb::ConfState cs;  // the configuration the node started with
  for (NodeId id : m.voters)
    cs.add_voters(id);
  for (NodeId id : m.learners)
    cs.add_learners(id);
  return cs;
}

raft::Result<void> Cluster::compact(NodeId id, raft::Index index) {
  using C = raft::Error::Code;
  Member& m = nodes_.at(id);
  if (!m.node) return raft::fail(C::kInvalidArgument, "node " + std::to_string(id) + " is down");
  const raft::Index applied = m.node->log().applied();
  if (index == 0) index = applied;
  if (index > applied)
    return raft::fail(C::kInvalidArgument, "cannot snapshot index " + std::to_string(index) +
                                               ": node " + std::to_string(id) +
                                               " has applied only through " +
                                               std::to_string(applied));
  // A snapshot the node has taken in but not yet handed out for persisting
  // already covers everything through it: there is nothing to compact.
  if (index < m.node->log().first_index())
    return raft::fail(C::kInvalidArgument,
                      "index " + std::to_string(index) + " is already compacted (snapshot at " +
                          std::to_string(m.node->log().first_index() - 1) + ")");
  if (m.kv && index != m.kv->applied_index())
    return raft::fail(C::kInvalidArgument,
                      "a key-value node snapshots its store as it is: at its applied index " +
                          std::to_string(m.kv->applied_index()) + ", not " + std::to_string(index));
  if (auto ok = m.storage->compact(index, conf_state_at(m, index), snapshot_data(m, index)); !ok)
    return ok;
  // The core never sees a compaction (it reads its storage), so the
  // application reports it: Compact in spec/Raft.tla.
  if (trace_ != nullptr) {
    raft::pb::Event e;
    e.set_node(id);
    e.set_action("Compact");
    *e.mutable_state() = m.node->trace_state();
    e.mutable_log_compacted()->set_index(index);
    e.mutable_log_compacted()->set_term(m.storage->snapshot().metadata().term());
    record(e);
  }
  return {};
}

raft::Result<void> Cluster::add_node(NodeId id, NodeId from) {
  using C = raft::Error::Code;
  if (nodes_.contains(id) || id == raft::kNoNode)
    return raft::fail(C::kInvalidArgument, "node " + std::to_string(id) + " already exists");
  if (!nodes_.contains(from) || !is_up(from))
    return raft::fail(C::kInvalidArgument, "node " + std::to_string(from) + " is not running");
  const raft::Node& source = node(from);
  if (source.configuration().voters.joint())
    return raft::fail(C::kInvalidArgument,
                      "the configuration is joint; add the node after the change");
  Member& m = nodes_[id];
  m.storage = std::make_unique<raft::MemoryStorage>();
  if (options_.kv) m.kv = std::make_unique<kv::StateMachine>();
  const auto cs = source.configuration().to_conf_state();
  m.voters.assign(cs.voters().begin(), cs.voters().end());
  m.learners.assign(cs.learners().begin(), cs.learners().end());
  m.conf_index = source.conf_index();
  m.joining = true;
  return restart(id);
}

std::vector<Message> Cluster::take(const std::function<bool(const Message&)>& match) {
  return network_.take(match);
}

bool Cluster::can_deliver(const Message& m) const {
  auto up = [&](NodeId id) { return nodes_.contains(id) && nodes_.at(id).node != nullptr; };
  return up(m.from()) && up(m.to()) && network_.connected(m.from(), m.to());
}

void Cluster::deliver_or_lose(const Message& m) {
  using Fate = ClusterObserver::Fate;
  Fate fate = Fate::kDelivered;
  if (!can_deliver(m)) {
    const bool to_down = !nodes_.contains(m.to()) || !is_up(m.to());
    const bool down = to_down || !is_up(m.from());
    fate = down ? Fate::kLostDown : Fate::kLostPartition;
    ++network_.stats().cut;
    record_lost(m, to_down ? "destination down" : down ? "sender down" : "partitioned");
  }
  if (observer_) observer_->before_message(m, fate);
  if (fate == Fate::kDelivered) deliver(m);
  if (observer_) observer_->after_message(m, fate);
}

void Cluster::drop(const Message& m) {
  ++network_.stats().dropped;
  record_lost(m, "dropped on purpose");
  if (observer_) observer_->before_message(m, ClusterObserver::Fate::kDropped);
  if (observer_) observer_->after_message(m, ClusterObserver::Fate::kDropped);
}

void Cluster::isolate(NodeId id) {
  ++fault_stats_.partitions;
  network_.isolate(id);
  record_partition();
}

void Cluster::partition(const std::vector<std::vector<NodeId>>& groups) {
  ++fault_stats_.partitions;
  network_.partition(groups);
  record_partition();
}

void Cluster::heal() {
  network_.heal();
  if (trace_ == nullptr) return;
  auto e = recorder_.environment(0, "Heal");
  e.mutable_network_healed();
  trace_->record(e);
}

// The groups as the network now has them: isolate() cuts one node off
// whatever the groups were before, so the trace states the whole picture.
void Cluster::record_partition() {
  if (trace_ == nullptr) return;
  auto e = recorder_.environment(0, "Partition");
  auto* p = e.mutable_network_partitioned();
  for (const auto& group : network_.groups(ids()))
    for (auto* g = p->add_groups(); NodeId id : group)
      g->add_nodes(id);
  trace_->record(e);
}

void Cluster::set_clock_rate(NodeId id, std::uint32_t per_mille) {
  nodes_.at(id).clock_rate = per_mille;
}

void Cluster::advance_time() {
  advance_clocks();
  for (bool busy = true; busy;) {
    busy = false;
    for (NodeId id : ids())
      while (process_ready(id))
        busy = true;
    for (const Message& msg : network_.take_due(now_)) {
      deliver_or_lose(msg);
      busy = true;
    }
  }
}

Cluster::Move Cluster::step() {
  for (NodeId id : ids())
    if (process_ready(id)) return Move::kReady;
  if (auto m = network_.take_next_due(now_)) {
    deliver_or_lose(*m);
    return Move::kMessage;
  }
  advance_clocks();
  return Move::kTick;
}

void Cluster::advance_clocks() {
  ++now_;
  for (auto& [id, m] : nodes_) {
    if (!m.node) continue;
    m.clock_carry += m.clock_rate;
    for (; m.clock_carry >= 1000; m.clock_carry -= 1000)
      if (m.node) tick_node(id, m);
  }
}

void Cluster::deliver(const Message& m) {
  // The result only says whether the node refused the message; the node has
  // recorded why in the trace, which is where the simulator reports it.
  (void)nodes_.at(m.to()).node->step(m);
}

void Cluster::tick_all() {
  for (auto& [id, m] : nodes_)
    if (m.node) tick_node(id, m);
}

int Cluster::stabilize(const std::vector<NodeId>& among) {
  auto to_among = [&](const Message& m) {
    return std::find(among.begin(), among.end(), m.to()) != among.end();
  };
  int delivered = 0;
  for (bool busy = true; busy;) {
    busy = false;
    for (NodeId id : among)
      if (process_ready(id)) busy = true;
    for (const Message& msg : take(to_among)) {
      const bool arrives = can_deliver(msg);
      deliver_or_lose(msg);  // lost: a crashed end or a partition
      delivered += arrives ? 1 : 0;
      busy = true;
    }
  }
  return delivered;
}

void Cluster::crash(NodeId id) {
  Member& m = nodes_.at(id);
  if (m.node) {
    ++fault_stats_.crashes;
    if (trace_ != nullptr) {
      auto e = recorder_.environment(id, "Crash");
      e.mutable_node_crashed();
      trace_->record(e);
    }
  }
  m.node.reset();
  m.clock_carry = 0;
  m.applied.clear();
  // The store is on disk and survives; the leader's lease clock was memory.
  if (m.kv) m.kv->lease_clock().demote();
  m.conf_history.clear();
}

raft::Result<void> Cluster::restart(NodeId id) {
  Member& m = nodes_.at(id);
  // The state machine comes back from the stored snapshot; the node hands
  // out the committed entries after it again.
  if (const auto snapshot = m.storage->snapshot(); snapshot.metadata().index() > 0) {
    if (m.kv) {
      // Only a store behind the snapshot is replaced (a node whose disk was
      // lost, say); one at or past it keeps what it has.
      if (m.kv->applied_index() < snapshot.metadata().index()) restore_kv(m, snapshot);
    } else {
      pb::AppliedLog log;
      if (!log.ParseFromString(snapshot.data())) raft::raft_fatal("sim: undecodable snapshot data");
      m.applied.assign(log.entries().begin(), log.entries().end());
    }
    m.conf_history[snapshot.metadata().index()] = snapshot.metadata().conf_state();
  }
  if (m.restarts > 0) ++fault_stats_.restarts;
  auto node = raft::Node::create(config_for(id, m), *m.storage);
  ++m.restarts;
  if (!node) return std::unexpected(node.error());
  m.node = std::make_unique<raft::Node>(std::move(*node));
  return {};
}

raft::Result<void> Cluster::set_log(NodeId id, raft::Term term,
                                    const std::vector<raft::Term>& terms) {
  crash(id);
  Member& m = nodes_.at(id);
  m.storage = std::make_unique<raft::MemoryStorage>();
  if (options_.kv) m.kv = std::make_unique<kv::StateMachine>();  // a new disk
  std::vector<raft::pb::Entry> entries;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    raft::pb::Entry e;
    e.set_index(i + 1);
    e.set_term(terms[i]);
    entries.push_back(e);
  }
  m.storage->append(entries);
  raft::pb::HardState hs;
  hs.set_term(term);
  m.storage->set_hard_state(hs);
  return restart(id);
}

}  // namespace etcetera::sim
