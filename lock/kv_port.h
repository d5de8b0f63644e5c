// lock::KvPort — the only way lock/ talks to a store.
//
// The lock recipes are protocol objects without I/O: they say what to send
// and react to what comes back. Whoever owns the transport implements this
// port: the simulator proposes through raft, the server will use its own
// apply loop, and the tests apply to a kv::StateMachine directly
// (tests/lock/fake_port.h). The same recipe code runs over all of them.
//
// The port is four calls, because a lock needs exactly four things of etcd:
//   - submit: linearizable writes, and reads, which go as a txn holding a
//     request_range op (etcd's own recipes read the same way). put,
//     delete_range, txn, lease_grant and lease_revoke go here; compaction
//     is not the recipes' business.
//   - watch / cancel_watch: to learn of one key's delete without polling.
//   - keep_alive: etcd's LeaseKeepAlive, which the leader serves from its
//     own lease clock without going through raft (kv/lease_clock.h).
// One change from the shape first drawn up: keep_alive answers. etcd's
// LeaseKeepAlive is a stream whose answers carry the renewed TTL, and a TTL
// of 0 is how a client learns its lease is gone without writing anything
// (the lease clock refuses to renew an expired lease). A session that never
// heard back could not report the loss, so the answer stays.
//
// Contract for implementations:
//   - Every callback runs later, from the driver's loop, never from inside
//     the call that registered it, so an object's state is settled before
//     any answer reaches it.
//   - submit answers each request exactly once: the kv::pb::Response of its
//     apply, or a Failure when the port cannot know the outcome (the
//     request may then have been applied or not). request.id is the port's
//     to set; lock/ leaves it 0.
//   - A watch delivers the kv::WatchStream responses (created, events in
//     revision order, canceled); a watch that cannot be created is answered
//     with canceled and a cancel_reason. After cancel_watch returns, its
//     callback is not called again.
// Not thread-safe: the driver calls it and its callbacks from one thread.
#pragma once

#include <cstdint>
#include <functional>

#include "kv/kv.pb.h"
#include "kv/rpc.pb.h"

namespace etcetera::lock {

class KvPort {
 public:
  virtual ~KvPort() = default;

  using Done = std::function<void(const kv::pb::Response&)>;
  // put / delete_range / txn / lease_grant / lease_revoke; linearizable.
  virtual void submit(kv::pb::Request request, Done done) = 0;

  using OnWatch = std::function<void(const etcdserverpb::WatchResponse&)>;
  // Starts a watch; returns its id (ids are the port's; 0 is a valid id).
  virtual std::int64_t watch(const etcdserverpb::WatchCreateRequest& create, OnWatch on_event) = 0;
  virtual void cancel_watch(std::int64_t id) = 0;

  using KeepAliveDone = std::function<void(const etcdserverpb::LeaseKeepAliveResponse&)>;
  // Leader-local refresh of a lease; the answer's TTL is the renewed TTL in
  // seconds, 0 or less when the lease is gone (expired, revoked, unknown).
  virtual void keep_alive(std::int64_t lease, KeepAliveDone done) = 0;
};

}  // namespace etcetera::lock
