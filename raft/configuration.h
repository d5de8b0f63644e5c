// Configuration: who the members are, and the arithmetic of changing them by
// joint consensus (thesis 4.3). A pure type: no messages, no storage.
//
// A change moves the cluster in two steps, each a log entry:
//   C_old  --enter-->  C_old,new (joint)  --leave-->  C_new
// While joint, every decision (an election, a commit, a ReadIndex round,
// CheckQuorum) needs a majority of C_old and a majority of C_new.
#pragma once

#include <set>
#include <string>

#include "raft/error.h"
#include "raft/quorum.h"
#include "raft/raft.pb.h"

namespace etcetera::raft {

// Two majorities, of which the outgoing one is empty outside a change.
class JointConfig {
 public:
  JointConfig() = default;
  JointConfig(MajorityConfig incoming, MajorityConfig outgoing)
      : incoming_(std::move(incoming)), outgoing_(std::move(outgoing)) {}

  const MajorityConfig& incoming() const { return incoming_; }
  const MajorityConfig& outgoing() const { return outgoing_; }
  bool joint() const { return !outgoing_.voters().empty(); }
  bool contains(NodeId id) const { return incoming_.contains(id) || outgoing_.contains(id); }
  std::set<NodeId> ids() const;

  // Both majorities must agree; an empty outgoing majority always agrees.
  Index committed_index(const std::map<NodeId, Index>& match) const;
  VoteResult vote_result(const std::map<NodeId, bool>& votes) const;
  bool has_quorum(const std::set<NodeId>& ids) const;

  std::string describe() const;  // "(1 2 3)" or "(1 2 4)&&(1 2 3)"

 private:
  MajorityConfig incoming_;
  MajorityConfig outgoing_;
};

struct Configuration {
  JointConfig voters;
  std::set<NodeId> learners;
  std::set<NodeId> learners_next;  // outgoing voters that become learners on leaving

  static Configuration from_conf_state(const pb::ConfState& cs);
  pb::ConfState to_conf_state() const;
  bool is_member(NodeId id) const {
    return voters.contains(id) || learners.contains(id) || learners_next.contains(id);
  }
  std::set<NodeId> members() const;
  std::string describe() const;  // "voters=(1 2 3) learners=(4)"
};

// The configuration after applying `cc` to `current`. A change with steps
// enters the joint configuration; an empty one leaves it. Refused (with a
// reason) when the change cannot be made: entering while already joint,
// leaving while not joint, removing every voter, a step naming node 0,
// or two steps for one node.
[[nodiscard]] Result<Configuration> apply_conf_change(const Configuration& current,
                                                      const pb::ConfChange& cc);

std::string describe(const pb::ConfChange& cc);  // "add-voter 4 remove 2" or "leave joint"

}  // namespace etcetera::raft
