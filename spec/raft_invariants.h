// The invariants of spec/Raft.tla as C++ predicates over a ClusterView, one
// function per invariant with the spec's name in snake case
// (LogMatchingInv -> check_log_matching_inv). Each returns nothing when the
// invariant holds, or a sentence saying where it fails.
//
// Differences from the spec, all forced by what a trace shows:
//   - logs are compared by terms only (an index and a term identify an entry);
//   - LeaderLogHasNoopInv checks that a leader holds an entry of its term,
//     not that the entry is empty;
//   - Config(i) is the configuration the node has applied, not the one as of
//     its commit index: the C++ takes a configuration when it applies the
//     entry, and a trace shows what an entry changes only then. So
//     LeaderIsVoterInv judges a leader by its applied configuration, and
//     ConfigChainInv judges each membership entry as a node applies it (an
//     entry no node applies is not judged), against the configuration the
//     node had before it;
//   - LeaderOnePendingConfInv counts a leader's membership entries that no
//     node has been seen to commit with that term;
//   - TypeOKInv has no counterpart: the C++ types enforce it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spec/raft_view.h"

namespace etcetera::spec {

using Violation = std::optional<std::string>;

Violation check_election_safety_inv(const ClusterView& v);
Violation check_log_matching_inv(const ClusterView& v);
Violation check_leader_completeness_inv(const ClusterView& v);
Violation check_state_machine_safety_inv(const ClusterView& v);
Violation check_committed_in_history_inv(const ClusterView& v);
Violation check_log_terms_monotonic_inv(const ClusterView& v);
Violation check_current_term_at_least_log_term_inv(const ClusterView& v);
Violation check_commit_index_in_log_inv(const ClusterView& v);
Violation check_voted_for_leader_inv(const ClusterView& v);
Violation check_leader_log_has_noop_inv(const ClusterView& v);
Violation check_candidate_votes_inv(const ClusterView& v);
Violation check_match_index_inv(const ClusterView& v);
Violation check_snapshot_committed_inv(const ClusterView& v);
Violation check_config_chain_inv(const ClusterView& v);
Violation check_leader_one_pending_conf_inv(const ClusterView& v);
Violation check_leader_is_voter_inv(const ClusterView& v);
// Not in Raft.tla, which has no clients: a read released by ReadIndex
// reflects every entry committed before the read was asked for (thesis 6.4).
Violation check_read_index_inv(const ClusterView& v);
// A check of steps rather than of a state: every step seen in the trace is
// one Raft.tla's Next allows (spec/raft_steps.h). The first disallowed one.
Violation check_next_steps(const ClusterView& v);

struct NamedInvariant {
  const char* name;  // the spec's name, e.g. "LogMatchingInv"
  Violation (*check)(const ClusterView&);
};

// Every check above: first the steps ("Next"), since a step that breaks an
// invariant as well is its cause and names the action at fault; then the
// invariants in the spec's order, then ReadIndexInv.
const std::vector<NamedInvariant>& raft_invariants();

// Runs them all; the first violation as "LogMatchingInv: ...", or nothing.
Violation check_raft_invariants(const ClusterView& v);

}  // namespace etcetera::spec
