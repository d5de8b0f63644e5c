// Membership changes by joint consensus (thesis 4.3). A change is two log
// entries: the first enters C_old,new, the second (proposed by the leader by
// itself) leaves it for C_new. A configuration takes effect when its entry
// is applied, and only one change is in progress at a time.
#include "raft/describe.h"
#include "raft/node.h"

namespace etcetera::raft {

Result<Index> Node::propose_conf_change(const pb::ConfChange& change) {
  ActionScope scope(*this, "ProposeConfChange");
  auto refuse = [&](Error::Code code, std::string why) -> Result<Index> {
    trace_refused("propose_conf_change", why);
    return fail(code, why, leader_);
  };
  if (role_ != pb::LEADER)
    return refuse(
        Error::Code::kNotLeader,
        "node " + std::to_string(id_) + " is not the leader" +
            (leader_ != kNoNode ? "; the leader is node " + std::to_string(leader_) : ""));
  if (lead_transferee_ != kNoNode)
    return refuse(Error::Code::kTransferInProgress,
                  "leadership is being transferred to node " + std::to_string(lead_transferee_));
  if (pending_conf_index_ > log_.applied())
    return refuse(Error::Code::kConfChangeInProgress, "a membership change is in progress: entry " +
                                                          std::to_string(pending_conf_index_) +
                                                          " is not applied yet");
  if (change.changes().empty())
    return refuse(Error::Code::kInvalidArgument,
                  "a change needs at least one step; leaving the joint configuration is automatic");
  const auto next = raft::apply_conf_change(tracker_.config(), change);
  if (!next) return refuse(Error::Code::kInvalidArgument, next.error().message);
  pending_conf_index_ = append_entry(change.SerializeAsString(), pb::ENTRY_CONF_CHANGE);
  pending_conf_removes_self_ = !next->voters.incoming().contains(id_);
  bcast_append();
  return pending_conf_index_;
}

Result<pb::ConfState> Node::apply_conf_change(Index index, const pb::ConfChange& change) {
  ActionScope scope(*this, "ApplyConfChange");
  if (index <= conf_index_) return tracker_.config().to_conf_state();  // already reflected
  auto next = raft::apply_conf_change(tracker_.config(), change);
  if (!next) {
    // Every node reaches the same verdict on the same entry, so skipping it
    // keeps the configurations in step.
    trace_refused("apply_conf_change", "entry " + std::to_string(index) + " (" +
                                           raft::describe(change) + "): " + next.error().message);
    return std::unexpected(next.error());
  }
  conf_index_ = index;
  set_configuration(*next);
  trace([&](pb::Event& e) {
    auto* c = e.mutable_conf_changed();
    c->set_index(index);
    *c->mutable_change() = change;
    *c->mutable_conf_state() = next->to_conf_state();
  });
  if (role_ == pb::LEADER) {
    if (!next->voters.joint() && !promotable()) {
      // The leader removed itself (or made itself a learner): its job ends
      // with the change committed (thesis 4.2.2).
      become_follower(current_term_, kNoNode);
    } else if (advance_commit_index()) {
      bcast_append();  // the new majorities may already hold more
    } else {
      for (const auto& [id, pr] : tracker_.all_progress())
        if (id != id_ && pr.match == 0) send_append(id);  // new members need the log
    }
  }
  return next->to_conf_state();
}

void Node::set_configuration(Configuration config) {
  tracker_.set_config(std::move(config), log_.last_index() + 1);
  if (role_ == pb::LEADER && tracker_.has_progress(id_)) {
    Progress& self = tracker_.progress(id_);
    self.become_replicate();
    self.maybe_update(log_.last_persisted_index());
  }
  if (lead_transferee_ != kNoNode && !tracker_.is_voter(lead_transferee_))
    abort_leader_transfer("the transfer target is no longer a voter");
}

// Whether the configuration this leader is moving to leaves it out: it has
// applied one that does, or its pending membership entry makes one. Such a
// leader takes no more proposals (propose). The reason is liveness: once it
// steps down, a voter that has not heard the change is committed still
// counts the joint configuration, whose outgoing half needs this node's
// vote. If this node's log ran on past the membership entries, no voter of
// the new configuration could be as up to date, and no one could be
// elected. With its log ending at the "leave joint" entry, every voter that
// helped commit that entry gets its vote.
bool Node::leaving_configuration() const {
  if (!tracker_.voters().incoming().contains(id_)) return true;
  return pending_conf_index_ > log_.applied() && pending_conf_removes_self_;
}

bool Node::unapplied_conf_change() const {
  // A snapshot not yet restored carries a configuration not yet taken, and
  // the entries it replaced can no longer be read.
  if (log_.applied() + 1 < log_.first_index()) return true;
  const Index lo = log_.applied() + 1, hi = log_.committed() + 1;
  if (lo >= hi) return false;
  for (const pb::Entry& e : log_.entries(lo, hi, hi - lo))
    if (e.type() == pb::ENTRY_CONF_CHANGE) return true;
  return false;
}

// LeaveJoint: once the leader has applied the entry that entered the joint
// configuration, it proposes the entry that leaves it.
void Node::maybe_leave_joint() {
  // Not during a leadership transfer: the log must stand still for the
  // target; the next leader leaves the joint configuration instead.
  if (role_ != pb::LEADER || !tracker_.voters().joint() || pending_conf_index_ > log_.applied() ||
      lead_transferee_ != kNoNode)
    return;
  ActionScope scope(*this, "LeaveJoint");
  pending_conf_index_ = append_entry(pb::ConfChange().SerializeAsString(), pb::ENTRY_CONF_CHANGE);
  bcast_append();
}

}  // namespace etcetera::raft
