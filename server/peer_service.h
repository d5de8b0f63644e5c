// server::PeerService — the receiving side of the Peer service
// (server/peer.proto). It only unpacks: each call is handed to the member
// through PeerHandler, whose methods post onto the member's driver loop.
#pragma once

#include <utility>

#include <filesystem>

#include <grpcpp/grpcpp.h>

#include "server/backend.h"
#include "server/peer.grpc.pb.h"

namespace etcetera::server {

class PeerHandler {
 public:
  virtual ~PeerHandler() = default;
  // A raft message from another member: returns at once.
  virtual void receive(raft::pb::Message m) = 0;
  // Where snapshots received from the leader are stored (Peer.Snapshot).
  virtual std::filesystem::path snapshot_dir() const = 0;
  // Whether `member` has been removed from the cluster, so that its
  // messages are refused with removed_member() (any thread).
  virtual bool was_removed(std::uint64_t member) = 0;
  // Calls from a follower to this member as leader. They block the calling
  // gRPC thread (never the driver) until the driver has the answer.
  // forwarded() proposes clients' writes, and answers at once: an ack for
  // each, in order.
  virtual ApiResult<pb::ForwardAcks> forwarded(pb::ForwardBatch batch) = 0;
  virtual ApiResult<etcdserverpb::LeaseKeepAliveResponse> forwarded_keep_alive(
      const etcdserverpb::LeaseKeepAliveRequest& r) = 0;
  virtual ApiResult<etcdserverpb::LeaseTimeToLiveResponse> forwarded_time_to_live(
      const etcdserverpb::LeaseTimeToLiveRequest& r) = 0;
  virtual ApiResult<pb::ChangeResponse> forwarded_change(const pb::ChangeRequest& r) = 0;
  // For a member joining: any member answers, from its own registry.
  virtual ApiResult<pb::MembersResponse> members_for_joining() = 0;
};

class PeerService final : public pb::Peer::Service {
 public:
  explicit PeerService(PeerHandler& handler) : handler_(handler) {}

  grpc::Status Send(grpc::ServerContext*, grpc::ServerReader<raft::pb::Message>* reader,
                    pb::SendAck*) override;
  grpc::Status Snapshot(grpc::ServerContext*, grpc::ServerReader<pb::SnapshotChunk>* reader,
                        pb::SendAck*) override;
  grpc::Status Forward(grpc::ServerContext*, const kv::pb::Request* r,
                       pb::ForwardAck* out) override;
  grpc::Status ForwardMany(grpc::ServerContext*, const pb::ForwardBatch* batch,
                           pb::ForwardAcks* out) override;
  grpc::Status KeepAlive(grpc::ServerContext*, const etcdserverpb::LeaseKeepAliveRequest* r,
                         etcdserverpb::LeaseKeepAliveResponse* out) override;
  grpc::Status TimeToLive(grpc::ServerContext*, const etcdserverpb::LeaseTimeToLiveRequest* r,
                          etcdserverpb::LeaseTimeToLiveResponse* out) override;
  grpc::Status Change(grpc::ServerContext*, const pb::ChangeRequest* r,
                      pb::ChangeResponse* out) override;
  grpc::Status Members(grpc::ServerContext*, const pb::MembersRequest*,
                       pb::MembersResponse* out) override;

 private:
  PeerHandler& handler_;
};

// Between ApiError and grpc::Status: the codes are gRPC's on both sides.
grpc::Status to_status(const ApiError& e);
ApiError from_status(const grpc::Status& s);
// The outcome of a call to the leader: its own answer as it is, or, when the
// call failed on the way (the leader is down, cut off, or slow), etcd's
// words for that, with gRPC's in parentheses: "etcdserver: no leader (...)"
// or "etcdserver: request timed out (...)".
ApiError from_leader_status(const grpc::Status& s);
// The same for a call that asked the leader to change something: a call
// that failed on the way may have reached it, so the answer is etcd's
// ambiguous "etcdserver: request timed out (...)", never "no leader".
ApiError from_leader_status_ambiguous(const grpc::Status& s);

}  // namespace etcetera::server
