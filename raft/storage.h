// What a node has persisted: its hard state and its log entries. The core only
// reads from Storage; the application writes to it while handling a Ready
// (persist entries and hard state, then advance). A restarted node is rebuilt
// from exactly what its Storage holds.
//
// Thread-safety: none; the core and the application take turns.
#pragma once

#include <optional>
#include <vector>

#include "raft/raft.pb.h"
#include "raft/types.h"

namespace etcetera::raft {

class Storage {
 public:
  virtual ~Storage() = default;

  virtual pb::HardState hard_state() const = 0;

  // The newest snapshot: entries through its index are compacted away. Index
  // 0 when there is none.
  virtual pb::Snapshot snapshot() const = 0;

  // The first and last index of the persisted entries: first_index() is one
  // past the snapshot. An empty log has first_index() == last_index() + 1.
  virtual Index first_index() const = 0;
  virtual Index last_index() const = 0;

  // The term of entry i; the snapshot's term at its index; nullopt when i is
  // compacted away or not stored yet.
  virtual std::optional<Term> term(Index i) const = 0;

  // Entries [lo, hi). REQUIRES: first_index() <= lo <= hi <= last_index() + 1.
  virtual std::vector<pb::Entry> entries(Index lo, Index hi) const = 0;
};

}  // namespace etcetera::raft
