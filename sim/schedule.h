// Random fault schedules over a simulated cluster, as the property tests and
// `etcetera-sim --seed` run them: steps (ticks of virtual time, deliveries,
// losses, duplicates, partitions, crashes, restarts, client requests,
// compactions, membership changes, transfers), fault profiles that weigh
// them, and a runner that checks the spec after every trace event and writes
// down each step it took as a line of the interaction-script language, so
// that any run, and any shrunk failure, can be replayed as a script.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/mutant.h"
#include "raft/rng.h"
#include "raft/trace.h"
#include "sim/cluster.h"
#include "spec/raft_invariants.h"

namespace etcetera::sim {

enum class Kind {
  kTick,        // one node's clock ticks
  kTickAll,     // every node's clock ticks
  kTime,        // one tick of virtual time: clocks at their rates, due messages delivered
  kDeliver,     // one chosen message arrives now, whatever its delay
  kDrop,        // the network loses one chosen message
  kDuplicate,   // the network will deliver one chosen message twice
  kReady,       // one node carries out its Ready
  kPropose,     // a client proposes at one node
  kRead,        // a client asks one node for a linearizable read
  kCrash,       // a node loses everything but its disk
  kRestart,     // a crashed node comes back from its disk
  kIsolate,     // one node is cut off
  kPartition,   // the nodes split into two groups
  kHeal,        // the network is whole again
  kStabilize,   // everything in flight is delivered, until quiet
  kCompact,     // a node snapshots its state machine and compacts its log
  kConfChange,  // the leader proposes a membership change
  kTransfer     // the leader hands leadership to a node
};

struct Step {
  Kind kind;
  int node;   // 1-based, modulo the cluster size
  int which;  // which message in flight (modulo their number), change, or partition
};

std::string describe(const Step& s);

// A fault profile: how often each kind of step is drawn, how the links
// behave, and how far clocks may drift. "chaos", the property tests'
// profile, draws every kind of step.
struct FaultProfile {
  std::string_view name;
  std::string_view description;
  std::vector<std::pair<int, Kind>> weights;
  LinkFaults link;
  std::uint32_t clock_skew = 0;  // per mille: each clock's rate is in [1000 - skew, 1000 + skew]
};

const std::vector<FaultProfile>& fault_profiles();
const FaultProfile* fault_profile(std::string_view name);  // nullptr for an unknown name

// Checks the spec after every event, as it is recorded, and passes the event
// on to `next` (a trace file, say) if there is one.
class CheckingSink final : public raft::TraceSink {
 public:
  explicit CheckingSink(raft::TraceSink* next = nullptr) : next_(next) {}
  void record(const raft::pb::Event& e) override;
  spec::ClusterView view;
  std::optional<std::string> violation;
  std::size_t events = 0;

 private:
  raft::TraceSink* next_;
};

struct ScheduleOptions {
  int nodes = 3;
  bool pre_vote = true;
  bool check_quorum = true;
  raft::Mutant mutant = raft::Mutant::kNone;
  std::size_t max_entries_per_msg = 2;  // 1 sends entries one by one: more interleavings
  std::uint64_t seed = 1;               // election jitter, network and clock rates
  std::string profile = "chaos";
  bool kv = false;  // the nodes run the key-value store (sim/kv_run.h)
};

// The cluster a schedule runs on: short timeouts and small windows, so that
// a few hundred steps see many elections, and flow control matters.
ClusterOptions cluster_options(const ScheduleOptions& o);

// Runs schedules step by step on one cluster, checking every event, and
// keeps the script that replays what it did.
class ScheduleRunner {
 public:
  // REQUIRES: options.profile names a profile; trace (if any) outlives this.
  explicit ScheduleRunner(const ScheduleOptions& options, raft::TraceSink* trace = nullptr);

  // Runs one step; returns the script line it amounted to ("" when the step
  // had nothing to act on, e.g. a delivery with nothing in flight).
  std::string run(const Step& s);
  // Runs one script-level action the liveness check needs, and records it.
  void heal_everything(const LinkFaults& link);
  void advance_time();
  void isolate(NodeId id);
  void heal();
  bool propose(NodeId id, const std::string& value);

  Cluster& cluster() { return cluster_; }
  const Cluster& cluster() const { return cluster_; }
  const CheckingSink& checks() const { return sink_; }
  const std::optional<std::string>& violation() const { return sink_.violation; }
  const ScheduleOptions& options() const { return options_; }
  // The values a leader accepted that no node has applied yet, as far as
  // the runner saw; and every value accepted so far.
  std::vector<std::string> pending() const;
  int requests() const { return requests_; }

  // The run so far as an interaction script: a header comment, add-nodes
  // with these options, clock rates, then one line per step that did
  // something (runs of `run 1` and of ticks of one node merged).
  std::string script(const std::string& comment) const;

 private:
  void record(const std::string& line);

  ScheduleOptions options_;
  const FaultProfile* profile_;
  CheckingSink sink_;
  Cluster cluster_;
  int requests_ = 0;
  std::vector<std::string> accepted_;  // values a leader accepted, in order
  std::vector<std::string> lines_;
};

// Runs a whole schedule; the first violation, named with the step after
// which it showed, or nothing.
std::optional<std::string> run_schedule(const ScheduleOptions& o, const std::vector<Step>& steps,
                                        CheckingSink* checks = nullptr);

// A schedule of `length` steps drawn from `rng` with the profile's weights:
// the deterministic counterpart of the rapidcheck generator, for campaigns
// whose cost in schedules must be reproducible.
std::vector<Step> random_schedule(raft::Rng& rng, std::size_t length,
                                  std::string_view profile = "chaos");
// The kind a profile draws for `pick` in [0, total weight).
int total_step_weight(std::string_view profile = "chaos");
Kind kind_for(int pick, std::string_view profile = "chaos");

}  // namespace etcetera::sim
