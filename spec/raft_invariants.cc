#include "spec/raft_invariants.h"

#include <algorithm>

namespace etcetera::spec {
namespace {

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

Term last_term(const NodeView& node) {
  return node.log.empty() ? 0 : node.log.back();
}

}  // namespace

Violation check_election_safety_inv(const ClusterView& v) {
  for (const auto& [term, ids] : v.leaders())
    if (ids.size() > 1)
      return "nodes " + n(ids[0]) + " and " + n(ids[1]) + " both led term " + n(term);
  return std::nullopt;
}

Violation check_log_matching_inv(const ClusterView& v) {
  for (const auto& [i, a] : v.nodes()) {
    for (const auto& [j, b] : v.nodes()) {
      if (i >= j) continue;
      const std::size_t len = std::min(a.log.size(), b.log.size());
      // Scanning down: once an index matches, everything below must match too.
      bool matched = false;
      for (std::size_t k = len; k >= 1; --k) {
        const bool same = a.log[k - 1] == b.log[k - 1];
        if (matched && !same)
          return "nodes " + n(i) + " and " + n(j) + " agree on a later entry but differ at index " +
                 n(k);
        matched = matched || same;
      }
    }
  }
  return std::nullopt;
}

Violation check_leader_completeness_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes()) {
    if (node.role != raft::pb::LEADER) continue;
    for (const auto& [index, c] : v.committed()) {
      if (c.commit_term > node.current_term) continue;
      if (index > node.log.size() || node.log[index - 1] != c.term)
        return "leader " + n(id) + " of term " + n(node.current_term) + " lacks committed entry " +
               n(index) + "/" + n(c.term);
    }
  }
  return std::nullopt;
}

Violation check_state_machine_safety_inv(const ClusterView& v) {
  if (!v.commit_conflicts().empty()) return v.commit_conflicts().front();
  for (const auto& [i, a] : v.nodes()) {
    for (const auto& [j, b] : v.nodes()) {
      if (i >= j) continue;
      const Index upto =
          std::min({a.commit_index, b.commit_index, Index(a.log.size()), Index(b.log.size())});
      for (Index k = 1; k <= upto; ++k)
        if (a.log[k - 1] != b.log[k - 1])
          return "nodes " + n(i) + " and " + n(j) + " both committed index " + n(k) +
                 " with terms " + n(a.log[k - 1]) + " and " + n(b.log[k - 1]);
    }
  }
  return std::nullopt;
}

Violation check_committed_in_history_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes()) {
    for (Index k = 1; k <= node.commit_index && k <= node.log.size(); ++k) {
      auto it = v.committed().find(k);
      if (it == v.committed().end() || it->second.term != node.log[k - 1])
        return "node " + n(id) + " takes " + n(k) + "/" + n(node.log[k - 1]) +
               " as committed, but no such commit was recorded";
    }
  }
  return std::nullopt;
}

Violation check_log_terms_monotonic_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    for (std::size_t k = 1; k < node.log.size(); ++k)
      if (node.log[k - 1] > node.log[k])
        return "node " + n(id) + "'s log goes from term " + n(node.log[k - 1]) + " down to " +
               n(node.log[k]) + " at index " + n(k + 1);
  return std::nullopt;
}

Violation check_current_term_at_least_log_term_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    if (last_term(node) > node.current_term)
      return "node " + n(id) + " in term " + n(node.current_term) + " holds an entry of term " +
             n(last_term(node));
  return std::nullopt;
}

Violation check_commit_index_in_log_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    if (node.commit_index > node.log.size())
      return "node " + n(id) + " commit index " + n(node.commit_index) + " is past its log of " +
             n(node.log.size());
  return std::nullopt;
}

Violation check_voted_for_leader_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    if ((node.role == raft::pb::CANDIDATE || node.role == raft::pb::LEADER) && node.voted_for != id)
      return "node " + n(id) + " is " + (node.role == raft::pb::LEADER ? "leader" : "candidate") +
             " of term " + n(node.current_term) + " but voted for " + n(node.voted_for);
  return std::nullopt;
}

Violation check_leader_log_has_noop_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    if (node.role == raft::pb::LEADER &&
        std::ranges::find(node.log, node.current_term) == node.log.end())
      return "leader " + n(id) + " of term " + n(node.current_term) + " has no entry of its term";
  return std::nullopt;
}

