// Checking a schedule end to end (safety after every event, then liveness
// once stable) and shrinking a failing one to a short story a person can
// read: delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
// Failure-Inducing Input", 2002) over the steps, keeping a smaller schedule
// whenever it still fails the same way.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/liveness.h"
#include "sim/schedule.h"

namespace etcetera::sim {

struct Outcome {
  std::optional<std::string> failure;  // "safety: LogMatchingInv: ..." or "liveness: ..."
  std::size_t steps_run = 0;           // the failing step's number + 1 for safety failures
  LivenessReport liveness;
};

// Runs the steps on a fresh runner (kept in *runner if given), then the
// liveness check unless `liveness` is false or safety already failed.
Outcome check_schedule(const ScheduleOptions& o, const std::vector<Step>& steps, bool liveness,
                       std::unique_ptr<ScheduleRunner>* runner = nullptr,
                       raft::TraceSink* trace = nullptr);

// The same kind of failure: both safety or both liveness, and for safety
// the same invariant.
bool same_failure(const std::string& a, const std::string& b);

// A shorter schedule that still fails like `steps` does; at most
// `max_runs` trial runs. `progress` (if set) hears about each smaller one.
std::vector<Step> shrink(
    const ScheduleOptions& o, std::vector<Step> steps, bool liveness, std::size_t max_runs,
    const std::function<void(std::size_t size, std::size_t runs)>& progress = {});

}  // namespace etcetera::sim
