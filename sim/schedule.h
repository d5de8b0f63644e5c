// A random fault schedule over a simulated cluster, as the property tests
// use it: steps (ticks, deliveries, losses, crashes, restarts, partitions,
// client requests, compactions, membership changes, transfers), a runner,
// and a trace sink that checks every invariant of spec/Raft.tla after every
// event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raft/mutant.h"
#include "raft/rng.h"
#include "raft/trace.h"
#include "sim/cluster.h"
#include "spec/raft_invariants.h"

namespace etcetera::sim {

enum class Kind {
  kTick,
  kTickAll,
  kDeliver,
  kDrop,
  kReady,
  kPropose,
  kRead,
  kCrash,
  kRestart,
  kIsolate,
  kHeal,
  kStabilize,
  kCompact,
  kConfChange,
  kTransfer
};

struct Step {
  Kind kind;
  int node;   // 1-based, modulo the cluster size
  int which;  // which in-flight message (modulo their number), or which change
};

std::string describe(const Step& s);

// How often each kind of step is drawn: deliveries and ticks dominate, as in
// a real run; faults are rarer.
const std::vector<std::pair<int, Kind>>& step_weights();
int total_step_weight();
// The kind drawn for `pick` in [0, total_step_weight()).
Kind kind_for(int pick);

// Checks the invariants after every event, as it is recorded.
class CheckingSink final : public raft::TraceSink {
 public:
  void record(const raft::pb::Event& e) override;
  spec::ClusterView view;
  std::optional<std::string> violation;
  std::size_t events = 0;
};

struct ScheduleOptions {
  int nodes = 3;
  bool pre_vote = true;
  bool check_quorum = true;
  raft::Mutant mutant = raft::Mutant::kNone;
  std::size_t max_entries_per_msg = 2;  // 1 sends entries one by one: more interleavings
};

// The cluster a schedule runs on: short timeouts and small windows, so that
// a few hundred steps see many elections, and flow control matters.
sim::ClusterOptions cluster_options(const ScheduleOptions& o);

// Runs one step against the cluster.
void run_step(sim::Cluster& c, const Step& s, int& requests);

// Runs a whole schedule; the first violation, named with the step after
// which it showed, or nothing.
std::optional<std::string> run_schedule(const ScheduleOptions& o, const std::vector<Step>& steps,
                                        CheckingSink& sink);

// A schedule of `length` steps drawn from `rng` with step_weights(): the
// deterministic counterpart of the rapidcheck generator, for campaigns whose
// cost in schedules must be reproducible.
std::vector<Step> random_schedule(raft::Rng& rng, std::size_t length);

}  // namespace etcetera::sim
