#include "tests/sim/lab.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace etcetera::sim::lab {
namespace {

std::string describe(const pb::Entry& e) {
  return std::to_string(e.index()) + "/" + std::to_string(e.term()) + " \"" + e.data() + "\"";
}

bool same_entry(const pb::Entry& a, const pb::Entry& b) {
  return a.index() == b.index() && a.term() == b.term() && a.type() == b.type() &&
         a.data() == b.data();
}

ClusterOptions cluster_options(const LabConfig& config) {
  ClusterOptions o;
  o.nodes = config.servers;
  o.election_tick = kElectionTick;
  o.heartbeat_tick = kHeartbeatTick;
  o.seed = config.seed;
  o.link = config.link;
  return o;
}

}  // namespace

void TraceWatch::record(const pb::Event& e) {
  if (e.has_snapshot_restored()) ++snapshots_restored[e.node()];
  if (e.has_message_sent() && e.message_sent().message().type() == pb::APPEND_ENTRIES_RESPONSE &&
      e.message_sent().message().reject())
    ++appends_refused;
  if (e.state().role() != pb::LEADER || violation) return;
  const auto [it, first] = leader_of_term_.emplace(e.state().term(), e.node());
  if (!first && it->second != e.node())
    violation = "term " + std::to_string(e.state().term()) +
                " has two leaders: " + std::to_string(it->second) + " and " +
                std::to_string(e.node());
}

void AppliedRecord::observe(NodeId id, const std::vector<pb::Entry>& applied) {
  std::size_t& seen = seen_[id];
  if (applied.size() < seen)
    FAIL("node " << id << " took back applied entries: " << applied.size() << " now, " << seen
                 << " before");
  for (; seen < applied.size(); ++seen) {
    const pb::Entry& e = applied[seen];
    if (e.index() != seen + 1)
      FAIL("node " << id << " applied index " << e.index() << " out of order, at position "
                   << seen + 1);
    if (seen == entries_.size()) {
      entries_.push_back(e);
      first_.push_back(id);
    } else if (!same_entry(entries_[seen], e)) {
      FAIL("agreement broken at index " << e.index() << ": node " << first_[seen] << " applied "
                                        << describe(entries_[seen]) << ", node " << id
                                        << " applied " << describe(e));
    }
  }
}

Lab::Lab(const LabConfig& config)
    : config_(config),
      cluster_(cluster_options(config), &watch_),
      rng_(config.seed ^ 0x6584),
      links_rng_(config.seed ^ 0x5104) {
  for (NodeId id : cluster_.ids())
    connected_[id] = true;
}

NodeId Lab::peer(NodeId id, int k) const {
  const auto n = static_cast<NodeId>(config_.servers);
  return (id - 1 + static_cast<NodeId>(k)) % n + 1;
}

NodeId Lab::random_node() {
  return rng_.in_range(1, static_cast<std::uint64_t>(config_.servers) + 1);
}

// Connected nodes form one group; each disconnected node is a group of its own.
void Lab::update_partition() {
  std::vector<std::vector<NodeId>> groups(1);
  for (const auto& [id, on] : connected_)
    if (on)
      groups[0].push_back(id);
    else
      groups.push_back({id});
  if (groups.size() == 1)
    cluster_.heal();
  else
    cluster_.partition(groups);
}

void Lab::disconnect(NodeId id) {
  connected_.at(id) = false;
  update_partition();
}

void Lab::connect(NodeId id) {
  connected_.at(id) = true;
  update_partition();
}

void Lab::set_links(const LinkFaults& link) {
  cluster_.network().set_default_link(link);
  cluster_.network().clear_links();
}

void Lab::set_long_reordering(bool on) {
  long_reordering_ = on;
  if (!on) cluster_.network().clear_links();
}

Time Lab::max_delay() const {
  return long_reordering_ ? std::max(kSlowPath.max_delay, links().max_delay) : links().max_delay;
}

