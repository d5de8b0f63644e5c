// Coverage of spec/Raft.tla by a trace: how often each TLA+ action was
// taken, and each branch of its enabling condition or of its IF. The list of
// actions and branches is fixed, so a branch no run reached shows as a zero:
// that is what the random schedules never exercise.
//
// The step validator (spec/raft_steps.h) counts a branch when the trace shows
// the implementation taking it, in the spec's terms: the C++ actions that
// refine a spec action count toward it (a Heartbeat is an AppendEntries with
// no entry), and a few branches exist only in the C++ (marked "C++ only");
// they are listed under the spec action whose step they replace. A branch
// named "not enabled" counts refusals: the action was asked for but its
// enabling condition was false, so no step was taken.
//
// Thread-safety: none; a Coverage belongs to one ClusterView.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace etcetera::spec {

// One enumerator per branch, grouped by action in the order of Raft.tla's
// actions and handlers.
enum class Branch : std::uint8_t {
  kTimeoutPreVote,
  kTimeoutCandidate,
  kTimeoutTransfer,
  kTimeoutRefusedLeader,
  kTimeoutRefusedNotVoter,
  kTimeoutRefusedUnapplied,
  kBecomePreCandidateFromFollower,
  kBecomePreCandidateNewRound,
  kBecomePreCandidateFromCandidate,
  kBecomeCandidateAfterPreVote,
  kBecomeCandidateDirect,
  kBecomeLeaderQuorum,
  kClientRequestAppended,
  kClientRequestNotLeader,
  kClientRequestRefused,
  kProposeConfChangeAppended,
  kProposeConfChangeNotLeader,
  kProposeConfChangeJointOrPending,
  kProposeConfChangeRefused,
  kLeaveJointAppended,
  kApplyConfChangeStepsDown,
  kApplyConfChangeApplied,
  kApplyConfChangeRefused,
  kCompactCompacted,
  kSendSnapshotSent,
  kAppendEntriesWithEntries,
  kAppendEntriesEmpty,
  kAppendEntriesHeartbeat,
  kAdvanceCommitIndexCommits,
  kAdvanceCommitIndexEarlierTerm,
  kAdvanceCommitIndexNothingNew,
  kCheckQuorumStepsDown,
  kRestartInit,
  kRestartNoSnapshot,
  kRestartFromSnapshot,
  kUpdateTermFollower,
  kUpdateTermCandidate,
  kUpdateTermLeader,
  kDropStaleMessageDropped,
  kDropStaleMessageAnswered,
  kRequestVotePreVoteGranted,
  kRequestVotePreVoteGrantedOwnTerm,
  kRequestVotePreVoteRefused,
  kRequestVoteGranted,
  kRequestVoteRefusedLog,
  kRequestVoteRefusedVoted,
  kRequestVoteRefusedLeaderKnown,
  kVoteResponsePreVoteCounted,
  kVoteResponsePreVoteQuorum,
  kVoteResponseVoteCounted,
  kVoteResponseVoteQuorum,
  kVoteResponseRejection,
  kVoteResponseNotCounted,
  kVoteResponseLost,
  kAppendRequestBelowCommit,
  kAppendRequestNoEntries,
  kAppendRequestAlreadyHeld,
  kAppendRequestAppends,
  kAppendRequestTruncates,
  kAppendRequestRejects,
  kAppendRequestHeartbeat,
  kAppendRequestHeartbeatRefused,
  kSnapshotRequestRefused,
  kSnapshotRequestKeepsSuffix,
  kSnapshotRequestReplacesLog,
  kAppendResponseNotLeader,
  kAppendResponseSuccess,
  kAppendResponseRejection,
  kAppendResponseIgnored,
  kAppendResponseHeartbeat,
  kDropMessageRefused,
  kDropMessageIgnoredInRole,
  kDropMessageLeaderLease,
  kCount,  // not a branch: the number of branches
};

inline constexpr std::size_t kBranchCount = static_cast<std::size_t>(Branch::kCount);

struct BranchInfo {
  std::string_view action;  // the TLA+ action, e.g. "HandleAppendEntriesRequest"
  std::string_view branch;  // the branch, in words
};

// The action and words of a branch.
const BranchInfo& branch_info(Branch b);

// The 22 actions of Raft.tla that the table lists, in the spec's order.
const std::vector<std::string_view>& spec_actions();

class Coverage {
 public:
  void add(Branch b) { ++counts_[static_cast<std::size_t>(b)]; }
  // Adds another run's counts: coverage over a campaign of schedules.
  void merge(const Coverage& other);

  std::uint64_t count(Branch b) const { return counts_[static_cast<std::size_t>(b)]; }
  // How often the action was taken (or refused): the sum of its branches.
  std::uint64_t count(std::string_view action) const;
  // The branches never taken, in the table's order.
  std::vector<Branch> unreached() const;

  // Every action with its total, then each of its branches indented, one per
  // line, counts aligned on the right.
  std::string table() const;

 private:
  std::array<std::uint64_t, kBranchCount> counts_{};
};

}  // namespace etcetera::spec
