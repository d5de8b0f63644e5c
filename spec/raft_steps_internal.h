// The inside of the step validator (spec/raft_steps.h), shared by its two
// source files: raft_steps.cc judges the state changes an event shows (the
// frame, terms, votes, roles, commits, restarts), raft_steps_messages.cc the
// messages a node receives and sends and what its handlers do with them.
// Not for use outside spec/.
#pragma once

#include <string>
#include <string_view>

#include "spec/raft_steps.h"
#include "spec/raft_view.h"

namespace etcetera::spec::steps {

namespace pb = raft::pb;

// The actions the implementation names in its trace.
enum class Act {
  kUnknown,
  kRestart,
  kTick,
  kTimeout,
  kBecomePreCandidate,
  kBecomeCandidate,
  kBecomeLeader,
  kClientRequest,
  kProposeConfChange,
  kLeaveJoint,
  kApplyConfChange,
  kCompact,
  kInstallSnapshot,  // SendSnapshot in the spec
  kAppendEntries,
  kHeartbeat,  // an AppendEntries with no entry
  kAdvanceCommitIndex,
  kCheckQuorum,
  kReceive,
  kUpdateTerm,
  kDropStaleMessage,
  kHandleRequestVoteRequest,
  kHandleRequestVoteResponse,
  kHandleAppendEntriesRequest,
  kHandleAppendEntriesResponse,
  kHandleHeartbeatRequest,
  kHandleHeartbeatResponse,
  kHandleInstallSnapshotRequest,
  kReadIndex,
  kHandleReadIndexRequest,
  kHandleReadIndexResponse,
  kAdvance,
  kTransferLeadership,
  kHandleTimeoutNowRequest,
};

// The spec variables of one server that an event may change.
enum Var : unsigned {
  kTerm = 1,
  kVote = 2,
  kRole = 4,
  kLog = 8,
  kCommit = 16,
  kSnapshot = 32,
};

struct ActionInfo {
  std::string_view name;
  Act act;
  unsigned may_change;  // the Vars the spec counterpart does not leave UNCHANGED
};

// The action an event names; kUnknown (and may_change 0) for anything else.
const ActionInfo& action_info(std::string_view name);

std::string n(std::uint64_t v);
std::string role_name(pb::Role role);
std::string type_name(pb::MessageType type);
std::string a_type(pb::MessageType type);  // "a PreVoteRequest", "an AppendEntriesRequest"

inline Term term_at(const NodeView& node, Index k) {
  return k == 0 || k > node.log.size() ? 0 : node.log[k - 1];
}
inline Term last_term(const NodeView& node) {
  return node.log.empty() ? 0 : node.log.back();
}
// LogUpToDate(i, lastTerm, lastIndex): the election restriction (3.6.1).
inline bool log_up_to_date(const NodeView& node, Term last, Index index) {
  return last > last_term(node) || (last == last_term(node) && index >= node.log.size());
}
// AdoptsTerm(m): every message but a pre-vote request and a granted
// pre-vote answer makes its receiver take its (higher) term.
inline bool adopts_term(pb::MessageType type, bool reject) {
  return !(type == pb::PRE_VOTE_REQUEST || (type == pb::PRE_VOTE_RESPONSE && !reject));
}
// A membership-change entry above the commit index (not NoPendingConf).
inline bool conf_pending(const NodeView& node) {
  return !node.conf_entries.empty() && node.conf_entries.back() > node.commit_index;
}
// Agree(k) of AdvanceCommitIndex is a quorum of the leader's configuration:
// the leader holds every entry, a peer those up to its matchIndex (`extra`
// raises one peer's, for an answer not yet in the view).
bool quorum_holds(const NodeView& leader, NodeId self, Index k, NodeId extra_from = 0,
                  Index extra_index = 0);
// The highest index quorum_holds, 0 if none.
Index quorum_index(const NodeView& leader, NodeId self, NodeId extra_from = 0,
                   Index extra_index = 0);
std::string ids_text(const std::set<NodeId>& ids);

// One event under judgement: the node's state before it, the event (with the
// state after it), and what the validator remembers of the node.
class Step {
 public:
  Step(const ClusterView& view, const NodeView& before, const pb::Event& e, std::uint64_t number,
       std::map<NodeId, StepValidator::NodeSteps>& nodes, Coverage& coverage,
       std::vector<std::string>& violations);
  void run();

 private:
  // raft_steps.cc
  void fail(const std::string& why);
  bool check_frame();
  void check_handler();
  void check_event();
  void check_term_change();
  void check_vote_change();
  void check_role_change();
  void check_commit_change();
  void check_restart();
  void check_compacted();
  void check_conf_changed();
  void check_appended_one();
  void finish();

  // raft_steps_messages.cc
  void received();
  void count_response(const pb::Message& m);
  void sent();
  void check_vote_reply(const pb::Message& m);
  void check_append_request(const pb::Message& m);
  void check_append_reply(const pb::Message& m);
  void vote_verdict(bool granted);
  void expect();
  void expect_append();
  void expect_heartbeat();
  void expect_snapshot();
  void appended_by_handler();
  void snapshot_restored();
  void refused();
  bool is_handled(const pb::Message& m) const;

  const ClusterView& view_;
  const NodeView& before_;
  const pb::Event& e_;
  const pb::NodeState& s_;  // the state after the event
  std::uint64_t number_;
  NodeId id_;
  const ActionInfo& action_;
  std::map<NodeId, StepValidator::NodeSteps>& nodes_;
  StepValidator::NodeSteps& ctx_;
  Coverage& coverage_;
  std::vector<std::string>& violations_;
};

}  // namespace etcetera::spec::steps
