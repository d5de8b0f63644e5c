// Liveness under eventual stability. Safety says nothing bad happens; this
// says something good does, once the faults stop: after a schedule, the
// network heals (no more loss or duplicates, delays stay bounded), every
// crashed node restarts, and then
//   1. a leader is established (it has committed an entry of its own term)
//      within `leader` ticks of virtual time;
//   2. every value a leader accepted and no node has applied yet — its client
//      retries it, at the current leader, every `retry` ticks — is applied
//      within `commit` ticks;
//   3. with PreVote on, a follower cut off for several election timeouts,
//      while the others commit a value, and then reconnected does not
//      disrupt the leader (thesis 9.6): the same leader, in the same term,
//      commits a new value within `rejoin` ticks.
// The bounds, and why they hold, are derived in docs/simulator.md.
#pragma once

#include <optional>
#include <string>

#include "sim/schedule.h"

namespace etcetera::sim {

struct LivenessBounds {
  Time round = 0;    // one election round: the slowest timeout plus two round trips
  Time leader = 0;   // ticks to an established leader
  Time retry = 0;    // a client retries a pending value this often
  Time commit = 0;   // ticks to every pending value applied
  Time cut_off = 0;  // how long the rejoin check isolates a follower
  Time rejoin = 0;   // ticks for the leader to commit after the follower returns
};

// The bounds for the runner's cluster, given how many values are pending.
LivenessBounds liveness_bounds(const ScheduleRunner& runner, std::size_t pending);

struct LivenessReport {
  std::optional<std::string> failure;  // which property failed, and how
  LivenessBounds bounds;
  Time leader_after = 0;  // ticks from stability to an established leader
  Time commit_after = 0;  // ticks from stability to every pending value applied
  std::size_t pending = 0;
  bool rejoin_checked = false;  // false when PreVote is off or there are too few voters
};

// Runs the stable phase on the runner's cluster (recording it in the
// runner's script) and reports. A safety violation during it is reported
// by the runner, as in any step.
LivenessReport check_liveness(ScheduleRunner& runner);

}  // namespace etcetera::sim
