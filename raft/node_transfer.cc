// Leadership transfer (thesis 3.10): the leader stops accepting proposals,
// brings the target's log up to date, and sends it a TimeoutNow; the target
// starts an election at once, skipping PreVote, and its vote requests are
// marked so that voters do not hold on to the current leader. If the target
// has not won within an election timeout, the leader abandons the transfer.
#include "raft/node.h"

namespace etcetera::raft {

Result<void> Node::transfer_leadership(NodeId to) {
  ActionScope scope(*this, "TransferLeadership");
  auto refuse = [&](Error::Code code, std::string why) -> Result<void> {
    trace_refused("transfer_leadership", why);
    return fail(code, why, leader_);
  };
  if (role_ != pb::LEADER)
    return refuse(Error::Code::kNotLeader, "node " + std::to_string(id_) + " is not the leader");
  if (to == id_)
    return refuse(Error::Code::kInvalidArgument, "node " + std::to_string(to) + " already leads");
  if (!tracker_.is_member(to))
    return refuse(Error::Code::kInvalidArgument, "node " + std::to_string(to) + " is not a member");
  if (!tracker_.is_voter(to))
    return refuse(Error::Code::kInvalidArgument,
                  "node " + std::to_string(to) + " is a learner and cannot lead");
  if (lead_transferee_ == to) return {};  // already under way
  if (lead_transferee_ != kNoNode)
    abort_leader_transfer("a transfer to another node was asked for");
  lead_transferee_ = to;
  election_elapsed_ = 0;  // the transfer has one election timeout to succeed
  trace([&](pb::Event& e) { e.mutable_transfer_started()->set_target(to); });
  if (tracker_.progress(to).match == log_.last_index()) {
    send_timeout_now(to);
  } else {
    send_append(to);
  }
  return {};
}

void Node::send_timeout_now(NodeId to) {
  pb::Message m;
  m.set_type(pb::TIMEOUT_NOW_REQUEST);
  m.set_to(to);
  send(std::move(m));
}

void Node::handle_timeout_now_request(const pb::Message& m) {
  ActionScope scope(*this, "HandleTimeoutNowRequest");
  if (!promotable()) {
    trace_refused("step", "a TimeoutNow to a node that is not a voter", &m);
    return;
  }
  if (unapplied_conf_change()) {
    trace_refused("step", "a TimeoutNow before a committed membership change is applied", &m);
    return;
  }
  start_election(/*pre_vote=*/false, /*transfer=*/true);
}

void Node::abort_leader_transfer(const std::string& reason, bool handed_over) {
  if (lead_transferee_ == kNoNode) return;
  const NodeId target = std::exchange(lead_transferee_, kNoNode);
  trace([&](pb::Event& e) {
    e.mutable_transfer_ended()->set_target(target);
    e.mutable_transfer_ended()->set_reason(reason);
    e.mutable_transfer_ended()->set_handed_over(handed_over);
  });
}

}  // namespace etcetera::raft
