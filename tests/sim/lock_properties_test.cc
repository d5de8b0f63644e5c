// Lock clients on a simulated cluster (sim/lock_run.h): what a lease-based
// lock promises, and what it does not.
//
// A lease does not give mutual exclusion: a client that pauses for longer
// than its lease wakes up believing it still holds the lock, while another
// client holds it. The simulator finds such a run. What keeps the protected
// resource safe is the fencing token, and that holds in every run: the
// resource never accepts a write that goes back to an older holder.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

#include "raft/trace.h"
#include "sim/lock_run.h"

namespace etcetera::sim {
namespace {

// Clients that pause now and then for longer than their lease (two
// seconds, twenty ticks): each tick a client pauses with probability 1%,
// for 30 to 60 ticks.
LockRunOptions pausing_clients(std::uint64_t seed, const std::string& profile) {
  LockRunOptions o;
  o.schedule.profile = profile;
  o.schedule.seed = seed;
  o.steps = 500;
  o.workload.clients = 3;
  o.workload.pause_per_mille = 10;
  o.workload.drift = 50;
  return o;
}

// How many seeds the searches below may try, and how many schedules the
// safety property runs: more with ETCETERA_LOCK_RUNS (per profile).
std::uint64_t runs_per_profile() {
  if (const char* runs = std::getenv("ETCETERA_LOCK_RUNS")) return std::stoull(runs);
  return 100;
}

bool refused(const LockRunResult& run, const Belief& stale) {
  for (const auto& w : run.writes) {
    if (w.client == stale.client && w.token == stale.token && !w.accepted) return true;
  }
  return false;
}

TEST_CASE("the same seed gives the same lock run", "[lock-sim]") {
  // Pauses, drift, crashes and partitions all come from seeds: a run found
  // once can be told (docs/locks.md) and replayed.
  const auto first = run_lock(pausing_clients(3, "crashes"));
  const auto second = run_lock(pausing_clients(3, "crashes"));
  CHECK(first.stats.acquires > 0);
  CHECK(describe_run(first) == describe_run(second));
  CHECK(first.script == second.script);
}

TEST_CASE(
    "a paused client and the next holder both believe they hold the lock, and fencing "
    "refuses the paused one's write",
    "[lock-sim]") {
  std::optional<std::uint64_t> found;
  LockRunResult run;
  for (std::uint64_t seed = 1; seed <= 200 && !found; ++seed) {
    run = run_lock(pausing_clients(seed, "none"));
    REQUIRE_FALSE(run.violation.has_value());
    if (find_overlapping_beliefs(run.beliefs)) found = seed;
  }
  REQUIRE(found.has_value());
  const Overlap overlap = *find_overlapping_beliefs(run.beliefs);
  INFO("seed " << *found << ": client " << overlap.earlier.client << " (token "
               << overlap.earlier.token << ") and client " << overlap.later.client << " (token "
               << overlap.later.token << ")\n"
               << describe_run(run));
  // docs/locks.md tells this run; ETCETERA_LOCK_SHOW=1 prints it.
  if (std::getenv("ETCETERA_LOCK_SHOW") != nullptr) std::cout << describe_run(run);
  // The later holder has the higher token, and the earlier one, waking up,
  // wrote with its stale token and was refused.
  CHECK(overlap.later.token > overlap.earlier.token);
  CHECK(refused(run, overlap.earlier));
  CHECK(overlap.earlier.ended == "write refused");
  CHECK_FALSE(check_fenced_writes(run.writes).has_value());
}

TEST_CASE(
    "under crashes, partitions and pauses the resource never takes a write from a "
    "superseded holder",
    "[lock-sim]") {
  std::uint64_t overlaps = 0, refusals = 0, acquires = 0, store_writes = 0, store_refusals = 0;
  for (const char* profile : {"crashes", "partitions", "long-partitions"}) {
    for (std::uint64_t seed = 1; seed <= runs_per_profile(); ++seed) {
      auto o = pausing_clients(seed, profile);
      o.workload.store_writes = seed % 3 == 0;  // a third of the runs: they cost more
      const auto run = run_lock(o);
      INFO("profile " << profile << ", seed " << seed << "\n" << describe_run(run));
      REQUIRE_FALSE(run.violation.has_value());
      REQUIRE_FALSE(check_fenced_writes(run.writes).has_value());
      REQUIRE_FALSE(check_store_writes_fenced(run.store_writes).has_value());
      // Without the mutant the lock goes only to a client whose key exists.
      REQUIRE_FALSE(check_acquired_with_own_key(run.acquires).has_value());
      overlaps += find_overlapping_beliefs(run.beliefs) ? 1 : 0;
      refusals += run.stats.refused_writes;
      store_writes += run.stats.store_writes;
      store_refusals += run.stats.store_refused;
      acquires += run.stats.acquires;
    }
  }
  // The faults did bite: clients held the lock, and some believed they held
  // it at once, which only the fencing token made harmless.
  CHECK(acquires > 300);
  CHECK(overlaps > 0);
  CHECK(refusals > 0);
  CHECK(store_writes > 100);
  CHECK(store_refusals > 0);
}

TEST_CASE(
    "on a healthy cluster waiters get the lock in the order they queued, and all of them "
    "get it",
    "[lock-sim]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    LockRunOptions o;
    o.schedule.profile = "none";
    o.schedule.seed = seed;
    o.steps = 600;
    o.workload.clients = 4;
    o.workload.start_percent = 50;
    o.workload.drift = 50;
    const auto run = run_lock(o);
    INFO("seed " << seed << "\n" << describe_run(run));
    REQUIRE_FALSE(run.violation.has_value());
    CHECK(run.settled);
    CHECK(run.stats.acquires >= 8);
    CHECK_FALSE(check_fifo_and_no_starvation(run).has_value());
    CHECK_FALSE(find_overlapping_beliefs(run.beliefs).has_value());
  }
}

TEST_CASE(
    "granting the lock without re-checking the waiter's own key is caught: a paused "
    "waiter whose lease ended gets the lock",
    "[lock-sim]") {
  std::optional<std::uint64_t> caught;
  for (std::uint64_t seed = 1; seed <= 300 && !caught; ++seed) {
    auto o = pausing_clients(seed, "none");
    o.workload.mutant = lock::Mutant::kGrantWithoutLeaseCheck;
    const auto run = run_lock(o);
    if (check_acquired_with_own_key(run.acquires)) caught = seed;
  }
  REQUIRE(caught.has_value());
  // The same run without the mutant: the waiter finds its key gone and
  // the lock is never granted to it.
  const auto run = run_lock(pausing_clients(*caught, "none"));
  CHECK_FALSE(check_acquired_with_own_key(run.acquires).has_value());
}

// The trace tells the same story the run recorded, as the lock layer's
// events: what the lock view replays is what the properties judged.
TEST_CASE("a traced lock run tells its clients' story as lock events", "[lock-sim]") {
  raft::TraceBuffer trace;
  const LockRunResult run = run_lock(pausing_clients(1, "crashes"), &trace);
  REQUIRE(run.violation == std::nullopt);
  REQUIRE(run.stats.pauses > 0);

  std::vector<std::pair<int, kv::Revision>> acquired, released;
  std::vector<ProtectedResource::Write> written;
  std::vector<Pause> paused;
  std::vector<kv::Revision> enqueued;
  std::size_t lease_ends = 0, dequeued = 0;
  for (const auto& e : trace.events()) {
    if (e.kind_case() >= raft::pb::Event::kLockEnqueued) CHECK(e.node() == 0);
    switch (e.kind_case()) {
      case raft::pb::Event::kLockAcquired:
        acquired.emplace_back(e.lock_acquired().client(), e.lock_acquired().token());
        break;
      case raft::pb::Event::kLockReleased:
        released.emplace_back(e.lock_released().client(), e.lock_released().token());
        break;
      case raft::pb::Event::kResourceWritten:
        written.push_back({static_cast<int>(e.resource_written().client()),
                           e.resource_written().token(), e.time(),
                           e.resource_written().accepted()});
        break;
      case raft::pb::Event::kClientPaused:
        paused.push_back({static_cast<int>(e.client_paused().client()), e.time(),
                          e.client_paused().until()});
        break;
      case raft::pb::Event::kLockEnqueued:
        enqueued.push_back(e.lock_enqueued().revision());
        break;
      case raft::pb::Event::kLockDequeued:
        ++dequeued;
        break;
      case raft::pb::Event::kLeaseEnded:
        ++lease_ends;
        break;
      default:
        break;
    }
  }
  REQUIRE(acquired.size() == run.beliefs.size());
  for (std::size_t i = 0; i < acquired.size(); ++i) {
    CHECK(acquired[i].first == run.beliefs[i].client);
    CHECK(acquired[i].second == run.beliefs[i].token);
  }
  CHECK(released.size() == run.beliefs.size());  // finish() closes the open ones
  REQUIRE(written.size() == run.writes.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    CHECK(written[i].client == run.writes[i].client);
    CHECK(written[i].token == run.writes[i].token);
    CHECK(written[i].time == run.writes[i].time);
    CHECK(written[i].accepted == run.writes[i].accepted);
  }
  REQUIRE(paused.size() == run.pauses.size());
  for (std::size_t i = 0; i < paused.size(); ++i)
    CHECK(paused[i].to == run.pauses[i].to);
  CHECK(lease_ends == run.lease_ends.size());
  // Every key a client saw enqueued was seen in the store's queue; every key
  // that left it had come in.
  for (kv::Revision token : run.enqueued)
    CHECK(std::ranges::find(enqueued, token) != enqueued.end());
  CHECK(dequeued <= enqueued.size());
}

}  // namespace
}  // namespace etcetera::sim
