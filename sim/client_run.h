// The shape every client run of the simulator shares (key-value clients in
// sim/kv_run.h, lock clients in sim/lock_run.h): a random fault schedule in
// which the workload's clients are the only ones proposing and reading, so
// the schedule's own proposals and reads become ticks of virtual time in
// which the clients act; then the faults stop, the cluster heals, and the
// clients get time to finish what they started.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "sim/schedule.h"

namespace etcetera::sim {

// What the driver needs from a workload: a turn after each tick of time
// (start_new: whether idle clients may begin something new), and whether
// every client is done.
struct ClientTurns {
  std::function<void(bool start_new)> step;
  std::function<bool()> idle;
};

struct ClientRunShape {
  std::size_t steps = 400;  // random steps of the runner's fault profile
  Time settle = 300;        // ticks of a healed cluster at the end, at most
  // Stop at the first spec violation, or run on to the end regardless.
  bool stop_at_violation = true;
};

// Drives the runner's schedule with the clients; true if they all went idle
// within the settle time.
bool run_with_clients(ScheduleRunner& runner, const ClientRunShape& shape,
                      const ClientTurns& clients);

// A workload's seed, drawn from its own and the schedule's, so that two
// schedules with one workload seed still give their clients different choices.
inline std::uint64_t client_seed(std::uint64_t workload_seed, std::uint64_t schedule_seed) {
  return workload_seed * 31 + schedule_seed;
}

}  // namespace etcetera::sim
