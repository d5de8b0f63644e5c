// sim::SimKvPort — a lock::KvPort for one simulated client of a key-value
// cluster: the transport under the lock recipes in the simulator.
//
//   - submit: proposes the request through raft at the client's node,
//     following a follower's leader hint at once (the proposal entered no
//     log); the answer is the response the node applies. No answer within
//     the timeout: a Failure saying the outcome is unknown (the entry may
//     still commit), as the port's contract asks.
//   - watch: a watch on the kv::WatchStream of a node's state machine (the
//     leader if there is one). If the node goes down or is cut off, the
//     watch is canceled, as etcd's clients cancel a watch that lost its
//     leader; the recipes set it up again.
//   - keep_alive: served by the leader's lease clock (kv/lease_clock.h),
//     outside raft; while nobody can serve it, it is asked again every tick.
//     TTL 0 when the lease is gone.
//
// Nothing is done inside a call: the calls queue, and step(), one tick of
// the client, sends what is queued and hands out what came back. A paused
// client is a client whose step() is not called: answers wait for it.
// Deterministic: virtual time, no clocks or threads.
// REQUIRES: the cluster outlives the port. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lock/kv_port.h"
#include "sim/cluster.h"

namespace etcetera::sim {

class SimKvPort final : public lock::KvPort {
 public:
  // Request ids are `client` * 2^32 + a counter, so that ports sharing a
  // cluster never answer each other's requests. `timeout` in ticks.
  SimKvPort(Cluster& cluster, std::uint32_t client, Time timeout);
  ~SimKvPort() override;
  SimKvPort(const SimKvPort&) = delete;
  SimKvPort& operator=(const SimKvPort&) = delete;

  void submit(kv::pb::Request request, Done done) override;
  std::int64_t watch(const etcdserverpb::WatchCreateRequest& create, OnWatch on_event) override;
  void cancel_watch(std::int64_t id) override;
  void keep_alive(std::int64_t lease, KeepAliveDone done) override;

  // The cluster's kv listener (the workload) passes on here for every applied response.
  void applied(NodeId node, const kv::pb::Response& response);
  // One tick of the client: answers what came back, then sends what waits.
  void step();

  std::uint64_t redirects() const { return redirects_; }
  std::uint64_t unknown_outcomes() const { return unknown_; }

 private:
  struct Pending {
    kv::pb::Request request;
    Done done;
    Time deadline = 0;
    NodeId node = 0;  // where it was proposed; 0 until a node took it
  };
  struct Watch {
    NodeId node = 0;
    kv::WatchStream* stream = nullptr;
    std::int64_t stream_id = 0;
    OnWatch on_event;
  };
  struct KeepAlive {
    std::int64_t lease = 0;
    KeepAliveDone done;
  };

  void propose(Pending& p);
  void time_out_overdue();
  void collect_watch_responses();
  void cancel_unreachable_watches();
  void serve_keep_alives();
  NodeId next_node(NodeId after) const;
  bool reachable(NodeId node) const;
  kv::WatchStream& stream_at(NodeId node);

  Cluster& cluster_;
  const std::uint32_t client_;
  const Time timeout_;
  NodeId target_ = 1;
  std::uint64_t next_request_ = 1;
  std::int64_t next_watch_ = 1;               // from 1: a watch id of 0 asks the stream to pick one
  std::map<std::uint64_t, Pending> pending_;  // by request id
  std::map<std::int64_t, Watch> watches_;     // by the port's watch id
  std::map<NodeId, kv::WatchStream*> streams_;
  std::deque<KeepAlive> keep_alives_;
  std::deque<std::function<void()>> inbox_;  // answers, handed out at the next step()
  std::uint64_t redirects_ = 0, unknown_ = 0;
};

}  // namespace etcetera::sim
