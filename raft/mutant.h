// Mutants: classic Raft bugs, built in on purpose and switched off by
// default. A property test is only as good as the bugs it can find: each
// mutant here that breaks safety must be caught by the random-schedule
// properties (tests/raft/mutants_test.cc), and a class can switch one on in
// the simulator and watch it break an invariant. A mutant that only hurts
// liveness breaks no invariant at all: only a check that the cluster makes
// progress can catch it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace etcetera::raft {

enum class Mutant {
  kNone,
  kFigure8Commit,          // commit an entry of an earlier term by counting replicas
  kForgetVote,             // forget the vote across a restart (votedFor not read back)
  kVoteWithoutLogCheck,    // grant a vote without the up-to-date check of section 5.4.1
  kTruncateOnStaleAppend,  // a follower truncates matching entries after a stale AppendEntries
  kReadWithoutHeartbeat,   // ReadIndex served without confirming leadership with a quorum
  kLeaderNoStepDown,       // a leader adopts a newer term but stays leader (Figure 2)
  kNoPreVote,              // campaign in a new term at once, even with PreVote on (thesis 9.6)
};

// What a mutant breaks: a safety invariant (spec/raft_invariants.h), or only
// liveness, the cluster's ability to keep a leader and make progress.
enum class Breaks { kSafety, kLiveness };

struct MutantInfo {
  Mutant mutant;
  std::string_view name;         // as given to --bug and to scripts: "figure8"
  std::string_view description;  // one sentence for --list-bugs
  Breaks breaks;
};

// Every mutant but kNone, in declaration order.
const std::vector<MutantInfo>& all_mutants();
std::optional<Mutant> mutant_by_name(std::string_view name);
std::string_view mutant_name(Mutant mutant);

}  // namespace etcetera::raft
