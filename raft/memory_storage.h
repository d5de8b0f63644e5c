// Storage kept in memory: what the simulator and the tests use as a node's
// "disk". Surviving a simulated crash means surviving in here.
#pragma once

#include <span>
#include <string>

#include "raft/error.h"
#include "raft/storage.h"

namespace etcetera::raft {

class MemoryStorage final : public Storage {
 public:
  pb::HardState hard_state() const override { return hard_state_; }
  pb::Snapshot snapshot() const override { return snapshot_; }
  Index first_index() const override { return snapshot_index() + 1; }
  Index last_index() const override { return snapshot_index() + entries_.size(); }
  std::optional<Term> term(Index i) const override;
  std::vector<pb::Entry> entries(Index lo, Index hi) const override;

  void set_hard_state(const pb::HardState& hs) { hard_state_ = hs; }

  // Persists entries handed out in a Ready. An entry that conflicts with a
  // stored one replaces it and everything after it (the leader overwrote them).
  // REQUIRES: entries are consecutive, the first at most last_index() + 1 and
  // past the snapshot.
  void append(std::span<const pb::Entry> entries);

  // Persists a snapshot handed out in a Ready: it replaces the whole log.
  // Refused when it is older than the snapshot already stored.
  [[nodiscard]] Result<void> apply_snapshot(const pb::Snapshot& snapshot);

  // Log compaction, by the application: a snapshot of the state machine
  // through `index` (with the configuration as of then) replaces the entries
  // up to it. Refused unless snapshot index < index <= last_index().
  [[nodiscard]] Result<void> compact(Index index, const pb::ConfState& conf_state,
                                     std::string data);

  // One line per entry, "index/term data", for tests and the demo.
  std::string describe() const;

 private:
  Index snapshot_index() const { return snapshot_.metadata().index(); }

  pb::HardState hard_state_;
  pb::Snapshot snapshot_;
  std::vector<pb::Entry> entries_;  // entries_[k] holds index snapshot_index() + 1 + k
};

}  // namespace etcetera::raft
