// sim::LockWorkload — clients of a distributed lock on a simulated cluster.
//
// Each client is a process with a lock::Session (a lease of ttl seconds,
// kept alive every third of it) and a lock::Mutex on one lock name, over its
// own SimKvPort (sim/lock_port.h). Its loop:
//   lock -> while it believes it holds the lock, write to the protected
//   resource (sim/protected_resource.h) with its fencing token every few
//   ticks -> unlock after a while -> lock again.
// A client stops believing it holds the lock when it unlocks, when its
// session hears the lease is gone, or when the resource refuses its write.
//
// Each process keeps its own time. Its clock drifts (a rate within
// `drift` per mille of virtual time), and it can PAUSE, as a process in a
// long garbage collection does: a paused client takes no step, sends no
// keep-alive and reads no answer while virtual time, and its lease, run on.
// When it wakes it carries on where it stopped, still believing what it
// believed: the classic way two clients come to believe they hold one lock.
//
// With a trace, the clients' story goes into it as the lock layer's events
// (raft/trace.proto): keys entering and leaving the queue as the most
// advanced replica shows them, beliefs begun and ended, leases ended,
// pauses, and the resource's verdicts. The visualizer's lock view replays
// them.
//
// What is recorded for checking: every interval in which a client believed
// it held the lock, every acquire (with whether its own key still existed at
// the revision of the read that granted it), every key enqueued, and the
// resource's log. Deterministic: seeded raft::Rng, virtual time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lock/mutant.h"
#include "lock/mutex.h"
#include "lock/session.h"
#include "raft/rng.h"
#include "sim/cluster.h"
#include "sim/lock_port.h"
#include "sim/protected_resource.h"

namespace etcetera::sim {

struct LockWorkloadOptions {
  int clients = 3;
  std::string lock_name = "jobs";
  std::int64_t ttl = 2;     // the sessions' lease TTL, seconds (10 ticks each)
  Time hold = 12;           // a holder's own ticks between acquire and unlock
  Time write_every = 3;     // a holder's own ticks between writes
  Time timeout = 30;        // ticks before a request's outcome is unknown
  int start_percent = 30;   // chance per tick that an idle client locks
  int pause_per_mille = 0;  // chance per tick that a running client pauses
  Time pause_min = 30;      // a pause's length, in ticks of virtual time
  Time pause_max = 60;      //   (more than the TTL's 20: the lease runs out)
  std::uint32_t drift = 0;  // per mille: each clock's rate is in [1000 - drift, 1000 + drift]
  // Each write to the resource also goes to the store as a guarded put
  // (lock/guarded_write.h) of "<lock_name>-data": the fence inside the store.
  bool store_writes = false;
  lock::Mutant mutant = lock::Mutant::kNone;
  std::uint64_t seed = 1;
};

// An interval in which `client` believed it held the lock with `token`.
struct Belief {
  int client = 0;
  kv::Revision token = 0;
  Time from = 0;
  std::optional<Time> to;  // nothing while it still believes
  std::string ended;       // "unlock", "lease lost", "write refused"
};

// The lock as granted to `client`: its token, and whether its own key still
// existed, with that create revision, at the revision of the read that
// granted it (nothing when no replica could say: compacted).
struct Acquire {
  int client = 0;
  kv::Revision token = 0;
  Time time = 0;
  kv::Revision read_revision = 0;
  std::optional<bool> own_key_present;
};

// A guarded put that the store applied: its compare held, and the put
// landed at `revision` (the txn's).
struct StoreWrite {
  int client = 0;
  kv::Revision token = 0;
  kv::Revision revision = 0;
};

struct Pause {
  int client = 0;
  Time from = 0, to = 0;
};

// A client's lease ended in the store (it expired and the leader revoked
// it, deleting the client's key): when the most advanced replica first
// showed it gone.
struct LeaseEnd {
  int client = 0;
  kv::LeaseId lease = 0;
  Time time = 0;
};

struct LockWorkloadStats {
  std::uint64_t locks = 0, acquires = 0, unlocks = 0, lost = 0, refused_writes = 0;
  std::uint64_t pauses = 0, unknown_outcomes = 0;
  std::uint64_t store_writes = 0, store_refused = 0;  // guarded puts applied and refused
};

class LockWorkload final : public KvListener {
 public:
  // Becomes the cluster's kv listener. REQUIRES: cluster.options().kv, and
  // the cluster outlives the workload.
  LockWorkload(Cluster& cluster, const LockWorkloadOptions& options);
  ~LockWorkload() override;
  LockWorkload(const LockWorkload&) = delete;
  LockWorkload& operator=(const LockWorkload&) = delete;

