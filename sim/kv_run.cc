#include "sim/kv_run.h"

#include "sim/client_run.h"

#include <map>

namespace etcetera::sim {

std::optional<std::string> check_replicas_agree(const Cluster& cluster) {
  std::map<std::uint64_t, std::pair<NodeId, std::string>> by_index;  // applied -> first node, store
  for (NodeId id : cluster.ids()) {
    if (!cluster.is_up(id)) continue;
    const auto& sm = cluster.kv(id);
    std::string store = sm.store().to_snapshot().SerializeAsString();
    auto [it, first] = by_index.try_emplace(sm.applied_index(), id, store);
    if (!first && it->second.second != store) {
      return "nodes " + std::to_string(it->second.first) + " and " + std::to_string(id) +
             " applied through index " + std::to_string(sm.applied_index()) +
             " but hold different stores";
    }
  }
  return std::nullopt;
}

KvRunResult run_kv(const KvRunOptions& options, raft::TraceSink* trace) {
  ScheduleOptions schedule = options.schedule;
  schedule.kv = true;
  ScheduleRunner runner(schedule, trace);
  KvWorkloadOptions workload_options = options.workload;
  workload_options.seed = client_seed(options.workload.seed, schedule.seed);
  KvWorkload workload(runner.cluster(), workload_options);

  KvRunResult result;
  run_with_clients(
      runner, {options.steps, options.settle, options.stop_at_violation},
      {[&](bool start_new) { workload.step(start_new); }, [&] { return workload.idle(); }});
  workload.finish();
  runner.cluster().stabilize();

  result.violation = runner.violation();
  if (!result.violation) result.violation = check_replicas_agree(runner.cluster());
  result.history = workload.history();
  result.stats = workload.stats();
  result.script = runner.script("A key-value run of etcetera-sim");
  if (auto leader = runner.cluster().leader()) {
    result.revision = runner.cluster().kv(*leader).store().revision();
  }
  return result;
}

}  // namespace etcetera::sim
