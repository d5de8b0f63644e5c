// lock::LockService — etcd's v3lock service, on the mutex recipe.
//
//   lock(name, lease)  waits until `lease` holds the lock `name` and answers
//                      the key that stands for it ("<name>/<lease in hex>"),
//                      the fencing token (the key's create revision; etcd's
//                      answer leaves it for the client to read, this one
//                      hands it over) and the header of the read that
//                      granted it.
//   unlock(key)        deletes that key: the next waiter takes the lock.
// Between calls the service keeps nothing, like etcd's: the lock lives in
// the store, as the key. A lock stays held until unlock, or until its lease
// ends and the store deletes the key.
//
// Errors are values a user can act on. Refused at once (nothing is sent):
// an empty name, no lease, an empty or malformed key. From the store: a
// lease that does not exist or ended (kLeaseNotFound when locking,
// kSessionExpired when it ended while waiting), unlock of a key that does
// not exist (kKeyNotFound) or of a waiter's key (kNotHolder).
//
// REQUIRES: the port outlives the service. Not thread-safe, not movable.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "lock/error.h"
#include "lock/kv_port.h"
#include "lock/lifetime.h"
#include "lock/mutant.h"
#include "lock/mutex.h"

namespace etcetera::lock {

class LockService {
 public:
  struct LockResponse {
    etcdserverpb::ResponseHeader header;
    std::string key;
    kv::Revision fencing_token = 0;
  };
  using OnLock = std::function<void(Result<LockResponse>)>;
  using OnUnlock = std::function<void(Result<etcdserverpb::ResponseHeader>)>;

  explicit LockService(KvPort& port, Mutant mutant = Mutant::kNone);
  LockService(const LockService&) = delete;
  LockService& operator=(const LockService&) = delete;

  [[nodiscard]] Result<void> lock(std::string_view name, kv::LeaseId lease, OnLock done);
  [[nodiscard]] Result<void> unlock(std::string_view key, OnUnlock done);
  // Withdraws the waiting lock requests of `lease` for `name`, for a caller
  // that stopped waiting: their key leaves the queue (as etcd's mutex
  // deletes it when its context ends) and their `done` is never called. A
  // lock already held is left alone: it is released by unlock().
  void cancel(std::string_view name, kv::LeaseId lease);

  // Lock requests still waiting for their turn.
  std::size_t waiting() const;

 private:
  void on_read_for_unlock(const std::string& key, const kv::pb::Response& response,
                          const OnUnlock& done);
  // Drops the mutexes whose request has been answered.
  void reap();

  KvPort& port_;
  const Mutant mutant_;
  std::list<std::unique_ptr<Mutex>> mutexes_;  // one per lock request, until answered
  Lifetime lifetime_;                          // last: callbacks die before the fields they use
};

}  // namespace etcetera::lock