  // One tick of virtual time for the clients, after a tick of the cluster.
  // With start_new false nobody locks again and nobody pauses: the run is
  // settling.
  void step(bool start_new = true);
  // Every client is idle (not locking, holding or unlocking) and awake.
  bool idle() const;
  // Pauses client `client` (1-based) now, for `length` ticks of virtual
  // time, as a random pause would: for scenarios told step by step (the
  // demo's paused holder).
  void pause(int client, Time length);
  // Whether client `client` believes it holds the lock.
  bool believes(int client) const;
  // Closes the beliefs still open at the end of the run.
  void finish();

  const std::vector<Belief>& beliefs() const { return beliefs_; }
  const std::vector<Acquire>& acquires() const { return acquires_; }
  // The tokens (create revisions) of the keys clients enqueued, in order.
  const std::vector<kv::Revision>& enqueued() const { return enqueued_; }
  const std::vector<Pause>& pauses() const { return pauses_; }
  const std::vector<LeaseEnd>& lease_ends() const { return lease_ends_; }
  const std::vector<StoreWrite>& store_writes() const { return store_writes_; }
  const ProtectedResource& resource() const { return resource_; }
  LockWorkloadStats stats() const;

 private:
  enum class Phase { kNoSession, kOpening, kIdle, kLocking, kHolding, kUnlocking };
  struct Client {
    int id = 0;
    std::unique_ptr<SimKvPort> port;
    std::unique_ptr<lock::Session> session;
    std::unique_ptr<lock::Mutex> mutex;
    Phase phase = Phase::kNoSession;
    std::uint32_t rate = 1000;  // per mille of virtual time
    std::uint32_t carry = 0;
    Time paused_until = 0;              // asleep while now() < paused_until
    bool asleep = false;                // paused, and its waking not yet reported
    Time held_for = 0;                  // own ticks since the acquire
    bool enqueue_seen = false;          // its key's token recorded in enqueued_
    std::optional<std::size_t> belief;  // index into beliefs_ while it believes
  };

  void step_client(Client& c, bool start_new);
  void own_tick(Client& c, bool start_new);
  void open_session(Client& c);
  void start_lock(Client& c);
  void on_locked(Client& c, lock::Result<lock::Mutex::Locked> locked);
  void hold(Client& c);
  // Writes to the resource, and to the store if asked; false if refused.
  bool write(Client& c);
  void write_to_store(Client& c);
  void on_unlocked(Client& c, bool session_gone);
  void on_lost(Client& c);
  void end_belief(Client& c, const std::string& why);
  // Drops the client's mutex (and its session, if the lease is gone) at the
  // end of the step, not inside their own callbacks.
  void retire(Client& c, bool session_too);
  void start_pause(Client& c, Time length);
  void notice_lease_ends(const kv::Store& ahead);
  // The lock's queue as the store `ahead` holds it, against the last look:
  // keys that came and went, as trace events.
  void report_queue(const kv::Store& ahead);
  const kv::Store& most_advanced_store() const;
  void report(raft::pb::Event e) { cluster_.report(std::move(e)); }
  std::optional<bool> own_key_present(const std::string& key, kv::Revision token,
                                      kv::Revision at) const;

  void applied(NodeId node, const kv::pb::Response& response) override;

  Cluster& cluster_;
  LockWorkloadOptions options_;
  raft::Rng rng_;
  std::vector<Client> clients_;
  std::vector<std::unique_ptr<lock::Mutex>> retired_mutexes_;
  std::vector<std::unique_ptr<lock::Session>> retired_sessions_;
  ProtectedResource resource_;
  std::vector<Belief> beliefs_;
  std::vector<Acquire> acquires_;
  std::vector<kv::Revision> enqueued_;
  std::vector<Pause> pauses_;
  std::map<kv::LeaseId, int> live_leases_;  // granted and not yet seen gone: lease -> client
  std::map<kv::LeaseId, int> lease_owner_;  // every lease ever granted: lease -> client
  struct QueuedKey {
    kv::Revision revision = 0;
    kv::LeaseId lease = 0;
  };
  std::map<std::string, QueuedKey> queue_;  // the queue as last reported (with a trace)
  std::vector<LeaseEnd> lease_ends_;
  std::vector<StoreWrite> store_writes_;
  LockWorkloadStats stats_;
};

}  // namespace etcetera::sim
