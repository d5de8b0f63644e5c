// lock::QueueEntry — one client's place in a queue of keys ordered by create
// revision: the mechanism under both the mutex and the election.
//
// The protocol (docs/locks.md):
//   1. enter: put prefix/<lease> with the lease, unless it exists already
//      (lock/requests.h, enqueue). Its create revision is our place.
//   2. check: read, at one revision, our own key and the key just ahead of
//      ours (the greatest create revision below our own).
//        - our key is gone: the lease ended while we waited. Fail.
//        - nobody ahead: our turn. Acquired.
//        - someone ahead: watch that one key for its delete, then check
//          again. Only the next in line wakes up when a key goes, not the
//          whole queue. The key ahead may have been another waiter that gave
//          up, not the holder, so the check repeats until nobody is ahead.
//   3. leave: delete our key, if it is still the one we created.
//
// The re-check of our own key before declaring the turn ours is what
// Mutant::kGrantWithoutLeaseCheck leaves out (lock/mutant.h).
//
// Time is ticks the driver passes in (tick()); there is no clock. Callbacks
// passed in run from the port's callbacks, once each. REQUIRES: the port
// outlives the entry. Destroying the entry drops every answer still on its
// way. Not thread-safe, not copyable, not movable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "lock/error.h"
#include "lock/kv_port.h"
#include "lock/lifetime.h"
#include "lock/mutant.h"

namespace etcetera::lock {

class QueueEntry {
 public:
  enum class State {
    kIdle,       // not in the queue
    kEnqueuing,  // the put of our key is on its way
    kChecking,   // reading our key and the key ahead of it
    kWaiting,    // watching the key ahead of ours for its delete (waiting_on())
    kAcquired,   // our key is the oldest: the lock is held, the leadership won
    kReleasing,  // deleting our key after holding it
    kReleased,   // our key is gone, deleted by us after holding it
    kGivingUp,   // deleting our key after waiting too long
    kGaveUp,     // our key is gone, deleted by us before our turn came
    kFailed,     // never got in, or our key vanished under us: see the error given
  };

  // Where we stand in the queue: our turn came.
  struct Turn {
    std::string key;
    kv::Revision create_revision = 0;     // our place; the fencing token
    etcdserverpb::ResponseHeader header;  // of the read that found nobody ahead
  };
  // The key we wait for.
  struct Ahead {
    std::string key;
    kv::Revision create_revision = 0;
  };

  using OnTurn = std::function<void(Result<Turn>)>;
  using OnLeft = std::function<void(Result<etcdserverpb::ResponseHeader>)>;

  // `prefix` ends in '/' (lock/requests.h, queue_prefix).
  QueueEntry(KvPort& port, std::string prefix, kv::LeaseId lease, Mutant mutant);
  QueueEntry(const QueueEntry&) = delete;
  QueueEntry& operator=(const QueueEntry&) = delete;
  // Stops watching. An entry destroyed before its turn also takes its key
  // out of the queue (a delete nobody waits for), so the clients behind it
  // are not held up until its lease ends; a key whose turn came stays: the
  // lock stays held, as etcd's lock service leaves it, until unlocked.
  ~QueueEntry();

  // Joins the queue with `value` in our key; `on_turn` hears once: the turn,
  // or why it will not come (kLeaseNotFound, kSessionExpired, kTimedOut,
  // kStore). With `patience`, gives up after that many ticks: deletes our key
  // and answers kTimedOut. kBusy when already in the queue.
  [[nodiscard]] Result<void> enter(std::string value, std::optional<std::int64_t> patience,
                                   OnTurn on_turn);
  // Counts down the patience of enter().
  void tick();
  // Leaves the queue before our turn, for a client that stopped waiting (a
  // server's caller that went away): our key is deleted, as by a timeout,
  // and enter()'s on_turn is never called. With the put still in flight
  // the delete waits for its answer, so it cannot come before the put.
  // Does nothing unless waiting for our turn.
  void cancel();
  // Deletes our key after our turn came. `on_left` gets the delete's header,
  // or kSessionExpired when the key was gone already (the lease ended while
  // we held it). kNotHolder unless our turn came.
  [[nodiscard]] Result<void> leave(OnLeft on_left);

  // The holder learned its key is gone (a guarded write was refused): the
  // turn is over, though nobody deleted the key on our behalf. Only from
  // kAcquired; otherwise does nothing.
  void lost();

  State state() const { return state_; }
  const std::string& prefix() const { return prefix_; }
  const std::string& key() const { return key_; }
  kv::LeaseId lease() const { return lease_; }
  // Our create revision once enqueued (0 before).
  kv::Revision create_revision() const { return create_revision_; }
  // The key we watch, while kWaiting.
  const std::optional<Ahead>& waiting_on() const { return ahead_; }
  // One line for tests and the visualizer:
  //   "jobs/2 (created at 3): waiting for jobs/1 (created at 2)".
  std::string describe() const;

 private:
  void on_enqueued(const kv::pb::Response& response);
  void check();
  void on_checked(const kv::pb::Response& response);
  void wait_for(const mvccpb::KeyValue& ahead, kv::Revision read_at);
  void on_watch(const etcdserverpb::WatchResponse& response);
  void give_up();
  void stop_watching();
  void finish(State state, Result<Turn> outcome);
  void on_released(const kv::pb::Response& response);
  void on_gave_up(const kv::pb::Response& response);
  // A callback for the port that runs `handler` only if the entry is still
  // where it was when the callback was made: every new request or watch
  // moves the epoch on, so an answer to something abandoned is dropped.
  template <class Message>
  auto current(void (QueueEntry::*handler)(const Message&));
  void submit(etcdserverpb::TxnRequest txn, void (QueueEntry::*handler)(const kv::pb::Response&));

  KvPort& port_;
  const std::string prefix_;
  const std::string key_;
  const kv::LeaseId lease_;
  const Mutant mutant_;

  State state_ = State::kIdle;
  kv::Revision create_revision_ = 0;      // 0 until the enqueue answers
  std::optional<Ahead> ahead_;            // set exactly while kWaiting
  std::optional<std::int64_t> watch_id_;  // the port's watch on ahead_->key
  std::optional<std::int64_t> patience_;  // ticks left before giving up
  std::int64_t patience_given_ = 0;       // for the message of kTimedOut
  bool give_up_after_enqueue_ = false;    // patience ran out with the put in flight
  std::uint64_t epoch_ = 0;               // bumped to drop answers to what we abandoned
  OnTurn on_turn_;                        // set from enter() until its answer
  OnLeft on_left_;                        // set from leave() until its answer
  Lifetime lifetime_;                     // last: callbacks die before the fields they use
};

const char* state_name(QueueEntry::State state);

}  // namespace etcetera::lock
