// server::SnapshotSender — sends one peer the snapshots whose state is in a
// file (server/disk/snapshot_stream.h), beside their InstallSnapshot
// message, over Peer.Snapshot: the message, then the file in chunks.
//
// It has a thread of its own, so that a large snapshot never holds up the
// raft messages on the peer's Send stream, and it sends one snapshot at a
// time: one offered while another is on its way is dropped. Raft offers it
// again if the follower does not acknowledge the first (raft/progress.h),
// so a slow transfer is never started twice over. Memory: one chunk.
//
// Thread-safety: offer() and stop() from any thread.
#pragma once

#include <utility>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "raft/raft.pb.h"
#include "server/peer.grpc.pb.h"

namespace etcetera::server {

class SnapshotSender {
 public:
  // snap_dir: where the files the messages name are.
  SnapshotSender(std::shared_ptr<grpc::Channel> channel, std::filesystem::path snap_dir);
  ~SnapshotSender() { stop(); }
  SnapshotSender(const SnapshotSender&) = delete;
  SnapshotSender& operator=(const SnapshotSender&) = delete;

  // Sends `m` (an InstallSnapshot message whose data names a file) unless
  // a snapshot is on its way already.
  void offer(raft::pb::Message m);
  void stop();

  // Snapshots sent whole and answered, since the start; for tests and logs.
  std::uint64_t delivered() const;

 private:
  void run();
  // One transfer; whether the peer took it.
  bool transfer(const raft::pb::Message& m);

  std::unique_ptr<pb::Peer::Stub> stub_;
  std::filesystem::path snap_dir_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<raft::pb::Message> pending_;
  bool busy_ = false;  // pending_ taken, transfer in progress
  bool stopping_ = false;
  std::uint64_t delivered_ = 0;
  grpc::ClientContext* active_ = nullptr;  // the transfer on its way, for stop() to cancel
  std::thread thread_;
};

}  // namespace etcetera::server
