// sim::Forwarding — clients' writes taken by any node and carried to the
// leader, the way etcetera's server does it (server/member_apply.cc), so
// that the simulator can put "a write applies at most once" through the
// faults the server meets: a leader that crashes with the write in its log,
// a forward or its answer lost or delivered twice, partitions.
//
// Each running node has a kv::Proposer (kv/proposer.h). A write submitted
// at a node is stamped there; at every step each node sends what its
// proposer says is due: it proposes the write itself when it leads, and
// otherwise forwards it to the leader it knows. The leader proposes what it
// receives and answers "accepted in term T" or "refused" (not leader). The
// node answers its client when the write applies in its own state machine
// (settle()).
//
// Forwards and answers travel on a wire of their own, next to raft's, with
// the same link faults (delay, loss, duplicates) and partitions: the
// cluster's Network carries raft's messages only. They are not in the
// trace; the server's Peer.Forward calls are not raft messages either.
//
// A node that crashes loses its proposer with everything it was waiting
// for (its clients hear nothing and time out). After a restart it numbers
// requests above every number it used before (from its start count, as the
// server does from a counter on disk).
//
// Deterministic: time is the cluster's, every fault is drawn from one
// seeded Rng.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "kv/proposer.h"
#include "raft/rng.h"
#include "sim/cluster.h"

namespace etcetera::sim {

struct ForwardingStats {
  std::uint64_t proposed = 0;   // attempts proposed by a leader (its own or forwarded)
  std::uint64_t forwarded = 0;  // attempts sent to a leader
  std::uint64_t refused = 0;    // attempts refused by a member that was not leader
  std::uint64_t resent = 0;     // attempts after a request's first
  std::uint64_t lost = 0;       // forwards or answers lost on the wire (faults, partitions, crashes)
  std::uint64_t duplicates = 0;  // applied entries that were copies (changed nothing)
  std::uint64_t late = 0;  // of those, copies refused because their proposer had moved on
};

class Forwarding {
 public:
  using Id = kv::Proposer::Id;

  // REQUIRES: cluster.options().kv; the cluster outlives this.
  Forwarding(Cluster& cluster, std::uint64_t seed, kv::Proposer::Options options);

  // Takes a write at node `at` for its client. REQUIRES: is_up(at).
  Id submit(NodeId at, kv::pb::Request r, Time deadline);
  // One step, after the cluster's tick: proposers follow crashes and
  // restarts, answers and forwards due by now arrive, and every node sends
  // what is due. Returns the requests settled by a snapshot: a node that
  // installed one skipped their entries, and finds them in its store's
  // applied requests instead.
  struct Settled {
    NodeId node;
    Id id;
    kv::pb::Response result;
  };
  std::vector<Settled> step();
  // A result node `node` applied: the id of the request of node's it
  // settles, if any.
  std::optional<Id> settle(NodeId node, const kv::pb::Response& result);
  // The client of request `id` at `node` gives up at its deadline. Whether
  // the request may have applied; nothing if the node no longer knows it
  // (it crashed since: who knows).
  std::optional<bool> give_up(NodeId node, Id id);

  const ForwardingStats& stats() const { return stats_; }

 private:
  struct Envelope {
    enum class Kind { kRequest, kAccepted, kRefused } kind;
    NodeId from = 0, to = 0;
    Time due = 0;
    kv::pb::Request request;  // kRequest
    Id id = 0;                // kAccepted, kRefused: the request's id
    std::uint64_t term = 0;   // kAccepted
  };
  struct Node {
    int starts = 0;  // the cluster's start count this proposer belongs to
    kv::Proposer proposer;
  };

  Node* proposer_at(NodeId id);  // null while the node is down
  void send_due(NodeId id, Node& n);
  // The leader's side: proposes r if it leads, and says so.
  void propose_at_leader(NodeId at, const kv::pb::Request& r, NodeId answer_to);
  void put_on_wire(Envelope e);
  void deliver(const Envelope& e);

  Cluster& cluster_;
  raft::Rng rng_;
  kv::Proposer::Options options_;
  std::map<NodeId, Node> nodes_;
  std::vector<Envelope> wire_;
  ForwardingStats stats_;
};

}  // namespace etcetera::sim
