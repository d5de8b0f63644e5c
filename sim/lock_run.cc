#include "sim/lock_run.h"

#include "sim/client_run.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace etcetera::sim {

LockRunResult run_lock(const LockRunOptions& options, raft::TraceSink* trace) {
  ScheduleOptions schedule = options.schedule;
  schedule.kv = true;
  ScheduleRunner runner(schedule, trace);
  LockWorkloadOptions workload_options = options.workload;
  workload_options.seed = client_seed(options.workload.seed, schedule.seed);
  LockWorkload workload(runner.cluster(), workload_options);

  // At the end holders finish their turn and unlock; nobody starts again.
  LockRunResult result;
  result.settled = run_with_clients(
      runner, {options.steps, options.settle},
      {[&](bool start_new) { workload.step(start_new); }, [&] { return workload.idle(); }});
  workload.finish();

  result.violation = runner.violation();
  result.beliefs = workload.beliefs();
  result.acquires = workload.acquires();
  result.enqueued = workload.enqueued();
  result.pauses = workload.pauses();
  result.lease_ends = workload.lease_ends();
  result.writes = workload.resource().log();
  result.store_writes = workload.store_writes();
  result.stats = workload.stats();
  result.script = runner.script("A lock run of etcetera-sim");
  return result;
}

std::optional<Overlap> find_overlapping_beliefs(const std::vector<Belief>& beliefs) {
  std::optional<Overlap> first;
  for (const auto& a : beliefs) {
    for (const auto& b : beliefs) {
      if (a.client == b.client || b.from < a.from || (b.from == a.from && b.client < a.client))
        continue;
      const bool a_still_believes = !a.to || *a.to > b.from;
      if (!a_still_believes) continue;
      if (!first || b.from < first->later.from) first = Overlap{a, b};
    }
  }
  return first;
}

std::optional<std::string> check_acquired_with_own_key(const std::vector<Acquire>& acquires) {
  for (const auto& a : acquires) {
    if (a.own_key_present == false) {
      return "at time " + std::to_string(a.time) + " client " + std::to_string(a.client) +
             " was granted the lock with token " + std::to_string(a.token) +
             ", but its key was gone at revision " + std::to_string(a.read_revision) +
             " of the read that granted it";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_fifo_and_no_starvation(const LockRunResult& run) {
  kv::Revision last = 0;
  std::set<kv::Revision> granted;
  for (const auto& a : run.acquires) {
    if (a.token < last) {
      return "at time " + std::to_string(a.time) + " client " + std::to_string(a.client) +
             " got the lock with token " + std::to_string(a.token) + " after token " +
             std::to_string(last) + ": out of create-revision order";
    }
    last = a.token;
    granted.insert(a.token);
  }
  for (kv::Revision token : run.enqueued) {
    if (!granted.contains(token))
      return "the key enqueued at revision " + std::to_string(token) + " never got the lock";
  }
  return std::nullopt;
}

std::optional<std::string> check_store_writes_fenced(std::vector<StoreWrite> writes) {
  std::sort(writes.begin(), writes.end(),
            [](const StoreWrite& a, const StoreWrite& b) { return a.revision < b.revision; });
  for (std::size_t i = 1; i < writes.size(); ++i) {
    if (writes[i].token < writes[i - 1].token) {
      return "client " + std::to_string(writes[i].client) + "'s guarded put with token " +
             std::to_string(writes[i].token) + " landed at revision " +
             std::to_string(writes[i].revision) + ", after client " +
             std::to_string(writes[i - 1].client) + "'s with token " +
             std::to_string(writes[i - 1].token);
    }
  }
  return std::nullopt;
}

std::string describe_run(const LockRunResult& run) {
  // By time; within a tick: acquires, writes, beliefs ended, leases ended, pauses.
  std::multimap<std::pair<Time, int>, std::string> lines;
  auto client = [](int id) { return "client " + std::to_string(id); };
  for (const auto& b : run.beliefs) {
    lines.emplace(std::pair{b.from, 0},
                  client(b.client) + " acquires, token " + std::to_string(b.token));
    if (b.to) {
      lines.emplace(std::pair{*b.to, 2},
                    client(b.client) + " stops believing it holds (" + b.ended + ")");
    }
  }
  for (const auto& w : run.writes) {
    lines.emplace(std::pair{w.time, 1}, client(w.client) + " writes with token " +
                                            std::to_string(w.token) +
                                            (w.accepted ? ": accepted" : ": REFUSED"));
  }
  for (const auto& e : run.lease_ends) {
    lines.emplace(std::pair{e.time, 3}, client(e.client) + "'s lease " + std::to_string(e.lease) +
                                            " is gone: revoked, its key deleted");
  }
  for (const auto& p : run.pauses) {
    lines.emplace(std::pair{p.from, 4},
                  client(p.client) + " pauses until t=" + std::to_string(p.to));
  }
  std::ostringstream out;
  for (const auto& [at, line] : lines)
    out << "t=" << at.first << "  " << line << "\n";
  return out.str();
}

}  // namespace etcetera::sim
