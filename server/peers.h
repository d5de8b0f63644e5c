// server::Peers — how a member reaches the others: raft messages, and the
// calls a follower makes to the leader. PeerTransport does it over gRPC
// (server/peer_transport.h); InProcessNetwork hands them straight to the
// other members of one process (server/in_process_peers.h), for tests that
// check the member's own threads (ThreadSanitizer) without gRPC's.
//
// Thread-safety: every method from the member's driver thread; each `done`
// runs once, on a thread of the transport's, and never after stop()
// returns.
#pragma once

#include <utility>

#include <cstdint>
#include <functional>
#include <string>

#include <grpcpp/support/status.h>

#include "kv/rpc.pb.h"
#include "raft/raft.pb.h"
#include "server/membership.pb.h"
#include "server/peer.pb.h"

namespace etcetera::server {

class Peers {
 public:
  virtual ~Peers() = default;

  // A raft message to m.to(); dropped when m.to() is unknown or down.
  virtual void send(raft::pb::Message m) = 0;
  // Membership changes: a member added (its "host:port"), one removed.
  virtual void add_peer(std::uint64_t id, const std::string& target) = 0;
  virtual void remove_peer(std::uint64_t id) = 0;

  using ForwardDone = std::function<void(grpc::Status, pb::ForwardAcks)>;
  virtual void forward(std::uint64_t to, const pb::ForwardBatch& batch, ForwardDone done) = 0;
  using KeepAliveDone = std::function<void(grpc::Status, etcdserverpb::LeaseKeepAliveResponse)>;
  virtual void keep_alive(std::uint64_t to, const etcdserverpb::LeaseKeepAliveRequest& r,
                          KeepAliveDone done) = 0;
  using TimeToLiveDone =
      std::function<void(grpc::Status, etcdserverpb::LeaseTimeToLiveResponse)>;
  virtual void time_to_live(std::uint64_t to, const etcdserverpb::LeaseTimeToLiveRequest& r,
                            TimeToLiveDone done) = 0;
  using ChangeDone = std::function<void(grpc::Status, pb::ChangeResponse)>;
  virtual void change(std::uint64_t to, const pb::ChangeRequest& r, ChangeDone done) = 0;

  // Nothing is sent, and no `done` runs, once this returns. Idempotent.
  virtual void stop() = 0;
};

}  // namespace etcetera::server
