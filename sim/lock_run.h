// A lock run of the simulator: a random fault schedule (sim/schedule.h) on a
// cluster of key-value nodes, with LockWorkload clients (sim/lock_workload.h)
// taking a turn at every tick of virtual time, and one fault of the
// clients' own: a process pause (a garbage collection, a swapped-out page)
// longer than its lease. Then the faults stop, the cluster heals, and the
// clients finish what they hold. The raft spec is checked after every event,
// as in any schedule.
//
// The checks below read what a run recorded; the property tests
// (tests/sim/lock_properties_test.cc) say which must hold.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "raft/trace.h"
#include "sim/lock_workload.h"
#include "sim/schedule.h"

namespace etcetera::sim {

struct LockRunOptions {
  ScheduleOptions schedule;  // its profile's faults; kv is switched on
  std::size_t steps = 400;
  LockWorkloadOptions workload;
  Time settle = 300;  // ticks of a healed cluster at the end
};

struct LockRunResult {
  std::vector<Belief> beliefs;
  std::vector<Acquire> acquires;
  std::vector<kv::Revision> enqueued;
  std::vector<Pause> pauses;
  std::vector<LeaseEnd> lease_ends;
  std::vector<ProtectedResource::Write> writes;  // the resource's log
  std::vector<StoreWrite> store_writes;          // guarded puts the store applied
  LockWorkloadStats stats;
  bool settled = false;                  // every client idle at the end
  std::optional<std::string> violation;  // a raft spec invariant
  std::string script;                    // the schedule as an interaction script
};

LockRunResult run_lock(const LockRunOptions& options, raft::TraceSink* trace = nullptr);

// Two clients that believed they held the lock at the same time: the first
// such pair (by the start of the later belief), or nothing.
struct Overlap {
  Belief earlier, later;
};
std::optional<Overlap> find_overlapping_beliefs(const std::vector<Belief>& beliefs);

// The lock went to a client whose own key was gone at the revision of the
// read that granted it (its lease had ended): the first such acquire.
std::optional<std::string> check_acquired_with_own_key(const std::vector<Acquire>& acquires);

// Fairness: the lock was granted in the order the keys were enqueued (by
// create revision), and every key enqueued was granted in the end.
std::optional<std::string> check_fifo_and_no_starvation(const LockRunResult& run);

// The fence inside the store: the guarded puts that landed, in revision
// order, never go back to a lower token.
std::optional<std::string> check_store_writes_fenced(std::vector<StoreWrite> writes);

// The run as lines: pauses, beliefs and writes, by time, for a reader.
std::string describe_run(const LockRunResult& run);

}  // namespace etcetera::sim
