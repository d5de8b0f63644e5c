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
//                     Which entries are membership changes: Started and
//                     EntriesAppended.conf_indexes.
//   snapshotIndex  <- Started.first_index - 1, SnapshotRestored, LogCompacted
//   Config(i)      <- Started.conf_state, then ConfChanged and SnapshotRestored:
//                     the configuration the node has applied (the spec's is as
//                     of the commit index; the C++ takes one on apply)
//   committed      <- each rise of a commit index, with the committing term
//   votesGranted   <- granted RequestVoteResponses a candidate received
//                     (pre-votes: kept by the step validator, spec/raft_steps.h)
//   matchIndex     <- successful AppendEntriesResponses a leader received
//   (reads, not in Raft.tla) <- ReadIndexRequested / ReadIndexReleased
//
// Every event also goes through the step validator before the view absorbs
// it: disallowed_steps() lists the steps Raft.tla's Next does not allow, and
// coverage() counts the spec's actions and branches the trace went through.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "raft/trace.pb.h"
#include "spec/raft_steps.h"

namespace etcetera::spec {

using NodeId = std::uint64_t;
using Index = std::uint64_t;
using Term = std::uint64_t;

// A configuration as Raft.tla has it: two voter sets, joint iff the outgoing
// one is not empty (learners are not modelled). Both sets sorted.
struct ConfigView {
  std::vector<NodeId> incoming;
  std::vector<NodeId> outgoing;

  static ConfigView from(const raft::pb::ConfState& cs);
  bool joint() const { return !outgoing.empty(); }
  bool is_voter(NodeId id) const {
    return std::ranges::binary_search(incoming, id) || std::ranges::binary_search(outgoing, id);
  }
  // IsQuorum(S, c): `holds` accepts the members of S; a majority of each
  // voter set (both while joint).
  template <class Holds>
  bool is_quorum(Holds&& holds) const {
    return majority(incoming, holds) && (!joint() || majority(outgoing, holds));
  }
  std::string describe() const;  // "(1 2 3)", or "(1 2 4)&&(1 2 3)" while joint

 private:
  template <class Holds>
  static bool majority(const std::vector<NodeId>& voters, Holds& holds) {
    std::size_t n = 0;
    for (NodeId id : voters)
      n += holds(id) ? 1 : 0;
    return 2 * n > voters.size();
  }
};

struct NodeView {
  raft::pb::Role role = raft::pb::FOLLOWER;
  Term current_term = 0;
  NodeId voted_for = 0;
  NodeId leader = 0;  // not a spec variable: the leader the node knows of
  Index commit_index = 0;
  std::vector<Term> log;                 // log[k - 1] is the term of entry k
  std::vector<Index> conf_entries;       // the membership-change entries of log, ascending
  Index snapshot_index = 0;              // entries through it are in the snapshot
  Term snapshot_term = 0;                // the term of entry snapshot_index
  ConfigView config;                     // as of the last membership entry applied
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
  // Membership changes that did not follow the chain of ConfigChainInv, each
  // described: an entry applied (or refused) against the configuration before it.
  const std::vector<std::string>& config_chain_breaks() const { return config_chain_breaks_; }
  // Steps the spec's next-state relation does not allow (spec/raft_steps.h),
  // each described; the first few hundred are kept.
  const std::vector<std::string>& disallowed_steps() const { return steps_.violations(); }
  // How often each action and branch of Raft.tla was taken (spec/coverage.h).
  const Coverage& coverage() const { return steps_.coverage(); }
  // How many events the view has absorbed; the first is event 1.
  std::uint64_t events() const { return events_; }

 private:
  void apply_state(NodeId id, NodeView& node, const raft::pb::NodeState& state);
  void record_commits(NodeView& node, Index from, Index to);
  void apply_conf_change(NodeId id, NodeView& node, const raft::pb::ConfChanged& c);

  std::map<NodeId, NodeView> nodes_;
  std::map<Index, CommittedEntry> committed_;
  std::map<Term, std::vector<NodeId>> leaders_;
  std::vector<std::string> commit_conflicts_;
  // Per node and read context: the highest index committed anywhere when
  // the read was asked for. Its read index must be at least that.
  std::map<std::pair<NodeId, std::string>, Index> read_floor_;
  std::vector<std::string> stale_reads_;
  std::vector<std::string> config_chain_breaks_;
  StepValidator steps_;
  std::uint64_t events_ = 0;
};

}  // namespace etcetera::spec
