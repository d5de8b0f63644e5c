#include "lock/lock_service.h"

#include <algorithm>
#include <utility>

#include "lock/requests.h"

namespace etcetera::lock {

namespace {

bool answered(const Mutex& m) {
  using State = Mutex::State;
  const State s = m.state();
  return s != State::kEnqueuing && s != State::kChecking && s != State::kWaiting &&
         s != State::kGivingUp;
}

}  // namespace

LockService::LockService(KvPort& port, Mutant mutant) : port_(port), mutant_(mutant) {}

std::size_t LockService::waiting() const {
  return std::ranges::count_if(mutexes_, [](const auto& m) { return !answered(*m); });
}

void LockService::reap() {
  mutexes_.remove_if([](const auto& m) { return answered(*m); });
}

Result<void> LockService::lock(std::string_view name, kv::LeaseId lease, OnLock done) {
  reap();
  if (name.empty()) {
    return fail(Error::Code::kInvalidArgument,
                "a lock needs a name: its keys live under \"<name>/\"");
  }
  if (lease <= 0) {
    return fail(Error::Code::kInvalidArgument,
                "lease " + std::to_string(lease) +
                    ": a lock is held by a lease; grant one (LeaseGrant) and pass its ID");
  }
  auto& mutex = mutexes_.emplace_back(std::make_unique<Mutex>(port_, name, lease, mutant_));
  return mutex->lock([done = std::move(done)](Result<Mutex::Locked> locked) {
    if (!locked) return done(std::unexpected(std::move(locked.error())));
    done(LockResponse{std::move(locked->header), std::move(locked->key), locked->fencing_token});
  });
}

void LockService::cancel(std::string_view name, kv::LeaseId lease) {
  const std::string key = queue_key(queue_prefix(name), lease);
  for (auto& m : mutexes_) {
    if (!answered(*m) && m->key() == key) m->cancel();
  }
}

Result<void> LockService::unlock(std::string_view key, OnUnlock done) {
  reap();
  const auto slash = key.rfind('/');
  if (key.empty() || slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) {
    return fail(Error::Code::kInvalidArgument,
                "\"" + std::string(key) +
                    "\" is not a lock key: unlock takes the key lock() answered, "
                    "\"<name>/<lease in hex>\"");
  }
  const std::string owned(key);
  const std::string prefix(key.substr(0, slash + 1));
  port_.submit(as_request(read_key_and_first(owned, prefix)),
               lifetime_.guard([this, owned, done = std::move(done)](const kv::pb::Response& r) {
                 on_read_for_unlock(owned, r, done);
               }));
  return {};
}

void LockService::on_read_for_unlock(const std::string& key, const kv::pb::Response& response,
                                     const OnUnlock& done) {
  auto txn = txn_response(response);
  if (!txn) return done(std::unexpected(std::move(txn.error())));
  const auto& own = txn->responses(0).response_range().kvs();
  if (own.empty()) {
    return done(fail(Error::Code::kKeyNotFound,
                     key + " does not exist: it was never locked, was unlocked already, or its "
                           "lease ended and released it"));
  }
  const auto& first = txn->responses(1).response_range().kvs(0);
  if (first.key() != key) {
    return done(
        fail(Error::Code::kNotHolder, key + " is waiting behind " + first.key() +
                                          ", it does not hold the lock; nothing was deleted"));
  }
  // The holder stays the holder until its key goes, so the check above
  // still holds when the guarded delete applies, unless the key went.
  auto on_deleted = [key, done](const kv::pb::Response& deleted) {
    auto del = txn_response(deleted);
    if (!del) return done(std::unexpected(std::move(del.error())));
    if (!del->succeeded()) {
      return done(fail(Error::Code::kKeyNotFound,
                       key + " went away before the unlock applied (its lease ended)"));
    }
    done(del->header());
  };
  port_.submit(as_request(delete_if_created_at(key, own[0].create_revision())),
               std::move(on_deleted));
}

}  // namespace etcetera::lock
