// Storage kept in memory: what the simulator and the tests use as a node's
// "disk". Surviving a simulated crash means surviving in here.
#pragma once

#include <span>
#include <string>

#include "raft/storage.h"

namespace etcetera::raft {

class MemoryStorage final : public Storage {
 public:
  pb::HardState hard_state() const override { return hard_state_; }
  Index first_index() const override { return 1; }
  Index last_index() const override { return entries_.size(); }
  std::optional<Term> term(Index i) const override;
  std::vector<pb::Entry> entries(Index lo, Index hi) const override;

  void set_hard_state(const pb::HardState& hs) { hard_state_ = hs; }

  // Persists entries handed out in a Ready. An entry that conflicts with a
  // stored one replaces it and everything after it (the leader overwrote them).
  // REQUIRES: entries are consecutive and the first is at most last_index() + 1.
  void append(std::span<const pb::Entry> entries);

  // One line per entry, "index/term data", for tests and the demo.
  std::string describe() const;

 private:
  pb::HardState hard_state_;
  std::vector<pb::Entry> entries_;  // entries_[i] holds index i + 1
};

}  // namespace etcetera::raft
