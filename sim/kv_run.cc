#include "sim/kv_run.h"

#include "sim/client_run.h"

#include <map>

namespace etcetera::sim {

namespace {

// The running node that applied the most: its store has the whole history.
std::optional<NodeId> most_applied(const Cluster& cluster) {
  std::optional<NodeId> best;
  for (NodeId id : cluster.ids()) {
    if (!cluster.is_up(id)) continue;
    if (!best || cluster.kv(id).applied_index() > cluster.kv(*best).applied_index()) best = id;
  }
  return best;
}

}  // namespace

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

std::optional<std::string> check_writes_match_store(const kv::Store& store,
                                                    const History& answers) {
  std::map<std::string, std::vector<std::int64_t>> stored;  // value -> revisions
  const kv::pb::Snapshot history = store.to_snapshot();
  for (const auto& record : history.records())
    if (!record.tombstone()) stored[record.kv().value()].push_back(record.main());
  for (const auto& [value, revisions] : stored) {
    if (revisions.size() > 1)
      return "value " + value + " was stored " + std::to_string(revisions.size()) +
             " times (revisions " + std::to_string(revisions[0]) + " and " +
             std::to_string(revisions[1]) + "): one write applied twice";
  }
  using F = HistoryEvent::Function;
  using T = HistoryEvent::Type;
  for (const auto& e : answers.events()) {
    if ((e.f != F::kPut && e.f != F::kCas) || !e.value) continue;
    auto it = stored.find(*e.value);
    const std::string what = std::string(function_name(e.f)) + " of " + *e.value + " by process " +
                             std::to_string(e.process);
    if (e.type == T::kOk && (it == stored.end() || it->second.front() != e.revision))
      return what + " was answered ok at revision " + std::to_string(e.revision) +
             (it == stored.end() ? ", but the store never held it"
                                 : ", but the store holds it at revision " +
                                       std::to_string(it->second.front()));
    if (e.type == T::kFail && it != stored.end())
      return what + " was answered fail, but the store holds it at revision " +
             std::to_string(it->second.front());
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
  if (!result.violation && workload_options.forward) {
    result.violation = workload.applied_twice();
    if (const auto node = most_applied(runner.cluster()); !result.violation && node)
      result.violation = check_writes_match_store(runner.cluster().kv(*node).store(),
                                                  workload.history());
  }
  result.history = workload.history();
  result.stats = workload.stats();
  result.script = runner.script("A key-value run of etcetera-sim");
  if (auto leader = runner.cluster().leader()) {
    result.revision = runner.cluster().kv(*leader).store().revision();
  }
  return result;
}

}  // namespace etcetera::sim
