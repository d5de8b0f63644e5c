// server::InProcessNetwork — members of one process reaching each other
// without sockets (server/peers.h): a raft message goes straight to the
// receiving member's PeerHandler, which posts it onto that member's driver;
// a call to the leader runs on a thread of the caller's, as a gRPC thread
// would run it. A snapshot's file is copied into the receiver's snapshot
// directory through receive_snapshot, as Peer.Snapshot does.
//
// For tests of a member's own threads: gRPC's libraries are not built with
// ThreadSanitizer, and reports from inside them say nothing about ours
// (./run test --tsan). Not for joining a running cluster (member_join.cc
// asks a peer over gRPC).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>

#include "server/peer_service.h"
#include "server/peers.h"

namespace etcetera::server {

class InProcessNetwork {
 public:
  // Member `id` is reachable through `handler` until its Peers stop.
  // on_removed(peer): `peer` refused a message because the cluster removed
  // this member.
  std::unique_ptr<Peers> join(std::uint64_t id, PeerHandler& handler,
                              std::filesystem::path snap_dir,
                              std::function<void(std::uint64_t)> on_removed);

 private:
  friend class InProcessPeers;
  // Runs fn(handler of `to`), or fn(nullptr) when `to` is not reachable;
  // `to` cannot leave meanwhile.
  void with(std::uint64_t to, const std::function<void(PeerHandler*)>& fn);
  void leave(std::uint64_t id);

  std::shared_mutex mu_;
  std::map<std::uint64_t, PeerHandler*> members_;
};

}  // namespace etcetera::server