Violation check_candidate_votes_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes()) {
    if (node.role != raft::pb::CANDIDATE) continue;
    for (const auto& [voter, granted] : node.votes_granted) {
      auto it = v.nodes().find(voter);
      if (!granted || it == v.nodes().end()) continue;
      if (it->second.current_term == node.current_term && it->second.voted_for != id)
        return "candidate " + n(id) + " counts a vote from " + n(voter) + ", who voted for " +
               n(it->second.voted_for) + " in term " + n(node.current_term);
    }
  }
  return std::nullopt;
}

Violation check_match_index_inv(const ClusterView& v) {
  for (const auto& [id, leader] : v.nodes()) {
    if (leader.role != raft::pb::LEADER) continue;
    for (const auto& [peer, match] : leader.match_index) {
      auto it = v.nodes().find(peer);
      if (it == v.nodes().end() || it->second.current_term != leader.current_term) continue;
      const auto& log = it->second.log;
      if (match > log.size() || match > leader.log.size() ||
          !std::equal(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(match),
                      leader.log.begin()))
        return "leader " + n(id) + " believes node " + n(peer) + " matches through " + n(match) +
               ", but their logs differ there";
    }
  }
  return std::nullopt;
}

Violation check_snapshot_committed_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    if (node.snapshot_index > node.commit_index)
      return "node " + n(id) + "'s snapshot through " + n(node.snapshot_index) +
             " is past its commit index " + n(node.commit_index);
  return std::nullopt;
}

Violation check_config_chain_inv(const ClusterView& v) {
  if (v.config_chain_breaks().empty()) return std::nullopt;
  return v.config_chain_breaks().front();
}

Violation check_leader_one_pending_conf_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes()) {
    if (node.role != raft::pb::LEADER) continue;
    Index first = 0;  // the first uncommitted membership entry, once found
    for (Index k : node.conf_entries) {
      auto it = v.committed().find(k);
      if (it != v.committed().end() && it->second.term == node.log[k - 1]) continue;
      if (first != 0)
        return "leader " + n(id) + " of term " + n(node.current_term) +
               " holds uncommitted membership entries " + n(first) + " and " + n(k);
      first = k;
    }
  }
  return std::nullopt;
}

Violation check_leader_is_voter_inv(const ClusterView& v) {
  for (const auto& [id, node] : v.nodes())
    if (node.role == raft::pb::LEADER && node.config.joint() && !node.config.is_voter(id))
      return "leader " + n(id) + " of term " + n(node.current_term) +
             " is not a voter of its joint configuration " + node.config.describe();
  return std::nullopt;
}

Violation check_read_index_inv(const ClusterView& v) {
  if (v.stale_reads().empty()) return std::nullopt;
  return v.stale_reads().front();
}

Violation check_next_steps(const ClusterView& v) {
  if (v.disallowed_steps().empty()) return std::nullopt;
  return v.disallowed_steps().front();
}

const std::vector<NamedInvariant>& raft_invariants() {
  static const std::vector<NamedInvariant> all = {
      {"Next", check_next_steps},  // steps, not a state
      {"ElectionSafetyInv", check_election_safety_inv},
      {"LogMatchingInv", check_log_matching_inv},
      {"LeaderCompletenessInv", check_leader_completeness_inv},
      {"StateMachineSafetyInv", check_state_machine_safety_inv},
      {"CommittedInHistoryInv", check_committed_in_history_inv},
      {"LogTermsMonotonicInv", check_log_terms_monotonic_inv},
      {"CurrentTermAtLeastLogTermInv", check_current_term_at_least_log_term_inv},
      {"CommitIndexInLogInv", check_commit_index_in_log_inv},
      {"VotedForLeaderInv", check_voted_for_leader_inv},
      {"LeaderLogHasNoopInv", check_leader_log_has_noop_inv},
      {"CandidateVotesInv", check_candidate_votes_inv},
      {"MatchIndexInv", check_match_index_inv},
      {"SnapshotCommittedInv", check_snapshot_committed_inv},
      {"ConfigChainInv", check_config_chain_inv},
      {"LeaderOnePendingConfInv", check_leader_one_pending_conf_inv},
      {"LeaderIsVoterInv", check_leader_is_voter_inv},
      {"ReadIndexInv", check_read_index_inv},  // beyond Raft.tla: reads by clients
  };
  return all;
}

Violation check_raft_invariants(const ClusterView& v) {
  for (const auto& inv : raft_invariants())
    if (auto why = inv.check(v)) return std::string(inv.name) + ": " + *why;
  return std::nullopt;
}

}  // namespace etcetera::spec
