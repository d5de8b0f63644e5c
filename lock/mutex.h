// lock::Mutex — etcd's distributed mutex recipe: a lease and a place in a
// queue of keys (lock/queue_entry.h).
//
//   lock():     put <name>/<lease> with the lease unless it exists; then wait
//               until no key under <name>/ is older than ours, watching only
//               the key just ahead of ours for its delete.
//   held:       our key is the oldest. The fencing token is its create
//               revision: it grows with every new holder, so a storage
//               service that remembers the highest token it has seen can
//               refuse a late write from a holder that lost the lock
//               (lock/guarded_write.h does this inside the store itself).
//   unlock():   delete our key; the next in line wakes up.
// The lock ends with the lease too: when it expires, the store deletes our
// key, and the next waiter takes over, whether or not we know. Holding a
// Mutex is a belief, not a guarantee: fence every write with the token.
//
// Time comes in through tick() (try_lock's timeout); there is no clock.
// REQUIRES: the port outlives the mutex. Not thread-safe, not movable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "lock/error.h"
#include "lock/kv_port.h"
#include "lock/mutant.h"
#include "lock/queue_entry.h"

namespace etcetera::lock {

class Mutex {
 public:
  // The lock, as its holder sees it when it gets it.
  struct Locked {
    std::string key;                      // our key: "<name>/<lease in hex>"
    kv::Revision fencing_token = 0;       // the key's create revision
    etcdserverpb::ResponseHeader header;  // of the read that found nobody ahead
  };
  using OnLocked = std::function<void(Result<Locked>)>;
  using OnUnlocked = std::function<void(Result<etcdserverpb::ResponseHeader>)>;
  using State = QueueEntry::State;

  // A mutex named `name` (its keys live under "<name>/"), held by `lease`.
  Mutex(KvPort& port, std::string_view name, kv::LeaseId lease, Mutant mutant = Mutant::kNone);

  // Waits for the lock as long as it takes. `done` hears once: the lock, or
  // kLeaseNotFound (no such lease), kSessionExpired (the lease ended while
  // waiting) or kStore. kBusy when already locking or holding.
  [[nodiscard]] Result<void> lock(OnLocked done);
  // As lock(), but gives up after `timeout` ticks: our key leaves the queue
  // and `done` hears kTimedOut. REQUIRES: timeout >= 1.
  [[nodiscard]] Result<void> try_lock(std::int64_t timeout, OnLocked done);
  void tick() { entry_.tick(); }
  // Stops waiting for the lock: our key leaves the queue and lock()'s
  // `done` is never called (QueueEntry::cancel). Nothing unless waiting.
  void cancel() { entry_.cancel(); }
  // Deletes our key if it is still the one we created. `done` hears the
  // header, or kSessionExpired if the key had already gone with the lease
  // (the lock was lost before the unlock). kNotHolder unless held.
  [[nodiscard]] Result<void> unlock(OnUnlocked done);

  State state() const { return entry_.state(); }
  bool held() const { return entry_.state() == State::kAcquired; }
  const std::string& key() const { return entry_.key(); }
  // Our create revision: the fencing token once held (0 before enqueued).
  kv::Revision fencing_token() const { return entry_.create_revision(); }
  // The one key we watch for its delete, while waiting.
  const std::optional<QueueEntry::Ahead>& waiting_on() const { return entry_.waiting_on(); }
  // "jobs/2 (created at 3): waiting for jobs/1 (created at 2)".
  std::string describe() const { return entry_.describe(); }

 private:
  static QueueEntry::OnTurn as_locked(OnLocked done);

  QueueEntry entry_;
};

}  // namespace etcetera::lock
