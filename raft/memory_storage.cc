#include "raft/memory_storage.h"

namespace etcetera::raft {

std::optional<Term> MemoryStorage::term(Index i) const {
  if (i == snapshot_index()) return snapshot_.metadata().term();
  if (i < snapshot_index() || i > last_index()) return std::nullopt;
  return entries_[i - first_index()].term();
}

std::vector<pb::Entry> MemoryStorage::entries(Index lo, Index hi) const {
  if (lo < first_index() || lo > hi || hi > last_index() + 1)
    raft_fatal("MemoryStorage::entries out of range");
  const auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(lo - first_index());
  return {begin, begin + static_cast<std::ptrdiff_t>(hi - lo)};
}

void MemoryStorage::append(std::span<const pb::Entry> entries) {
  if (entries.empty()) return;
  const Index first = entries.front().index();
  if (first < first_index() || first > last_index() + 1)
    raft_fatal("MemoryStorage::append leaves a gap or writes into the snapshot");
  entries_.resize(first - first_index());  // drop what the new entries replace
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

Result<void> MemoryStorage::apply_snapshot(const pb::Snapshot& snapshot) {
  if (snapshot.metadata().index() < snapshot_index())
    return fail(Error::Code::kInvalidArgument,
                "snapshot at index " + std::to_string(snapshot.metadata().index()) +
                    " is older than the stored one at " + std::to_string(snapshot_index()));
  snapshot_ = snapshot;
  entries_.clear();
  return {};
}

Result<void> MemoryStorage::compact(Index index, const pb::ConfState& conf_state,
                                    std::string data) {
  if (index <= snapshot_index())
    return fail(Error::Code::kInvalidArgument, "index " + std::to_string(index) +
                                                   " is already compacted (snapshot at " +
                                                   std::to_string(snapshot_index()) + ")");
  if (index > last_index())
    return fail(Error::Code::kInvalidArgument, "index " + std::to_string(index) +
                                                   " is past the last stored entry " +
                                                   std::to_string(last_index()));
  pb::Snapshot next;
  next.set_data(std::move(data));
  *next.mutable_metadata()->mutable_conf_state() = conf_state;
  next.mutable_metadata()->set_index(index);
  next.mutable_metadata()->set_term(*term(index));
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(index + 1 - first_index()));
  snapshot_ = std::move(next);
  return {};
}

std::string MemoryStorage::describe() const {
  std::string out;
  if (snapshot_index() > 0)
    out += "snapshot " + std::to_string(snapshot_index()) + "/" +
           std::to_string(snapshot_.metadata().term()) + "\n";
  for (const auto& e : entries_)
    out += std::to_string(e.index()) + "/" + std::to_string(e.term()) + " " + e.data() + "\n";
  return out;
}

}  // namespace etcetera::raft
