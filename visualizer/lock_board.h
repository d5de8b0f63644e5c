// LockBoard: what the lock layer's events (raft/trace.proto, 50 and up) say
// at a step of a replay — each lock's queue of keys in the store, what each
// client believes, which clients are paused or lost their lease, and the
// protected resource's highest token and last verdict. The lock view draws it.
//
// It keeps only what the events said: the queue is the most advanced
// replica's (sim/lock_workload.h), a belief is the client's own. The two can
// disagree, and that disagreement is what the view is for: a client that
// believes it holds a lock whose queue no longer starts with its key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/trace.pb.h"

namespace etcetera::viz {

using ClientId = std::uint64_t;

struct QueuedKey {
  std::string key;
  std::int64_t revision = 0;  // create revision: the order in the queue, the holder's token
  std::int64_t lease = 0;
  ClientId client = 0;
};

struct LockClientLook {
  std::optional<std::int64_t> token;  // the token it believes it holds the lock with
  std::string lock;                   // which lock, while it believes
  std::string last_release;           // why it last stopped believing
  std::optional<std::uint64_t> paused_until;
  std::int64_t lease = 0;  // its newest lease seen in a key
  bool lease_ended = false;
};

struct ResourceLook {
  std::int64_t highest = 0;  // the highest token accepted so far
  std::optional<raft::pb::ResourceWritten> last;
  std::uint64_t accepted = 0, refused = 0;
};

class LockBoard {
 public:
  // Follows one event; events of other kinds leave the board as it is.
  // Returns whether the event was one of the lock layer's.
  bool apply(const raft::pb::Event& e);

  // Whether any lock event has been seen.
  bool empty() const { return queues_.empty() && clients_.empty(); }
  // Lock name -> its keys in create-revision order (the first one holds).
  const std::map<std::string, std::vector<QueuedKey>>& queues() const { return queues_; }
  const std::map<ClientId, LockClientLook>& clients() const { return clients_; }
  const ResourceLook& resource() const { return resource_; }

  // A client that believes it holds a lock whose queue does not start with
  // the key of its token: its lease ran out while it was not looking.
  bool stale(ClientId client) const;

 private:
  std::map<std::string, std::vector<QueuedKey>> queues_;
  std::map<ClientId, LockClientLook> clients_;
  ResourceLook resource_;
};

}  // namespace etcetera::viz
