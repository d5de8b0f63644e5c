// lock::Election — etcd's leader-election recipe, on the same queue as the
// mutex (lock/queue_entry.h).
//
//   campaign(v): join the queue under "<name>/" with value v; win when no
//                key is older than ours. The leader is the key with the
//                lowest create revision; each candidate waits for the delete
//                of the one key just ahead of it, as a mutex waiter does.
//   proclaim(v): the leader changes its value, with a guarded txn: only if
//                its key still exists with the create revision it won with
//                (a leader whose lease expired cannot overwrite anything).
//   resign():    the leader deletes its key; the next candidate wins.
//   leader():    reads the current leader, whoever that is.
//   observe():   delivers each leader and each value it proclaims, from a
//                watch (lock/observer.h).
// A lease already campaigning under the name keeps its place and its value.
//
// REQUIRES: the port outlives the election. Not thread-safe, not movable.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kv/mvcc.pb.h"
#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "lock/error.h"
#include "lock/kv_port.h"
#include "lock/lifetime.h"
#include "lock/mutant.h"
#include "lock/observer.h"
#include "lock/queue_entry.h"

namespace etcetera::lock {

class Election {
 public:
  // Leadership, as the winner sees it when it wins.
  struct Leadership {
    std::string key;
    kv::Revision create_revision = 0;  // our place: the leadership's fencing token
    etcdserverpb::ResponseHeader header;
  };
  using OnElected = std::function<void(Result<Leadership>)>;
  using OnDone = std::function<void(Result<etcdserverpb::ResponseHeader>)>;
  using OnLeaderRead = std::function<void(Result<mvccpb::KeyValue>)>;
  using State = QueueEntry::State;

  Election(KvPort& port, std::string_view name, kv::LeaseId lease, Mutant mutant = Mutant::kNone);

  // Campaigns with `value`; `done` hears once, when we lead or why we never
  // will (kLeaseNotFound, kSessionExpired, kStore). kBusy when campaigning
  // or leading already.
  [[nodiscard]] Result<void> campaign(std::string value, OnElected done);
  // The leader's new value. kNotLeader now unless we lead; `done` hears
  // kNotLeader too if our key turned out to be gone (the lease ended).
  [[nodiscard]] Result<void> proclaim(std::string value, OnDone done);
  // Gives the leadership up. kNotLeader unless we lead.
  [[nodiscard]] Result<void> resign(OnDone done);
  // Stops campaigning before we win: our key leaves the queue and
  // campaign()'s `done` is never called. Nothing unless campaigning.
  void cancel() { entry_.cancel(); }
  // Reads the leader: its key and value, or kNoLeader.
  void leader(OnLeaderRead done);
  // Follows the leader until stop_observing(); replaces an earlier observe.
  void observe(LeaderObserver::OnLeader on_leader);
  void stop_observing() { observer_.reset(); }

  State state() const { return entry_.state(); }
  bool is_leader() const { return entry_.state() == State::kAcquired; }
  const std::string& key() const { return entry_.key(); }
  // Our place: the leadership's fencing token once we lead (0 before).
  kv::Revision create_revision() const { return entry_.create_revision(); }
  const std::optional<QueueEntry::Ahead>& waiting_on() const { return entry_.waiting_on(); }
  std::string describe() const { return entry_.describe(); }

 private:
  KvPort& port_;
  const std::string name_;
  QueueEntry entry_;
  std::unique_ptr<LeaderObserver> observer_;
  Lifetime lifetime_;  // last: callbacks die before the fields they use
};

}  // namespace etcetera::lock
