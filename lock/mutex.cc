#include "lock/mutex.h"

#include <utility>

#include "lock/requests.h"

namespace etcetera::lock {

Mutex::Mutex(KvPort& port, std::string_view name, kv::LeaseId lease, Mutant mutant)
    : entry_(port, queue_prefix(name), lease, mutant) {}

Result<void> Mutex::lock(OnLocked done) {
  return entry_.enter("", std::nullopt, as_locked(std::move(done)));
}

Result<void> Mutex::try_lock(std::int64_t timeout, OnLocked done) {
  return entry_.enter("", timeout, as_locked(std::move(done)));
}

Result<void> Mutex::unlock(OnUnlocked done) {
  return entry_.leave(std::move(done));
}

// A turn in the queue is the lock; its create revision, the fencing token.
QueueEntry::OnTurn Mutex::as_locked(OnLocked done) {
  return [done = std::move(done)](Result<QueueEntry::Turn> turn) {
    if (!turn) return done(std::unexpected(std::move(turn.error())));
    done(Locked{std::move(turn->key), turn->create_revision, std::move(turn->header)});
  };
}

}  // namespace etcetera::lock
