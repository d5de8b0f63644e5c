// How a node is set up: its identity, the initial members, the timing (in
// ticks) and which protocol extensions are on. Checked by validate() before a
// Node is built, so a bad Config is an Error and never a crash later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "raft/error.h"
#include "raft/mutant.h"
#include "raft/types.h"

namespace etcetera::raft {

class TraceSink;

struct Config {
  NodeId id = kNoNode;
  // The configuration when the storage holds no snapshot (a snapshot carries
  // its own). A new cluster's voters include this node; a node joining a
  // running cluster is given the cluster's configuration as of log index
  // `conf_index` and is not in it yet: it is added by a membership change.
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  Index conf_index = 0;  // the log index as of which voters/learners are right
  bool joining = false;  // this node joins a running cluster: it is not in voters yet

  // Timing, in ticks of the caller's clock. The election timeout of each term
  // is drawn from [election_tick, election_tick + spread), where the spread is
  // election_tick unless set (Raft paper, section 5.2); a spread of 0 gives
  // every node the same timeout. Section 9.3 measures how the spread changes
  // split votes, and the first classroom lab repeats that (docs/labs.md).
  int election_tick = 10;
  std::optional<int> election_spread;
  int heartbeat_tick = 1;  // REQUIRES: heartbeat_tick < election_tick

  bool pre_vote = true;      // thesis 9.6: a node that could not win does not raise terms
  bool check_quorum = true;  // thesis 6.2: a leader that lost its quorum steps down

  std::size_t max_inflight_msgs = 256;   // appends in flight per follower while replicating
  std::size_t max_entries_per_msg = 64;  // entries carried by one AppendEntries request
  // Bytes of entries carried by one AppendEntries request (etcd's
  // MaxSizePerMsg): the first entry goes whatever its size, then no more
  // once this is passed, so that a message's size has a bound the
  // transport can enforce.
  std::size_t max_bytes_per_msg = 1 << 20;

  Index applied = 0;              // how far the application had applied before a restart
  std::uint64_t seed = 0;         // seeds the election-timeout jitter of this node
  TraceSink* trace = nullptr;     // receives every event; nullptr costs nothing
  Mutant mutant = Mutant::kNone;  // a known bug, on purpose (raft/mutant.h); never in production

  [[nodiscard]] Result<void> validate() const;
};

}  // namespace etcetera::raft
