// Construction, the public API, and role changes. Each become_* sets the role
// and everything that goes with it in one place (house style, habit 4).
#include "raft/node.h"

#include <cstdio>
#include <cstdlib>

namespace etcetera::raft {

void raft_fatal(const std::string& what) {
  std::fprintf(stderr, "etcetera raft: broken invariant: %s\n", what.c_str());
  std::abort();
}

namespace {

// A stored snapshot carries the configuration as of its index; without one,
// the Config describes it.
Configuration initial_configuration(const Config& config, const Storage& storage) {
  const pb::Snapshot snapshot = storage.snapshot();
  if (snapshot.metadata().index() > 0)
    return Configuration::from_conf_state(snapshot.metadata().conf_state());
  pb::ConfState cs;
  for (NodeId id : config.voters)
    cs.add_voters(id);
  for (NodeId id : config.learners)
    cs.add_learners(id);
  return Configuration::from_conf_state(cs);
}

}  // namespace

Result<Node> Node::create(const Config& config, const Storage& storage) {
  if (auto ok = config.validate(); !ok) return std::unexpected(ok.error());
  const pb::HardState hs = storage.hard_state();
  if (hs.commit() > storage.last_index())
    return fail(Error::Code::kInvalidConfig,
                "storage is inconsistent: commit index " + std::to_string(hs.commit()) +
                    " is past its last entry " + std::to_string(storage.last_index()));
  if (config.applied > hs.commit())
    return fail(Error::Code::kInvalidConfig, "Config::applied (" + std::to_string(config.applied) +
                                                 ") is past the persisted commit index (" +
                                                 std::to_string(hs.commit()) + ")");
  return Node(config, storage);
}

Node::Node(const Config& config, const Storage& storage)
    : id_(config.id),
      current_term_(storage.hard_state().term()),
      voted_for_(config.mutant == Mutant::kForgetVote ? kNoNode : storage.hard_state().vote()),
      log_(storage, config.applied),
      config_(config),
      tracker_(initial_configuration(config, storage), config.max_inflight_msgs),
      rng_(config.seed),
      persisted_hard_state_(storage.hard_state()) {
  ActionScope scope(*this, "Restart");
  // A snapshot carries its own configuration (initial_configuration): the
  // entries after it are applied again, whatever Config::conf_index says.
  const Index snapshot_index = storage.snapshot().metadata().index();
  conf_index_ = snapshot_index > 0 ? snapshot_index : config.conf_index;
  tracker_.reset_progress(log_.last_index() + 1);
  reset_randomized_election_timeout();
  trace([&](pb::Event& e) {
    auto* started = e.mutable_started();
    const Index first = log_.first_index();
    const Index end = log_.last_index() + 1;
    started->set_first_index(first);
    started->set_snapshot_term(log_.term(first - 1).value_or(0));
    *started->mutable_conf_state() = tracker_.config().to_conf_state();
    started->set_conf_index(conf_index_);
    for (const pb::Entry& entry : log_.entries(first, end, end - first)) {
      started->add_terms(entry.term());
      if (entry.type() == pb::ENTRY_CONF_CHANGE) started->add_conf_indexes(entry.index());
    }
  });
}

void Node::tick() {
  ActionScope scope(*this, "Tick");
  if (role_ == pb::LEADER) {
    tick_heartbeat();
  } else {
    tick_election();
  }
}

void Node::campaign() {
  if (role_ != pb::LEADER && promotable()) election_elapsed_ = 0;  // as if the timer fired
  timeout();
}

Result<Index> Node::propose(std::string data) {
  ActionScope scope(*this, "ClientRequest");
  if (data.empty()) {
    std::string why = "an empty proposal is reserved for a new leader's no-op entry";
    trace_refused("propose", why);
    return fail(Error::Code::kInvalidArgument, why);
  }
  if (role_ == pb::LEADER && lead_transferee_ != kNoNode) {
    std::string why = "leadership is being transferred to node " +
                      std::to_string(lead_transferee_) + "; retry against it";
    trace_refused("propose", why);
    return fail(Error::Code::kTransferInProgress, why, lead_transferee_);
  }
  if (role_ == pb::LEADER && leaving_configuration()) {
    std::string why = "node " + std::to_string(id_) +
                      " is leaving the configuration (a membership change removes it); propose "
                      "to the next leader";
    trace_refused("propose", why);
    return fail(Error::Code::kConfChangeInProgress, why);
  }
  if (role_ != pb::LEADER) {
    std::string why = "node " + std::to_string(id_) + " is not the leader";
    why += leader_ != kNoNode ? "; the leader is node " + std::to_string(leader_)
                              : "; no leader is known yet, retry after the election";
    trace_refused("propose", why);
    return fail(Error::Code::kNotLeader, why, leader_);
  }
  append_entry(std::move(data));
  bcast_append();
  return log_.last_index();
}

// --- role changes ----------------------------------------------------------

void Node::reset(Term term, NodeId vote) {
  set_term(term, vote);
  set_leader(kNoNode);
  abort_leader_transfer("leadership changed");
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  reset_randomized_election_timeout();
  tracker_.reset_votes();
  tracker_.reset_progress(log_.last_index() + 1);
  abandon_pending_reads("leadership changed before the read was confirmed; retry");
}

// The role changes first: a trace reader never sees a leader (or candidate)
// standing in a term it did not win.
void Node::become_follower(Term term, NodeId leader) {
  set_role(pb::FOLLOWER);
  reset(term);
  set_leader(leader);
}

void Node::become_pre_candidate() {
  // A pre-candidate keeps its term and vote: nothing it does changes them
  // until it knows it could win (thesis 9.6).
  set_leader(kNoNode);
  tracker_.reset_votes();
  set_role(pb::PRE_CANDIDATE);
}

void Node::become_candidate() {
  reset(current_term_ + 1, id_);  // the new term and the vote for itself, together
  set_role(pb::CANDIDATE);
  trace([&](pb::Event& e) { e.mutable_vote_cast()->set_candidate(id_); });
}

void Node::become_leader() {
  reset(current_term_);
  set_leader(id_);
  // The leader's own progress: what it has on disk (it counts itself toward a
  // quorum only for persisted entries, thesis 10.2.1).
  Progress& self = tracker_.progress(id_);
  self.become_replicate();
  self.maybe_update(log_.last_persisted_index());
  // An empty entry of the new term lets the leader commit, and so learn the
  // commit index, without waiting for a client (Raft paper, section 8). It is
  // in the log before the node calls itself leader.
  append_entry("");
  // A membership entry may sit unapplied in the inherited log: be
  // conservative and allow the next change only once everything is applied.
  pending_conf_index_ = log_.last_index();
  pending_conf_removes_self_ = false;  // an inherited change is judged once applied
  set_role(pb::LEADER);
  bcast_append();
}

void Node::set_term(Term term, NodeId vote) {
  if (current_term_ == term) return;
  const Term from = current_term_;
  current_term_ = term;
  voted_for_ = vote;
  trace([&](pb::Event& e) {
    e.mutable_term_changed()->set_from(from);
    e.mutable_term_changed()->set_to(term);
  });
}

void Node::set_role(Role role) {
  if (role_ == role) return;
  const Role from = role_;
  role_ = role;
  trace([&](pb::Event& e) {
    e.mutable_role_changed()->set_from(from);
    e.mutable_role_changed()->set_to(role);
  });
}

void Node::set_leader(NodeId leader) {
  if (leader_ == leader) return;
  leader_ = leader;
  trace([&](pb::Event& e) { e.mutable_leader_changed()->set_leader(leader); });
}

void Node::reset_randomized_election_timeout() {
  const int spread = config_.election_spread.value_or(config_.election_tick);
  randomized_election_timeout_ =
      config_.election_tick +
      (spread == 0 ? 0 : static_cast<int>(rng_.in_range(0, static_cast<std::uint64_t>(spread))));
}

std::string Node::describe() const {
  static const char* roles[] = {"follower", "pre-candidate", "candidate", "leader"};
  std::string out = std::to_string(id_) + " " + roles[role_] +
                    " term=" + std::to_string(current_term_) +
                    " vote=" + std::to_string(voted_for_) + " leader=" + std::to_string(leader_) +
                    "\n  log: " + log_.describe();
  out += "\n  config: " + tracker_.config().describe();
  if (role_ == pb::LEADER) {
    for (const auto& [id, pr] : tracker_.all_progress())
      if (id != id_) out += "\n  " + std::to_string(id) + ": " + pr.describe();
  }
  return out;
}

}  // namespace etcetera::raft
