// ClusterView: the spec-level state of a Raft cluster — the variables of
// spec/Raft.tla — rebuilt from trace events alone. spec/ never looks inside
// the C++ nodes: whatever the invariants judge, the trace has shown.
//
// Mapping from trace to spec variables (spec/README.md has the full table):
//   currentTerm, votedFor, role, commitIndex <- Event.state of every event
//   log            <- Started.terms, EntriesAppended, SnapshotRestored (terms
//                     only: by Log Matching, an index and a term identify an
//                     entry; a snapshot's entries take the terms they were
//                     committed with). Compaction does not shorten the spec's
//                     log: it only moves entries from the log into a snapshot.
//   committed      <- each rise of a commit index, with the committing term
//   votesGranted   <- granted RequestVoteResponses a candidate received
//   matchIndex     <- successful AppendEntriesResponses a leader received
//   (reads, not in Raft.tla) <- ReadIndexRequested / ReadIndexReleased
#pragma once

#include <map>
#include <string>
#include <vector>

#include "raft/trace.pb.h"

namespace etcetera::spec {

using NodeId = std::uint64_t;
using Index = std::uint64_t;
using Term = std::uint64_t;

struct NodeView {
  raft::pb::Role role = raft::pb::FOLLOWER;
  Term current_term = 0;
  NodeId voted_for = 0;
  Index commit_index = 0;
  std::vector<Term> log;                 // log[k - 1] is the term of entry k
  std::map<NodeId, bool> votes_granted;  // in current_term, while a candidate
  std::map<NodeId, Index> match_index;   // in current_term, while the leader
};

// An entry some node took as committed: `commit_term` is the lowest current
// term of a node that held it committed (LeaderCompletenessInv uses it).
struct CommittedEntry {
  Term term;
  Term commit_term;
};

class ClusterView {
 public:
  // Folds one event into the view.
  void apply(const raft::pb::Event& event);

  const std::map<NodeId, NodeView>& nodes() const { return nodes_; }
  const std::map<Index, CommittedEntry>& committed() const { return committed_; }
  // Leaders seen per term, over the whole run (a term with two is a violation).
  const std::map<Term, std::vector<NodeId>>& leaders() const { return leaders_; }
  // Indexes ever committed with two different terms, with both terms.
  const std::vector<std::string>& commit_conflicts() const { return commit_conflicts_; }
  // Reads released at an index below an entry committed before they were
  // asked for: stale reads (thesis 6.4), each described.
  const std::vector<std::string>& stale_reads() const { return stale_reads_; }
  // Steps the spec's actions do not allow, as far as checked so far: a
  // leader's AdvanceCommitIndex to an entry not of its own term.
  const std::vector<std::string>& disallowed_steps() const { return disallowed_steps_; }

 private:
  void apply_state(NodeId id, NodeView& node, const raft::pb::NodeState& state);
  void record_commits(NodeView& node, Index from, Index to);

  std::map<NodeId, NodeView> nodes_;
  std::map<Index, CommittedEntry> committed_;
  std::map<Term, std::vector<NodeId>> leaders_;
  std::vector<std::string> commit_conflicts_;
  // Per node and read context: the highest index committed anywhere when
  // the read was asked for. Its read index must be at least that.
  std::map<std::pair<NodeId, std::string>, Index> read_floor_;
  std::vector<std::string> stale_reads_;
  std::vector<std::string> disallowed_steps_;
};

}  // namespace etcetera::spec