void Lab::draw_slow_links() {
  for (NodeId from : ids())
    for (NodeId to : ids())
      if (from != to)
        cluster_.network().set_link(from, to, links_rng_.in_range(0, 3) == 0 ? kSlowPath : links());
}

void Lab::crash(NodeId id) {
  cluster_.crash(id);
  record_.forget(id);
}

void Lab::restart(NodeId id) {
  if (auto ok = cluster_.restart(id); !ok)
    FAIL("node " << id << " cannot restart: " << ok.error().message);
  record_.forget(id);
  connect(id);
}

// The application's snapshot policy (the lab's applier with SnapShotInterval).
void Lab::compact_if_due(NodeId id) {
  if (config_.snapshot_interval == 0) return;
  const Index applied = cluster_.node(id).log().applied();
  const Index snapshot = cluster_.storage(id).snapshot().metadata().index();
  if (applied < snapshot + config_.snapshot_interval) return;
  if (auto ok = cluster_.compact(id); !ok)
    FAIL("node " << id << " cannot compact: " << ok.error().message);
}

void Lab::run_for(Time ticks) {
  for (Time t = 0; t < ticks; ++t) {
    if (long_reordering_) draw_slow_links();
    cluster_.advance_time();
    if (watch_.violation) FAIL(*watch_.violation << " (at tick " << now() << ")");
    for (NodeId id : ids()) {
      if (!up(id)) continue;
      record_.observe(id, cluster_.applied(id));
      compact_if_due(id);
    }
    for (Client& c : clients_)
      step_client(c);
    std::erase_if(ones_, [this](BackgroundOne& one) { return step_background_one(one); });
  }
}

// Like the lab, looks only after letting time pass: long enough for a
// heartbeat to reach every connected node, so that a leader deposed by a
// newer term has heard of it.
NodeId Lab::check_one_leader() {
  const Time deadline = now() + election_bound();
  while (now() < deadline) {
    run_for(kHeartbeatTick + max_delay());
    std::map<Term, std::vector<NodeId>> leaders;
    for (NodeId id : ids())
      if (up(id) && connected(id) && cluster_.node(id).role() == pb::LEADER)
        leaders[cluster_.node(id).term()].push_back(id);
    if (leaders.empty()) continue;
    const auto& [term, newest] = *leaders.rbegin();
    if (newest.size() > 1) FAIL("term " << term << " has " << newest.size() << " leaders");
    return newest.front();
  }
  FAIL("no leader among the connected nodes within " << election_bound() << " ticks");
  return raft::kNoNode;
}

void Lab::check_no_leader() {
  for (NodeId id : ids())
    if (up(id) && connected(id) && cluster_.node(id).role() == pb::LEADER)
      FAIL("expected no leader among the connected nodes, but node " << id << " claims to lead");
}

Term Lab::check_terms() {
  const Time deadline = now() + kHeartbeatTick + max_delay() + 1;
  for (;;) {
    std::optional<Term> term;
    bool agree = true;
    for (NodeId id : ids()) {
      if (!up(id) || !connected(id)) continue;
      if (!term) term = cluster_.node(id).term();
      agree = agree && *term == cluster_.node(id).term();
    }
    if (agree && term) return *term;
    if (now() >= deadline) FAIL("the connected nodes disagree on the term");
    run_for(1);
  }
}

Lab::Committed Lab::n_committed(Index index) const {
  Committed c;
  for (NodeId id : ids()) {
    if (!up(id)) continue;
    const auto& applied = cluster_.applied(id);
    if (applied.size() < index) continue;
    const pb::Entry& e = applied[index - 1];
    if (c.entry && !same_entry(*c.entry, e))
      FAIL("committed values do not match at index "
           << index << ": " << describe(*c.entry) << " and, at node " << id << ", " << describe(e));
    c.entry = e;
    ++c.count;
  }
  return c;
}

