// lock::LeaderObserver — follows who leads an election, as etcd's Observe.
//
// The leader is the key with the lowest create revision under the
// election's prefix. The observer reads it, then watches just enough to
// know when to read again, with no polling:
//   - a leader: watch the leader's key. A put is the leader proclaiming a
//     new value (delivered at once); a delete means the leader is gone:
//     read again, and the next in line (if any) is the new leader.
//   - nobody: watch the prefix for the first put, then read again.
// on_leader hears each leader, and each new value it proclaims, once, in
// order. A time with no leader is not delivered, as in etcd.
//
// Starts when constructed, stops when destroyed. on_leader must not destroy
// the observer. REQUIRES: the port outlives the observer. Not movable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kv/mvcc.pb.h"
#include "kv/revision.h"
#include "lock/kv_port.h"
#include "lock/lifetime.h"

namespace etcetera::lock {

class LeaderObserver {
 public:
  using OnLeader = std::function<void(const mvccpb::KeyValue&)>;

  // `prefix` ends in '/' (lock/requests.h, queue_prefix).
  LeaderObserver(KvPort& port, std::string prefix, OnLeader on_leader);
  LeaderObserver(const LeaderObserver&) = delete;
  LeaderObserver& operator=(const LeaderObserver&) = delete;
  ~LeaderObserver();

  // The last leader delivered.
  const std::optional<mvccpb::KeyValue>& last() const { return last_; }
  // Set when the store refused a read: the observer has stopped.
  const std::optional<std::string>& stopped_by() const { return stopped_by_; }

 private:
  void read();
  void on_read(const kv::pb::Response& response);
  void watch(etcdserverpb::WatchCreateRequest create);
  void on_watch(const etcdserverpb::WatchResponse& response);
  void deliver(const mvccpb::KeyValue& leader);
  void stop_watching();

  KvPort& port_;
  const std::string prefix_;
  const OnLeader on_leader_;
  std::optional<mvccpb::KeyValue> last_;
  std::optional<std::int64_t> watch_id_;
  bool watching_leader_ = false;  // the watch is on last_'s key, not on the prefix
  std::uint64_t epoch_ = 0;       // bumped per request and watch: stale answers are dropped
  std::optional<std::string> stopped_by_;
  Lifetime lifetime_;  // last: callbacks die before the fields they use
};

}  // namespace etcetera::lock
