#include "raft/memory_storage.h"

#include "raft/error.h"

namespace etcetera::raft {

std::optional<Term> MemoryStorage::term(Index i) const {
  if (i == 0) return 0;
  if (i > last_index()) return std::nullopt;
  return entries_[i - 1].term();
}

std::vector<pb::Entry> MemoryStorage::entries(Index lo, Index hi) const {
  if (lo < 1 || lo > hi || hi > last_index() + 1) raft_fatal("MemoryStorage::entries out of range");
  return {entries_.begin() + static_cast<std::ptrdiff_t>(lo - 1),
          entries_.begin() + static_cast<std::ptrdiff_t>(hi - 1)};
}

void MemoryStorage::append(std::span<const pb::Entry> entries) {
  if (entries.empty()) return;
  const Index first = entries.front().index();
  if (first < 1 || first > last_index() + 1) raft_fatal("MemoryStorage::append leaves a gap");
  entries_.resize(first - 1);  // drop what the new entries replace
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

std::string MemoryStorage::describe() const {
  std::string out;
  for (const auto& e : entries_)
    out += std::to_string(e.index()) + "/" + std::to_string(e.term()) + " " + e.data() + "\n";
  return out;
}

}  // namespace etcetera::raft
