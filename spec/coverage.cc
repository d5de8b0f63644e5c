#include "spec/coverage.h"

#include <algorithm>

namespace etcetera::spec {
namespace {

// Indexed by Branch: the order of the enumerators.
constexpr std::array<BranchInfo, kBranchCount> kBranches = {{
    {"Timeout", "PreVote: BecomePreCandidate"},
    {"Timeout", "no PreVote: BecomeCandidate"},
    {"Timeout", "TimeoutNow: BecomeCandidate, PreVote skipped (C++ only)"},
    {"Timeout", "not enabled: a leader (refused)"},
    {"Timeout", "not enabled: not a voter (refused)"},
    {"Timeout", "not enabled: a committed membership entry unapplied (refused)"},
    {"BecomePreCandidate", "from Follower"},
    {"BecomePreCandidate", "from PreCandidate: a new round"},
    {"BecomePreCandidate", "from Candidate"},
    {"BecomeCandidate", "after a quorum of pre-votes"},
    {"BecomeCandidate", "directly, by Timeout"},
    {"BecomeLeader", "quorum of votes: appends its no-op"},
    {"ClientRequest", "appended"},
    {"ClientRequest", "not enabled: not the leader (refused)"},
    {"ClientRequest", "refused by a leader: empty, or a transfer (C++ only)"},
    {"ProposeConfChange", "appended"},
    {"ProposeConfChange", "not enabled: not the leader (refused)"},
    {"ProposeConfChange", "not enabled: joint, or a change pending (refused)"},
    {"ProposeConfChange", "refused by a leader: invalid, or a transfer (C++ only)"},
    {"LeaveJoint", "appended"},
    {"ApplyConfChange", "leader not a voter: steps down"},
    {"ApplyConfChange", "configuration applied (C++: effective on apply)"},
    {"ApplyConfChange", "entry refused: breaks the chain (C++ only)"},
    {"Compact", "compacted"},
    {"SendSnapshot", "sent"},
    {"AppendEntries", "with entries"},
    {"AppendEntries", "no entry"},
    {"AppendEntries", "heartbeat (C++ Heartbeat)"},
    {"AdvanceCommitIndex", "commits an entry of its term"},
    {"AdvanceCommitIndex", "quorum entry of an earlier term: not committed"},
    {"AdvanceCommitIndex", "nothing new to commit"},
    {"CheckQuorum", "steps down"},
    {"Restart", "first start (Init, not a step)"},
    {"Restart", "without a snapshot"},
    {"Restart", "from a snapshot"},
    {"UpdateTerm", "a Follower adopts the term"},
    {"UpdateTerm", "a (Pre)Candidate steps down"},
    {"UpdateTerm", "a Leader steps down"},
    {"DropStaleMessage", "dropped"},
    {"DropStaleMessage", "of those, answered with the newer term (C++ only)"},
    {"HandleRequestVoteRequest", "pre-vote granted"},
    {"HandleRequestVoteRequest", "pre-vote granted at the voter's own term (C++ only)"},
    {"HandleRequestVoteRequest", "pre-vote refused"},
    {"HandleRequestVoteRequest", "vote granted"},
    {"HandleRequestVoteRequest", "vote refused: log not up to date"},
    {"HandleRequestVoteRequest", "vote refused: voted for another"},
    {"HandleRequestVoteRequest", "vote refused: a leader is known (C++ only)"},
    {"HandleRequestVoteResponse", "pre-vote counted, no quorum yet"},
    {"HandleRequestVoteResponse", "pre-vote quorum: BecomeCandidate"},
    {"HandleRequestVoteResponse", "vote counted, no quorum yet"},
    {"HandleRequestVoteResponse", "vote quorum: BecomeLeader"},
    {"HandleRequestVoteResponse", "rejection: not counted"},
    {"HandleRequestVoteResponse", "not counted: not in that election"},
    {"HandleRequestVoteResponse", "quorum of rejections: back to Follower (C++ only)"},
    {"HandleAppendEntriesRequest", "prevLogIndex below the commit index"},
    {"HandleAppendEntriesRequest", "log ok: no entry"},
    {"HandleAppendEntriesRequest", "log ok: entries already held"},
    {"HandleAppendEntriesRequest", "log ok: appends"},
    {"HandleAppendEntriesRequest", "log ok: truncates a conflicting suffix"},
    {"HandleAppendEntriesRequest", "log does not match: rejects with a hint"},
    {"HandleAppendEntriesRequest", "heartbeat: learns the commit index (C++ only)"},
    {"HandleAppendEntriesRequest", "heartbeat: commit past its log, refused (C++ only)"},
    {"HandleInstallSnapshotRequest", "not newer than the commit index: refused"},
    {"HandleInstallSnapshotRequest", "holds the snapshot's last entry: keeps the rest"},
    {"HandleInstallSnapshotRequest", "log replaced by the snapshot"},
    {"HandleAppendEntriesResponse", "not the leader: ignored"},
    {"HandleAppendEntriesResponse", "success"},
    {"HandleAppendEntriesResponse", "rejection"},
    {"HandleAppendEntriesResponse", "of those, stale or out of range: ignored (C++ only)"},
    {"HandleAppendEntriesResponse", "heartbeat answer (C++ only)"},
    {"DropMessage", "refused by the receiver: malformed, or from a non-member"},
    {"DropMessage", "ignored in the receiver's role"},
    {"DropMessage", "vote request within the leader lease (C++ only)"},
}};

}  // namespace

const BranchInfo& branch_info(Branch b) {
  return kBranches[static_cast<std::size_t>(b)];
}

const std::vector<std::string_view>& spec_actions() {
  static const std::vector<std::string_view> actions = {"Timeout",
                                                        "BecomePreCandidate",
                                                        "BecomeCandidate",
                                                        "BecomeLeader",
                                                        "ClientRequest",
                                                        "ProposeConfChange",
                                                        "LeaveJoint",
                                                        "ApplyConfChange",
                                                        "Compact",
                                                        "SendSnapshot",
                                                        "AppendEntries",
                                                        "AdvanceCommitIndex",
                                                        "CheckQuorum",
                                                        "Restart",
                                                        "UpdateTerm",
                                                        "DropStaleMessage",
                                                        "HandleRequestVoteRequest",
                                                        "HandleRequestVoteResponse",
                                                        "HandleAppendEntriesRequest",
                                                        "HandleInstallSnapshotRequest",
                                                        "HandleAppendEntriesResponse",
                                                        "DropMessage"};
  return actions;
}

void Coverage::merge(const Coverage& other) {
  for (std::size_t i = 0; i < kBranchCount; ++i)
    counts_[i] += other.counts_[i];
}

std::uint64_t Coverage::count(std::string_view action) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kBranchCount; ++i)
    if (kBranches[i].action == action) total += counts_[i];
  return total;
}

std::vector<Branch> Coverage::unreached() const {
  std::vector<Branch> out;
  for (std::string_view action : spec_actions())
    for (std::size_t i = 0; i < kBranchCount; ++i)
      if (kBranches[i].action == action && counts_[i] == 0) out.push_back(static_cast<Branch>(i));
  return out;
}

std::string Coverage::table() const {
  std::vector<std::pair<std::string, std::uint64_t>> rows;
  for (std::string_view action : spec_actions()) {
    rows.emplace_back(std::string(action), count(action));
    for (std::size_t i = 0; i < kBranchCount; ++i)
      if (kBranches[i].action == action)
        rows.emplace_back("  " + std::string(kBranches[i].branch), counts_[i]);
  }
  std::size_t name_width = 0, count_width = 0;
  for (const auto& [name, count] : rows) {
    name_width = std::max(name_width, name.size());
    count_width = std::max(count_width, std::to_string(count).size());
  }
  std::string out;
  for (const auto& [name, count] : rows) {
    const std::string number = std::to_string(count);
    out += name + std::string(name_width - name.size() + 2 + count_width - number.size(), ' ') +
           number + "\n";
  }
  return out;
}

}  // namespace etcetera::spec
