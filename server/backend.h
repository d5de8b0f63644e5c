// server::Backend — what etcd's gRPC services (server/api/) ask of a member:
// the same operations etcd's services ask of its EtcdServer. server::Member
// (the driver loop over raft, kv and the disk) implements it; the services'
// tests use a fake.
//
// Every call may come from any gRPC thread and returns at once; the answer
// comes through the Reply, called exactly once: later, from the member's
// driver thread, or (a serializable range, which waits for nothing) on the
// calling thread before the call returns. A Reply must not block: it hands
// the answer to the waiting gRPC thread and returns.
//
// Errors are etcd's: the gRPC status code and etcd's message (the texts of
// kv/error.h, "etcdserver: no leader", ...), so that etcd's clients react to
// them as they react to etcd.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "kv/rpc.pb.h"

namespace etcetera::server {

struct ApiError {
  // The gRPC status codes etcd answers with (grpc::StatusCode's numbers).
  enum class Code {
    kCancelled = 1,
    kInvalidArgument = 3,
    kDeadlineExceeded = 4,
    kNotFound = 5,
    kAlreadyExists = 6,
    kResourceExhausted = 8,
    kFailedPrecondition = 9,
    kOutOfRange = 11,
    kUnimplemented = 12,
    kInternal = 13,
    kUnavailable = 14,
  };
  Code code;
  std::string message;  // etcd's text first ("etcdserver: no leader"), then any detail
};

template <class T>
using ApiResult = std::expected<T, ApiError>;
template <class T>
using Reply = std::function<void(ApiResult<T>)>;

struct MemberInfo {
  std::uint64_t id = 0;
  std::string name;  // empty while a member added is not started yet
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
  bool is_learner = false;
};

// What etcd's Maintenance.Status reports (etcdctl endpoint status).
struct StatusInfo {
  std::string version;  // the etcd API version served, "3.4.0"
  std::int64_t db_size = 0;
  std::uint64_t leader = 0;
  std::uint64_t raft_index = 0;
  std::uint64_t raft_term = 0;
  std::uint64_t raft_applied_index = 0;
  bool is_learner = false;
  std::vector<std::string> errors;
};

// A watch stream of one client (a gRPC Watch call): its watch ids are its own.
using WatchStreamId = std::uint64_t;
// Called from the driver thread with each response of the stream, in order.
using WatchSink = std::function<void(const etcdserverpb::WatchResponse&)>;

class Backend {
 public:
  virtual ~Backend() = default;

  // Every response header: cluster id, member id, raft term, and the
  // store's current revision.
  virtual etcdserverpb::ResponseHeader header() const = 0;

  // KV. A range with serializable set is served from this member's store;
  // otherwise after a ReadIndex round (linearizable). Writes go through raft
  // at the leader.
  virtual void range(const etcdserverpb::RangeRequest& r, Reply<etcdserverpb::RangeResponse>) = 0;
  virtual void put(const etcdserverpb::PutRequest& r, Reply<etcdserverpb::PutResponse>) = 0;
  virtual void delete_range(const etcdserverpb::DeleteRangeRequest& r,
                            Reply<etcdserverpb::DeleteRangeResponse>) = 0;
  virtual void txn(const etcdserverpb::TxnRequest& r, Reply<etcdserverpb::TxnResponse>) = 0;
  virtual void compact(const etcdserverpb::CompactionRequest& r,
                       Reply<etcdserverpb::CompactionResponse>) = 0;

  // Lease.
  virtual void lease_grant(const etcdserverpb::LeaseGrantRequest& r,
                           Reply<etcdserverpb::LeaseGrantResponse>) = 0;
  virtual void lease_revoke(const etcdserverpb::LeaseRevokeRequest& r,
                            Reply<etcdserverpb::LeaseRevokeResponse>) = 0;
  // One keep-alive of a KeepAlive stream: TTL 0 when the lease is gone.
  virtual void lease_keep_alive(const etcdserverpb::LeaseKeepAliveRequest& r,
                                Reply<etcdserverpb::LeaseKeepAliveResponse>) = 0;
  virtual void lease_time_to_live(const etcdserverpb::LeaseTimeToLiveRequest& r,
                                  Reply<etcdserverpb::LeaseTimeToLiveResponse>) = 0;
  virtual void lease_leases(Reply<etcdserverpb::LeaseLeasesResponse>) = 0;

  // Watch: one stream per gRPC Watch call. Requests (create, cancel,
  // progress) are answered through the sink, as are the events.
  virtual WatchStreamId open_watch_stream(WatchSink sink) = 0;
  virtual void watch_request(WatchStreamId stream, const etcdserverpb::WatchRequest& r) = 0;
  // After it returns the sink is not called again.
  virtual void close_watch_stream(WatchStreamId stream) = 0;

  // Cluster.
  virtual void member_list(Reply<std::vector<MemberInfo>>) = 0;
  // Returns the new member (its id chosen here) and the members after it.
  virtual void member_add(std::vector<std::string> peer_urls, bool is_learner,
                          Reply<std::pair<MemberInfo, std::vector<MemberInfo>>>) = 0;
  virtual void member_remove(std::uint64_t id, Reply<std::vector<MemberInfo>>) = 0;
  virtual void member_update(std::uint64_t id, std::vector<std::string> peer_urls,
                             Reply<std::vector<MemberInfo>>) = 0;
  virtual void member_promote(std::uint64_t id, Reply<std::vector<MemberInfo>>) = 0;

  // Maintenance.
  virtual void status(Reply<StatusInfo>) = 0;
  // A hash of the store's contents up to `revision` (0: the current one),
  // with the revision it covers and the compact revision.
  struct Hash {
    std::uint32_t hash = 0;
    std::int64_t revision = 0;
    std::int64_t compact_revision = 0;
  };
  virtual void hash_kv(std::int64_t revision, Reply<Hash>) = 0;
  // The state machine's snapshot (kv::StateMachine::snapshot), whole.
  virtual void snapshot(Reply<std::string>) = 0;
  virtual void move_leader(std::uint64_t target, Reply<void>) = 0;
};

}  // namespace etcetera::server
