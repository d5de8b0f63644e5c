// ReadOnly: the leader's queue of ReadIndex requests waiting for a quorum to
// confirm that it is still the leader (thesis 6.4). Each request records the
// commit index at the time it arrived; a heartbeat round carrying its context
// confirms it, and confirming one confirms every older one too.
#pragma once

#include <deque>
#include <set>
#include <string>
#include <vector>

#include "raft/configuration.h"
#include "raft/types.h"

namespace etcetera::raft {

struct ReadRequest {
  std::string context;  // chosen by the client, unique among pending reads
  Index index;          // the leader's commit index when the read arrived
  NodeId from;          // who asked: the leader itself or a follower
  std::set<NodeId> acks;
};

class ReadOnly {
 public:
  bool contains(const std::string& context) const;
  void add(ReadRequest request) { queue_.push_back(std::move(request)); }

  // Records that `from` answered the heartbeat round for `context`. Returns
  // the requests now confirmed (this one and every older one) once the acks
  // form a quorum of `voters`, and removes them from the queue.
  std::vector<ReadRequest> recv_ack(NodeId from, const std::string& context,
                                    const JointConfig& voters);

  // Everything pending, removed: on losing leadership.
  std::vector<ReadRequest> take_all();
  bool empty() const { return queue_.empty(); }
  // The newest pending read's context, or "" when none is pending. Regular
  // heartbeats carry it, so a round lost on the network is retried.
  std::string last_context() const { return queue_.empty() ? "" : queue_.back().context; }

 private:
  std::deque<ReadRequest> queue_;
};

}  // namespace etcetera::raft
