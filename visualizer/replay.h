// Replay: walks a trace one event at a time and keeps what a picture of the
// cluster needs after each event — every node's state and log, the messages
// on the wire, the partition, which nodes are down, and whether an invariant
// of spec/Raft.tla broke at this step.
//
// The logs and the committed entries come from spec/'s ClusterView, the same
// rebuild the invariant checks judge, so the diagrams show exactly the state
// the checks saw. The environment's events (crashes, partitions, lost
// messages), which the spec view skips, are followed here, and so are the
// lock layer's (visualizer/lock_board.h).
//
// A step is one event; step k (1-based) is the state after events 1..k.
// Step 0 is the state before the first event.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/trace.pb.h"
#include "spec/raft_view.h"
#include "visualizer/lock_board.h"

namespace etcetera::viz {

using NodeId = std::uint64_t;
using Index = std::uint64_t;
using Term = std::uint64_t;

// A message on the wire: sent, and neither received nor lost yet.
struct Flight {
  raft::pb::Message message;
  std::size_t sent = 0;  // the step that sent it (for a copy the network made: the original's)
};

// A node as the trace last showed it.
struct NodeLook {
  raft::pb::NodeState state;
  bool up = true;
};

// What the current step did to a message, for highlighting it.
enum class MessageFate { kNone, kSent, kReceived, kLost, kDuplicated };

class Replay {
 public:
  explicit Replay(std::vector<raft::pb::Event> events);

  const std::vector<raft::pb::Event>& events() const { return events_; }
  std::size_t steps() const { return events_.size(); }
  std::size_t step() const { return step_; }
  bool done() const { return step_ == events_.size(); }
  // The event of the current step. REQUIRES: step() > 0.
  const raft::pb::Event& event() const { return events_[step_ - 1]; }

  // Moves to the next step. REQUIRES: !done().
  void next();
  // Moves forward to step `k` (rewinding by starting over when k < step()).
  void seek(std::size_t k);

  const std::map<NodeId, NodeLook>& nodes() const { return nodes_; }
  const spec::ClusterView& view() const { return view_; }
  const std::vector<Flight>& in_flight() const { return in_flight_; }
  // The groups of the partition in force, or empty when all can talk.
  const std::vector<std::vector<NodeId>>& partition() const { return partition_; }
  // The message the current step sent, received, lost or copied, if any.
  MessageFate fate() const { return fate_; }
  const raft::pb::Message* message() const;
  // The locks, their clients and the protected resource, as the lock
  // layer's events left them.
  const LockBoard& locks() const { return locks_; }
  // Whether the current step is a crashed node starting again.
  bool restarted() const { return restarted_; }
  // The highest leader term seen so far, and that leader (0: none yet).
  NodeId leader() const;

  // For the step (1-based) that received, lost or copied a message: the step
  // that sent it (for a copy the network made: the original's), or 0 when
  // the trace does not show the send. 0 for every other step.
  std::size_t sent_at(std::size_t step) const { return sent_at_[step - 1]; }

  // The first invariant of spec/Raft.tla this step broke ("LogMatchingInv:
  // ..."), if any; invariants already broken earlier are not reported again.
  const std::optional<std::string>& violation() const { return violation_; }

 private:
  void follow_environment(const raft::pb::Event& e);
  void follow_messages(const raft::pb::Event& e);
  void check_invariants();
  void reset();

  void match_messages();

  std::vector<raft::pb::Event> events_;
  std::vector<std::size_t> sent_at_;
  std::size_t step_ = 0;
  std::map<NodeId, NodeLook> nodes_;
  spec::ClusterView view_;
  std::vector<Flight> in_flight_;
  std::vector<std::vector<NodeId>> partition_;
  LockBoard locks_;
  MessageFate fate_ = MessageFate::kNone;
  bool restarted_ = false;
  std::vector<std::string> broken_;  // invariants already reported
  std::optional<std::string> violation_;
};

}  // namespace etcetera::viz
