// lock::Session — a lease kept alive for as long as its client runs, as
// etcd's concurrency session: the lease every lock and campaign of the
// client hangs on.
//
// open() grants a lease with a TTL. From then on every TTL/3 (in ticks the
// driver passes to tick(): there is no clock) the session asks the port for
// a keep-alive, so two keep-alives can be lost before the lease runs out. A
// keep-alive answered with a TTL of 0 means the lease is gone: expired, or
// revoked; the store has deleted every key it held, which releases every
// lock and resigns every leadership of this client. The session then tells
// on_lost() once, and stops.
//
// It learns only what the store answers: between a lease's expiry and the
// next keep-alive the session still says kAlive. Locks taken with it must
// fence their writes (lock/guarded_write.h).
//
// REQUIRES: the port outlives the session. Not thread-safe, not movable.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kv/revision.h"
#include "lock/error.h"
#include "lock/kv_port.h"
#include "lock/lifetime.h"

namespace etcetera::lock {

// Outside the class so that it can be a default argument of the constructor.
struct SessionOptions {
  std::int64_t ttl = 60;               // seconds; etcd's default for a session
  std::int64_t ticks_per_second = 10;  // the driver's tick: the simulator's is 100 ms
};

class Session {
 public:
  using Options = SessionOptions;
  enum class State {
    kIdle,      // not opened
    kGranting,  // the lease grant is on its way
    kAlive,     // the lease exists, as far as the last answer said
    kClosing,   // the revoke is on its way
    kClosed,    // revoked by close()
    kLost,      // a keep-alive found the lease gone
    kFailed,    // the grant was refused
  };
  using OnOpened = std::function<void(Result<kv::LeaseId>)>;
  using OnLost = std::function<void(const Error&)>;
  using OnClosed = std::function<void(Result<void>)>;

  explicit Session(KvPort& port, Options options = {});
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Grants the lease; `done` hears its id or the store's error. kBusy
  // unless the session is new.
  [[nodiscard]] Result<void> open(OnOpened done);
  // Called once, when a keep-alive finds the lease gone.
  void on_lost(OnLost on_lost) { on_lost_ = std::move(on_lost); }
  // One tick of the driver: a keep-alive every keep_alive_interval() ticks.
  void tick();
  // Revokes the lease, deleting every key it holds. kInvalidArgument unless
  // alive.
  [[nodiscard]] Result<void> close(OnClosed done);

  State state() const { return state_; }
  kv::LeaseId lease() const { return lease_; }
  // The TTL the store granted (it may raise a short one), in seconds.
  std::int64_t ttl() const { return ttl_; }
  // Ticks between keep-alives: a third of the TTL, at least one.
  std::int64_t keep_alive_interval() const;
  // "lease 7 (ttl 6 s): alive, next keep-alive in 12 ticks".
  std::string describe() const;

 private:
  void on_granted(const kv::pb::Response& response);
  void on_keep_alive(const etcdserverpb::LeaseKeepAliveResponse& response);

  KvPort& port_;
  const Options options_;
  State state_ = State::kIdle;
  kv::LeaseId lease_ = 0;
  std::int64_t ttl_ = 0;
  std::int64_t ticks_since_keep_alive_ = 0;
  OnOpened on_opened_;
  OnLost on_lost_;
  Lifetime lifetime_;  // last: callbacks die before the fields they use
};

const char* state_name(Session::State state);

}  // namespace etcetera::lock
