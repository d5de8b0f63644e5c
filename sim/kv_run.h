// A key-value run of the simulator (the shape of sim/client_run.h): a random fault schedule
// on a cluster of key-value nodes, with KvWorkload clients (sim/kv_workload.h)
// taking a turn at every tick of virtual time; then the faults stop, the
// cluster heals, and the clients' open operations get time to finish. The
// raft spec is checked after every event, as in any schedule, and at the
// end every pair of replicas that applied the same entries must hold the
// same store, byte for byte.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "kv/store.h"
#include "raft/trace.h"
#include "sim/history.h"
#include "sim/kv_workload.h"
#include "sim/schedule.h"

namespace etcetera::sim {

struct KvRunOptions {
  ScheduleOptions schedule;  // its profile's faults; kv is switched on
  std::size_t steps = 400;
  KvWorkloadOptions workload;
  Time settle = 300;  // ticks of a healed cluster at the end
  // Stop at the first spec violation (the default), or run the schedule to
  // its end anyway: the linearizability checks want the clients' whole
  // history, to see whether a bug the spec catches inside the cluster also
  // shows to clients.
  bool stop_at_violation = true;
};

struct KvRunResult {
  History history;
  KvWorkloadStats stats;
  std::optional<std::string> violation;  // a spec invariant, or replicas that differ
  std::string script;                    // the schedule as an interaction script
  std::int64_t revision = 0;             // the store's revision at the end (on the leader)
};

KvRunResult run_kv(const KvRunOptions& options, raft::TraceSink* trace = nullptr);

// Every two running replicas with the same applied index hold the same
// store; the first pair that does not, or nothing.
std::optional<std::string> check_replicas_agree(const Cluster& cluster);

// Every write applied at most once, and every answer what happened,
// checked against the store's whole history (every put and cas writes a
// value no other write uses): no value stored twice; a write answered ok
// stored its value at the revision the client was told; a write answered
// fail stored nothing. The first problem, or nothing.
std::optional<std::string> check_writes_match_store(const kv::Store& store,
                                                    const History& history);

}  // namespace etcetera::sim
