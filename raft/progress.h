// Progress: what a leader knows about one follower's log, and how it sends to
// it (thesis 10.2.2 and etcd's flow control). Two states:
//   probe      - we do not know where the follower's log matches; send one
//                append, then wait for its answer (or a heartbeat answer).
//   replicate  - the follower matched; stream appends optimistically, at
//                most max_inflight unacknowledged ones at a time.
//   snapshot   - the entries it needs are compacted away; a snapshot is on
//                its way and nothing else is sent until it is acknowledged.
// Invariant: match < next.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

#include "raft/types.h"

namespace etcetera::raft {

// The last indexes of appends sent but not yet acknowledged, oldest first.
class Inflights {
 public:
  explicit Inflights(std::size_t capacity) : capacity_(capacity) {}
  bool full() const { return sent_.size() >= capacity_; }
  std::size_t count() const { return sent_.size(); }
  void add(Index last) { sent_.push_back(last); }
  void free_to(Index index);  // acknowledged through index
  void free_first_one();      // a heartbeat answer: make room for one more
  void clear() { sent_.clear(); }

 private:
  std::size_t capacity_;
  std::deque<Index> sent_;
};

struct Progress {
  enum class State { kProbe, kReplicate, kSnapshot };

  explicit Progress(Index next_index, std::size_t max_inflight)
      : next(next_index), inflights(max_inflight) {}

  Index match = 0;  // matchIndex: highest index known to be replicated there
  Index next;       // nextIndex: the next index to send
  State state = State::kProbe;
  bool probe_sent = false;      // probe: an append is outstanding, hold further ones
  bool recent_active = false;   // heard from within this CheckQuorum period
  Index pending_snapshot = 0;   // snapshot: the index of the snapshot sent
  int snapshot_heartbeats = 0;  // snapshot: heartbeat answers since it was sent
  Inflights inflights;

  // An acknowledgement through n: raises match (and next). Returns whether it
  // told us something new.
  bool maybe_update(Index n);
  void become_probe();
  void become_replicate();
  void become_snapshot(Index snapshot_index);
  // An append with entries up to `last` was sent (0: it carried none).
  void sent_append(Index last);
  bool is_paused() const;

  std::string describe() const;  // "match=3 next=4 replicate inflight=1"
};

}  // namespace etcetera::raft
