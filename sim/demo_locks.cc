// The demo's lock chapter: three clients take turns at one lock on a 3-node
// key-value cluster and write to a protected resource with their fencing
// tokens. The first holder's process pauses (a long garbage collection)
// for longer than its lease: the leader revokes the lease, its key leaves
// the queue, and the next waiter takes the lock with a higher token. When
// the paused client wakes it still believes it holds the lock and writes
// with its old token; the resource refuses it. The lease alone did not keep
// two clients from believing at once; the fencing token kept the resource
// safe (docs/locks.md).
#include <cstdio>
#include <string>

#include "sim/cluster.h"
#include "sim/demo_story.h"
#include "sim/lock_workload.h"

namespace etcetera::demo {
namespace {

constexpr sim::Time kPause = 30;  // ticks of 100 ms: 3 s, past the 2 s lease

// Ticks the cluster and the clients until `done` holds; false if a generous
// bound passes first.
template <class Done>
bool run_until(sim::Cluster& cluster, sim::LockWorkload& clients, bool start_new, Done done) {
  for (int i = 0; i < 400; ++i) {
    if (done()) return true;
    cluster.advance_time();
    clients.step(start_new);
  }
  return done();
}

// A client other than `besides` that believes it holds the lock, or 0.
int believer(const sim::LockWorkload& clients, int count, int besides = 0) {
  for (int c = 1; c <= count; ++c)
    if (c != besides && clients.believes(c)) return c;
  return 0;
}

int fail(const char* what) {
  std::printf("the lock chapter did not go as told: %s\n", what);
  return 1;
}

}  // namespace

int run_lock_chapter(const std::string& html, const std::string& trace) {
  StorySink sink(/*only_above_raft=*/true);
  sim::ClusterOptions options;
  options.nodes = 3;
  options.seed = 7;
  options.kv = true;
  sim::Cluster cluster(options, &sink);

  cluster.note("a 3-node key-value cluster elects a leader");
  for (int i = 0; i < 200 && !cluster.leader(); ++i)
    cluster.advance_time();
  if (!cluster.leader()) return fail("no leader was elected");

  sim::LockWorkloadOptions lock_options;
  lock_options.clients = 3;
  lock_options.lock_name = "jobs";
  lock_options.ttl = 2;          // seconds: 20 ticks
  lock_options.hold = 6;         // a holder's turn, in its own ticks
  lock_options.write_every = 1;  // it writes at every one of them
  lock_options.start_percent = 100;
  lock_options.seed = 7;
  sim::LockWorkload clients(cluster, lock_options);
  const int n = lock_options.clients;

  cluster.note("three clients open sessions (leases of 2 s) and line up for lock \"jobs\": "
               "each writes a key; the create revisions order the queue");
  if (!run_until(cluster, clients, true, [&] { return clients.enqueued().size() == 3; }))
    return fail("the three clients did not all enqueue");
  if (!run_until(cluster, clients, false, [&] { return believer(clients, n) != 0; }))
    return fail("nobody got the lock");
  const int first = believer(clients, n);

  cluster.note("client " + std::to_string(first) +
               " holds the lock and writes with its token; then its process pauses for " +
               std::to_string(kPause / 10) + "." + std::to_string(kPause % 10) +
               " s, longer than its lease");
  clients.pause(first, kPause);
  if (!run_until(cluster, clients, false, [&] { return believer(clients, n, first) != 0; }))
    return fail("the lock was not handed over while the holder slept");
  const int second = believer(clients, n, first);
  cluster.note("the lease ran out: the leader revoked it and deleted client " +
               std::to_string(first) + "'s key, so client " + std::to_string(second) +
               " took the lock with a higher token; client " + std::to_string(first) +
               " is still asleep and still believes it holds the lock");

  if (!run_until(cluster, clients, false, [&] { return clients.resource().refused() > 0; }))
    return fail("the paused holder's stale write never reached the resource");
  cluster.note("client " + std::to_string(first) +
               " woke up and wrote with its old token: the resource refused it, because it had "
               "seen a higher one. The fencing token, not the lease, kept the resource safe");

  if (!run_until(cluster, clients, false, [&] { return clients.idle(); }))
    return fail("the clients did not finish their turns");
  clients.finish();
  cluster.note("every waiter had its turn in create-revision order");

  std::printf("\n=== the resource's log:\n");
  for (const auto& w : clients.resource().log())
    std::printf("t=%-3llu client %d, token %lld: %s\n", static_cast<unsigned long long>(w.time),
                w.client, static_cast<long long>(w.token), w.accepted ? "accepted" : "REFUSED");
  return write_replay(
      sink, html, trace,
      {.title = "etcetera demo: a lock handoff, a paused holder and a refused stale write",
       .first_view = "locks",
       .keys = "l (a lock taken or let go), r (a refused write), f"});
}

}  // namespace etcetera::demo
