#include "raft/configuration.h"

#include <algorithm>

namespace etcetera::raft {
namespace {

std::string set_text(const std::set<NodeId>& ids) {
  std::string out = "(";
  for (NodeId id : ids)
    out += (out.size() > 1 ? " " : "") + std::to_string(id);
  return out + ")";
}

std::string n(NodeId id) {
  return std::to_string(id);
}

}  // namespace

std::set<NodeId> JointConfig::ids() const {
  std::set<NodeId> out = incoming_.voters();
  out.insert(outgoing_.voters().begin(), outgoing_.voters().end());
  return out;
}

Index JointConfig::committed_index(const std::map<NodeId, Index>& match) const {
  const Index in = incoming_.committed_index(match);
  return joint() ? std::min(in, outgoing_.committed_index(match)) : in;
}

VoteResult JointConfig::vote_result(const std::map<NodeId, bool>& votes) const {
  const VoteResult in = incoming_.vote_result(votes);
  if (!joint()) return in;
  const VoteResult out = outgoing_.vote_result(votes);
  if (in == VoteResult::kLost || out == VoteResult::kLost) return VoteResult::kLost;
  if (in == VoteResult::kWon && out == VoteResult::kWon) return VoteResult::kWon;
  return VoteResult::kPending;
}

bool JointConfig::has_quorum(const std::set<NodeId>& ids) const {
  return incoming_.has_quorum(ids) && (!joint() || outgoing_.has_quorum(ids));
}

std::string JointConfig::describe() const {
  return incoming_.describe() + (joint() ? "&&" + outgoing_.describe() : "");
}

Configuration Configuration::from_conf_state(const pb::ConfState& cs) {
  Configuration c;
  c.voters =
      JointConfig(MajorityConfig({cs.voters().begin(), cs.voters().end()}),
                  MajorityConfig({cs.voters_outgoing().begin(), cs.voters_outgoing().end()}));
  c.learners = {cs.learners().begin(), cs.learners().end()};
  c.learners_next = {cs.learners_next().begin(), cs.learners_next().end()};
  return c;
}

pb::ConfState Configuration::to_conf_state() const {
  pb::ConfState cs;
  for (NodeId id : voters.incoming().voters())
    cs.add_voters(id);
  for (NodeId id : learners)
    cs.add_learners(id);
  for (NodeId id : voters.outgoing().voters())
    cs.add_voters_outgoing(id);
  for (NodeId id : learners_next)
    cs.add_learners_next(id);
  return cs;
}

std::set<NodeId> Configuration::members() const {
  std::set<NodeId> out = voters.ids();
  out.insert(learners.begin(), learners.end());
  out.insert(learners_next.begin(), learners_next.end());
  return out;
}

std::string Configuration::describe() const {
  std::string out = "voters=" + voters.describe();
  if (!learners.empty()) out += " learners=" + set_text(learners);
  if (!learners_next.empty()) out += " learners_next=" + set_text(learners_next);
  return out;
}

Result<Configuration> apply_conf_change(const Configuration& current, const pb::ConfChange& cc) {
  using C = Error::Code;
  if (cc.changes().empty()) {
    if (!current.voters.joint())
      return fail(C::kInvalidArgument, "the configuration is not joint: there is nothing to leave");
    Configuration next = current;
    next.voters = JointConfig(current.voters.incoming(), MajorityConfig());
    next.learners.insert(current.learners_next.begin(), current.learners_next.end());
    next.learners_next.clear();
    return next;
  }
  if (current.voters.joint())
    return fail(C::kInvalidArgument,
                "a membership change is already in progress (the configuration is joint)");
  const std::set<NodeId>& old_voters = current.voters.incoming().voters();
  std::set<NodeId> voters = old_voters;
  Configuration next = current;
  std::set<NodeId> seen;
  for (const auto& step : cc.changes()) {
    const NodeId id = step.node();
    if (id == kNoNode) return fail(C::kInvalidArgument, "node id 0 is reserved for 'no node'");
    if (!seen.insert(id).second)
      return fail(C::kInvalidArgument, "node " + n(id) + " appears twice in one change");
    switch (step.type()) {
      case pb::ADD_VOTER:
        if (voters.contains(id))
          return fail(C::kInvalidArgument, "node " + n(id) + " is already a voter");
        next.learners.erase(id);
        voters.insert(id);
        break;
      case pb::ADD_LEARNER:
        if (next.learners.contains(id))
          return fail(C::kInvalidArgument, "node " + n(id) + " is already a learner");
        if (voters.erase(id) > 0 && old_voters.contains(id)) {
          next.learners_next.insert(
              id);  // it still votes in the outgoing half until the change ends
        } else {
          next.learners.insert(id);
        }
        break;
      case pb::REMOVE_NODE:
        if (!voters.contains(id) && !next.learners.contains(id))
          return fail(C::kInvalidArgument, "node " + n(id) + " is not a member");
        voters.erase(id);
        next.learners.erase(id);
        break;
      default:
        return fail(C::kInvalidArgument, "unknown change type " + std::to_string(step.type()));
    }
  }
  if (voters.empty())
    return fail(C::kInvalidArgument,
                "the change would leave no voter: removing the last voter is refused");
  next.voters = JointConfig(MajorityConfig(voters), MajorityConfig(old_voters));
  return next;
}

std::string describe(const pb::ConfChange& cc) {
  if (cc.changes().empty()) return "leave joint";
  std::string out;
  for (const auto& step : cc.changes()) {
    if (!out.empty()) out += " ";
    out += step.type() == pb::ADD_VOTER     ? "add-voter "
           : step.type() == pb::ADD_LEARNER ? "add-learner "
                                            : "remove ";
    out += n(step.node());
  }
  return out;
}

}  // namespace etcetera::raft
