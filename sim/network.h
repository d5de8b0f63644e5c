// sim::Network — the wire between simulated nodes. A message sent at virtual
// time t arrives at t + delay, where each link (from -> to) draws its delay
// from its own range; the link may also lose the message or deliver it twice.
// Different delays reorder messages, as a real network does. Partitions split
// the nodes into groups that cannot reach each other.
//
// Nothing here reads a clock or an ambient random source: the time is passed
// in, and every loss, duplicate and delay comes from one seeded Rng, so the
// same seed and the same calls give the same deliveries.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/raft.pb.h"
#include "raft/rng.h"
#include "raft/types.h"

namespace etcetera::sim {

using raft::NodeId;
using Time = std::uint64_t;  // virtual time, in ticks

// How one link treats the messages on it. Probabilities are per mille, so
// that a run never depends on floating-point rounding.
struct LinkFaults {
  Time min_delay = 0;  // ticks on the wire, drawn uniformly from [min_delay, max_delay]
  Time max_delay = 0;
  std::uint32_t loss = 0;       // per mille of messages lost
  std::uint32_t duplicate = 0;  // per mille of messages delivered twice
  bool operator==(const LinkFaults&) const = default;
};

// "delay=0-2 loss=10/1000 dup=5/1000"
std::string describe(const LinkFaults& f);

// What a link does with one message: loses it, or delivers it after
// `delay` ticks, and a second copy after `second_delay` when `twice`.
struct LinkFate {
  bool lost = false;
  bool twice = false;
  Time delay = 0, second_delay = 0;
};
// Every draw is made whether or not the link is faulty, so that changing
// one link's faults does not shift the random choices of all the others.
LinkFate draw_fate(raft::Rng& rng, const LinkFaults& f);

// What the network did, for the simulator's summary.
struct NetworkStats {
  std::uint64_t sent = 0;        // messages handed to the network
  std::uint64_t lost = 0;        // lost by a faulty link
  std::uint64_t duplicated = 0;  // extra copies made by a faulty link or a script
  std::uint64_t cut = 0;         // not delivered: a partition or a crashed end
  std::uint64_t dropped = 0;     // dropped on purpose by a test or script
};

// Told when the network itself decides a message's fate, so that the cluster
// can put it in the trace: a faulty link lost it, or made a second copy.
class NetworkObserver {
 public:
  virtual ~NetworkObserver() = default;
  virtual void lost_on_link(const raft::pb::Message&) {}
  virtual void duplicated(const raft::pb::Message&) {}
};

class Network {
 public:
  struct InFlight {
    raft::pb::Message message;
    Time due;           // the earliest time it may arrive
    std::uint64_t seq;  // send order, to break ties
  };

  explicit Network(std::uint64_t seed) : rng_(seed) {}

  // Puts m on the wire at time `now`; its link may lose it, copy it, delay it.
  void send(const raft::pb::Message& m, Time now);

  // Messages on the wire, in the order they were sent.
  const std::deque<InFlight>& in_flight() const { return in_flight_; }
  // Removes and returns, in send order, every message `match` accepts.
  std::vector<raft::pb::Message> take(const std::function<bool(const raft::pb::Message&)>& match);
  // Removes and returns the messages due by `now`, by due time then send order.
  std::vector<raft::pb::Message> take_due(Time now);
  // Removes and returns the first of them (the order take_due gives), if any.
  std::optional<raft::pb::Message> take_next_due(Time now);
  // Puts a second copy of every matching message on the wire, right behind it.
  int duplicate(const std::function<bool(const raft::pb::Message&)>& match);

  // Partitions: each group can reach only itself. Nodes named in no group
  // form one more group together. heal() reconnects everyone.
  void partition(const std::vector<std::vector<NodeId>>& groups);
  void isolate(NodeId id);
  void heal() { group_.clear(); }
  bool connected(NodeId a, NodeId b) const { return group_of(a) == group_of(b); }
  bool is_isolated(NodeId id) const;
  // The groups the nodes `ids` fall into, in the order the groups were made
  // (the unnamed rest first), members in the order of `ids`.
  std::vector<std::vector<NodeId>> groups(const std::vector<NodeId>& ids) const;
  // The groups as "{1,2} {3}" (empty when there is no partition).
  std::string describe_partition(const std::vector<NodeId>& ids) const;

  void set_default_link(const LinkFaults& f) { default_link_ = f; }
  void set_link(NodeId from, NodeId to, const LinkFaults& f) { links_[{from, to}] = f; }
  void clear_links() { links_.clear(); }
  const LinkFaults& link(NodeId from, NodeId to) const;
  const LinkFaults& default_link() const { return default_link_; }

  // REQUIRES: observer (if not null) outlives the network or is reset.
  void set_observer(NetworkObserver* observer) { observer_ = observer; }

  NetworkStats& stats() { return stats_; }
  const NetworkStats& stats() const { return stats_; }

 private:
  int group_of(NodeId id) const;
  void put(const raft::pb::Message& m, Time due);

  raft::Rng rng_;
  std::deque<InFlight> in_flight_;
  std::uint64_t next_seq_ = 0;
  std::map<NodeId, int> group_;  // absent: group 0
  int next_group_ = 1;
  LinkFaults default_link_;
  std::map<std::pair<NodeId, NodeId>, LinkFaults> links_;
  NetworkStats stats_;
  NetworkObserver* observer_ = nullptr;
};

}  // namespace etcetera::sim
