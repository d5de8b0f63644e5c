// Trace validation: every step the implementation takes, as its trace shows
// it, must be a step spec/Raft.tla's next-state relation allows (or a
// stuttering step, which changes no spec variable).
//
// The C++ reports a step as a run of events, each naming the action in
// progress (raft::Node::ActionScope): Node::step records MessageReceived, then
// UpdateTerm's events, then the handler's, and nested actions (BecomeLeader
// inside HandleRequestVoteResponse, AdvanceCommitIndex inside
// HandleAppendEntriesResponse, AppendEntries after either) carry their own
// names. The validator judges each event on its own, as a part of the action
// it names, from three things: the node's spec state before the event (the
// ClusterView's record of it), the event with the state after it, and, for a
// handler, the message being handled (the node's last MessageReceived).
//
// Per event it checks:
//   - the frame: a change to currentTerm, votedFor, role, log, commitIndex or
//     snapshotIndex under an action whose spec counterpart leaves that
//     variable UNCHANGED is disallowed;
//   - the enabling condition and the effect of the action, transcribed from
//     Raft.tla (spec/README.md lists what each check covers);
//   - the term rule of Node::step: after a message whose term is above the
//     node's and that AdoptsTerm says it must adopt, only UpdateTerm is
//     enabled, so the node's next event must be UpdateTerm's;
//   - that a handler's reply is the one the spec's handler sends, and that
//     the handler had made its changes by the time it replied.
//
// The C++ actions the spec lacks map to the spec action they refine or to a
// stuttering step (the table in spec/README.md): a Heartbeat is an
// AppendEntries with no entry, HandleHeartbeatRequest a
// HandleAppendEntriesRequest that carries only a commit index, InstallSnapshot
// is SendSnapshot; Tick, Advance, the ReadIndex actions and the leadership
// transfer actions change no spec variable themselves.
//
// Cost: a few comparisons per event, a log scan only where a handler looks at
// the log (the consistency check and the conflict hint).
//
// Thread-safety: none; a StepValidator belongs to one ClusterView.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "raft/trace.pb.h"
#include "spec/coverage.h"

namespace etcetera::spec {

using NodeId = std::uint64_t;
using Index = std::uint64_t;
using Term = std::uint64_t;

class ClusterView;
struct NodeView;

class StepValidator {
 public:
  // Judges event number `number` of the trace. `before` is the view's record
  // of the reporting node before the event; `view` is the rest of the cluster,
  // also before it. Records a violation, and counts the branch taken.
  void check(const ClusterView& view, const NodeView& before, const raft::pb::Event& e,
             std::uint64_t number);

  // Each disallowed step, as "<action> at node <id> (event <n>): <why>".
  const std::vector<std::string>& violations() const { return violations_; }
  const Coverage& coverage() const { return coverage_; }

  // The message a node is handling: what of the last MessageReceived the
  // handlers' checks read.
  struct Handled {
    bool active = false;
    raft::pb::MessageType type = raft::pb::MESSAGE_UNKNOWN;
    NodeId from = 0;
    Term term = 0;
    Index index = 0;  // prevLogIndex, a candidate's last index, or an answer's index
    Term log_term = 0;
    Index commit = 0;
    bool reject = false;
    std::vector<Term> entry_terms;    // of entries index + 1, index + 2, ...
    std::vector<bool> entry_is_conf;  // which of them are membership changes
    Index snapshot_index = 0;
    Term snapshot_term = 0;
  };

  // What the spec's handler does with the message being handled, worked out
  // at the handler's first event from the node's state then.
  struct Expected {
    bool ready = false;
    Branch branch = Branch::kCount;
    Index first_write = 0;  // the first entry to write; 0: the log stays as it is
    Index commit = 0;       // commitIndex after the step
    bool restore = false;   // the log becomes the snapshot
    bool reject = false;    // the reply
    Index reply_index = 0;
    Term conflict_term = 0;
    Index conflict_index = 0;
    bool wrote = false;     // the handler has written what it had to
    bool restored = false;  // the handler has installed the snapshot
  };

  // What the validator remembers of each node between its events.
  struct NodeSteps {
    bool started = false;
    Handled msg;
    Term must_adopt = 0;  // non-zero: only UpdateTerm to this term is enabled
    raft::pb::Role role_at_receive = raft::pb::FOLLOWER;
    int last_act = 0;  // the action of the node's previous event (steps::Act)
    Expected expected;
    int vote_verdict = -1;  // HandleRequestVoteRequest: -1 none yet, 0 refused, 1 granted
    // The pre-vote round (votesGranted of a PreCandidate, as the spec counts
    // them: granted answers that echo the term asked about).
    bool round_open = false;
    std::set<NodeId> round_asked;
    std::set<NodeId> prevotes;
    bool leader_noop = false;  // BecomeLeader has appended its no-op this candidacy
    // What other nodes have seen this node persist: a message that is sent
    // only after persisting (a vote request or answer, an append answer) was
    // delivered. A restart must not lose it.
    Term persisted_term = 0;
    Term persisted_vote_term = 0;
    NodeId persisted_vote = 0;
    Index persisted_snapshot = 0;  // compacted in storage (Compact writes at once)
  };

 private:
  std::map<NodeId, NodeSteps> nodes_;
  Coverage coverage_;
  std::vector<std::string> violations_;
};

}  // namespace etcetera::spec
