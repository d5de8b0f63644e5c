// server::PeerTransport — the sending side between members.
//
// Raft messages: one PeerSender per other member, each with its own thread, a
// bounded queue and one long Peer.Send stream. The driver only enqueues, so it
// never waits on the network; a full queue or a peer that is down drops the
// message (raft retransmits what matters), and the sender reconnects with
// backoff. A snapshot whose state is in a file goes beside the stream, with
// its file, through the peer's SnapshotSender (server/snapshot_sender.h).
//
// Every message to a peer is at most kMaxPeerMessageBytes; the peer's server
// refuses a larger one before reading it (docs/server.md, "The peer port").
//
// Client requests a follower hands to the leader (Peer.Forward, KeepAlive,
// TimeToLive) go out as asynchronous calls whose completion runs on a gRPC
// thread; the caller posts the answer back to its driver.
#pragma once

// Boost.Asio and gRPC headers want <utility> first with g++ 12 in C++23.
#include <utility>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "raft/raft.pb.h"
#include "server/peer.grpc.pb.h"
#include "server/peers.h"
#include "server/snapshot_sender.h"

namespace etcetera::server {

// The largest message a member sends or takes on the peer port: a raft
// message carries at most about 1 MiB of entries (raft::Config's
// max_bytes_per_msg) or one entry of at most a request's size; a snapshot
// file goes in 1 MiB chunks.
inline constexpr int kMaxPeerMessageBytes = 8 << 20;

// A channel to a peer, with the peer port's limits.
std::shared_ptr<grpc::Channel> peer_channel(const std::string& target);

class PeerSender {
 public:
  // on_removed: the peer ended a stream answering that this member has been
  // removed (Peer.Send); runs on the sender's thread. snap_dir: where the
  // snapshot files named by InstallSnapshot messages are.
  PeerSender(std::string target, std::size_t capacity, std::filesystem::path snap_dir,
             std::function<void()> on_removed = {});
  ~PeerSender() { stop(); }
  PeerSender(const PeerSender&) = delete;
  PeerSender& operator=(const PeerSender&) = delete;

  // Queues `m`; drops it when the queue is full or the peer is backing off.
  void send(raft::pb::Message m);
  void stop();

 private:
  void run();
  // One stream's life: writes queued messages until it breaks or stop().
  // Returns whether any message went through.
  bool stream_once();

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::Peer::Stub> stub_;
  SnapshotSender snapshots_;
  std::size_t capacity_;
  std::function<void()> on_removed_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<raft::pb::Message> queue_;
  bool stopping_ = false;
  bool backing_off_ = false;
  grpc::ClientContext* active_ = nullptr;  // the open stream, for stop() to cancel
  std::thread thread_;
};

class PeerTransport final : public Peers {
 public:
  // peers: member id -> "host:port" of each other member. on_removed(peer):
  // that peer answered that this member has been removed from the cluster.
  using OnRemoved = std::function<void(std::uint64_t peer)>;
  PeerTransport(const std::map<std::uint64_t, std::string>& peers, std::filesystem::path snap_dir,
                OnRemoved on_removed = {});
  ~PeerTransport() override { stop(); }

  // A raft message to m.to(); dropped when m.to() is unknown.
  void send(raft::pb::Message m) override;

  // Membership changes, from the driver thread (like send): a member added
  // gets a sender and a stub; a member removed loses them, its stream cut.
  void add_peer(std::uint64_t id, const std::string& target) override;
  void remove_peer(std::uint64_t id) override;

  // Asynchronous calls to member `to`. `done` runs on a gRPC thread, once.
  void forward(std::uint64_t to, const pb::ForwardBatch& batch, ForwardDone done) override;
  void keep_alive(std::uint64_t to, const etcdserverpb::LeaseKeepAliveRequest& r,
                  KeepAliveDone done) override;
  void time_to_live(std::uint64_t to, const etcdserverpb::LeaseTimeToLiveRequest& r,
                    TimeToLiveDone done) override;
  void change(std::uint64_t to, const pb::ChangeRequest& r, ChangeDone done) override;

  // Stops the senders and cancels the calls in flight, waiting until their
  // completions have run: nothing calls back after stop() returns.
  void stop() override;

 private:
  template <class Req, class Resp, class Start>
  void call(std::uint64_t to, const Req& r, std::function<void(grpc::Status, Resp)> done,
            std::chrono::milliseconds deadline, Start start);

  std::unique_ptr<PeerSender> sender_to(std::uint64_t id, const std::string& target);

  std::filesystem::path snap_dir_;
  OnRemoved on_removed_;
  std::map<std::uint64_t, std::unique_ptr<PeerSender>> senders_;
  std::map<std::uint64_t, std::unique_ptr<pb::Peer::Stub>> stubs_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::set<grpc::ClientContext*> calls_;  // in flight
  bool stopped_ = false;
};

}  // namespace etcetera::server