std::optional<Index> Lab::propose_at_leader(const std::string& value, bool connected_only) {
  for (NodeId id : ids()) {
    if (!up(id) || (connected_only && !connected(id))) continue;
    if (auto index = cluster_.node(id).propose(value)) return *index;
  }
  return std::nullopt;
}

Index Lab::one(const std::string& value, int expected, bool retry) {
  const Time deadline = now() + agreement_bound();
  while (now() < deadline) {
    const auto index = propose_at_leader(value, true);
    if (!index) {
      run_for(1);
      continue;
    }
    for (const Time attempt_end = now() + attempt_bound(); now() < attempt_end;) {
      run_for(1);
      const Committed c = n_committed(*index);
      if (c.count > 0 && c.count >= expected && c.entry->data() == value) return *index;
    }
    if (!retry)
      FAIL("one(" << value << ") failed to reach agreement within " << attempt_bound() << " ticks");
  }
  FAIL("one(" << value << ") failed to reach agreement within " << agreement_bound() << " ticks");
  return 0;
}

std::optional<std::string> Lab::wait(Index index, int n, std::optional<Term> start_term) {
  const Time deadline = now() + agreement_bound();
  for (;;) {
    const Committed c = n_committed(index);
    if (c.count >= n) return c.entry->data();
    if (start_term) {
      for (NodeId id : ids())
        if (up(id) && cluster_.node(id).term() > *start_term) return std::nullopt;
    }
    if (now() >= deadline)
      FAIL("only " << c.count << " nodes applied index " << index << " within " << agreement_bound()
                   << " ticks; wanted " << n);
    run_for(1);
  }
}

void Lab::start_clients(int count) {
  for (int k = 0; k < count; ++k)
    clients_.push_back(Client{.number = k});
}

// One tick of a churn client: propose a fresh value at the running nodes in
// random order until one accepts; then watch its index for up to an
// attempt's worth of ticks. If no node leads, pause a little (each client a
// different while, as in the lab) and try again.
void Lab::step_client(Client& c) {
  if (!c.attempt) {
    if (now() < c.pause_until) return;
    c.attempt = Attempt{.value = "c" + std::to_string(c.number) + "." + std::to_string(++c.values),
                        .since = now()};
    std::vector<NodeId> order = ids();
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng_.in_range(0, i)]);
    for (NodeId id : order) {
      if (!up(id)) continue;
      if (auto index = cluster_.node(id).propose(c.attempt->value)) {
        c.attempt->index = *index;
        break;
      }
    }
    if (!c.attempt->index) {
      c.attempt.reset();
      c.pause_until = now() + 2 + static_cast<Time>(c.number);
    }
    return;
  }
  const Committed done = n_committed(*c.attempt->index);
  if (done.count > 0) {
    if (done.entry->data() == c.attempt->value) committed_by_clients_.push_back(c.attempt->value);
    c.attempt.reset();
  } else if (now() - c.attempt->since >= attempt_bound()) {
    c.attempt.reset();  // given up: maybe committed later, maybe never
  }
}

void Lab::start_one(const std::string& value) {
  ones_.push_back(BackgroundOne{.attempt = {.value = value, .since = now()},
                                .deadline = now() + agreement_bound()});
}

// One tick of a background one(value, 1, retry): returns whether it is done.
bool Lab::step_background_one(BackgroundOne& one) {
  Attempt& a = one.attempt;
  if (now() > one.deadline)
    FAIL("one(" << a.value << ") in the background failed to reach agreement within "
                << agreement_bound() << " ticks");
  if (a.index) {
    const Committed c = n_committed(*a.index);
    if (c.count > 0 && c.entry->data() == a.value) return true;
    if (c.count == 0 && now() - a.since < attempt_bound()) return false;
    a.index.reset();  // lost to another value, or too slow: retry
  }
  a.index = propose_at_leader(a.value, true);
  a.since = now();
  return false;
}

void Lab::await_ones() {
  while (!ones_.empty())
    run_for(1);
}

}  // namespace etcetera::sim::lab
