#include "server/disk/wal_recovery.h"

#include <algorithm>
#include <string>

#include "server/disk/file.h"
#include "server/disk/record_io.h"

namespace etcetera::server {
namespace {

// Folds records, in the order they were written, into a hard state, the
// newest snapshot mark and a run of consecutive entries.
//
// The run normally starts at index 1, or right after a snapshot that replaced
// the log. After release_to has deleted old segments, the oldest remaining one
// starts somewhere in the middle: its prefix is unknown, so the first entry
// read sets where the run starts, and an overwrite below that start replaces
// the whole run (everything from the overwritten index on is replaced anyway,
// and what came before it lives in a snapshot).
class LogRebuilder {
 public:
  explicit LogRebuilder(bool prefix_known) : prefix_known_(prefix_known) {}

  // An empty string, or why the record cannot follow the ones before it.
  std::string add(const pb::WalRecord& record) {
    switch (record.record_case()) {
      case pb::WalRecord::kEntry:
        return add_entry(record.entry());
      case pb::WalRecord::kHardState:
        hard_state_ = record.hard_state();
        return {};
      case pb::WalRecord::kSnapshot:
        add_mark(record.snapshot());
        return {};
      default:
        return "a record of no known kind";
    }
  }

  const raft::pb::HardState& hard_state() const { return hard_state_; }
  const pb::SnapshotMark& mark() const { return mark_; }
  std::vector<raft::pb::Entry>& entries() { return entries_; }
  std::uint64_t start() const { return start_; }
  std::uint64_t last() const { return start_ + entries_.size() - 1; }

 private:
  std::string add_entry(const raft::pb::Entry& e) {
    const std::uint64_t i = e.index();
    if (!prefix_known_ && (entries_.empty() || i < start_)) {
      entries_.clear();
      start_ = i;
    }
    if (i < start_ || i == 0)
      return "entry " + std::to_string(i) + " lies inside the snapshot the log starts after (" +
             std::to_string(start_ - 1) + ")";
    if (i > last() + 1)
      return "entry " + std::to_string(i) + " leaves a gap after entry " + std::to_string(last());
    entries_.resize(i - start_);  // an overwrite drops the entries it replaces
    entries_.push_back(e);
    return {};
  }

  void add_mark(const pb::SnapshotMark& m) {
    // Each segment repeats the mark current when it began; only newer ones count.
    if (m.index() < mark_.index() || (m.index() == mark_.index() && !m.replaces_log())) return;
    if (m.replaces_log()) {
      entries_.clear();
      start_ = m.index() + 1;
      prefix_known_ = true;
    }
    mark_ = m;
    mark_.set_replaces_log(false);
  }

  bool prefix_known_;
  raft::pb::HardState hard_state_;
  pb::SnapshotMark mark_;
  std::uint64_t start_ = 1;  // the index of entries_[0]
  std::vector<raft::pb::Entry> entries_;
};

std::string advice() {
  return ". Restore this member's data directory from a backup, or remove the member from the "
         "cluster and add it back empty so that it receives a snapshot from the leader";
}

DiskError corrupt(const Segment& s, std::size_t offset, const std::string& what) {
  return {DiskError::Code::kCorrupt, "WAL segment " + s.path.string() + " is damaged at byte " +
                                         std::to_string(offset) + ": " + what + advice()};
}

// Reads one segment into `log`. A torn tail of the last segment is cut off
// (and described in `state`); any other damage is an error.
DiskResult<std::uint64_t> read_segment(const Segment& s, bool is_last, LogRebuilder& log,
                                       RecoveredWal& out) {
  WalState& state = out.state;
  auto data = read_whole_file(s.path);
  if (!data) return std::unexpected(data.error());
  RecordReader reader(*data);
  for (;;) {
    RecordRead r = reader.next();
    switch (r.kind) {
      case RecordRead::Kind::kRecord: {
        pb::WalRecord record;
        if (!record.ParseFromArray(r.payload.data(), static_cast<int>(r.payload.size())))
          return std::unexpected(
              corrupt(s, r.offset, "a record whose checksum matches does not parse"));
        if (auto problem = log.add(record); !problem.empty())
          return std::unexpected(corrupt(s, r.offset, problem));
        break;
      }
      case RecordRead::Kind::kEnd:
        return data->size();
      case RecordRead::Kind::kCorrupt:
        return std::unexpected(corrupt(s, r.offset,
                                       r.problem +
                                           ", with valid records after it, so it is not a write "
                                           "that a crash interrupted"));
      case RecordRead::Kind::kTornTail:
        if (!is_last)
          return std::unexpected(
              corrupt(s, r.offset, r.problem + " in a segment that is not the last one"));
        out.cut_last_segment_at = r.offset;
        state.truncated_bytes = data->size() - r.offset;
        state.repaired = "truncated " + s.path.string() + " from " + std::to_string(data->size()) +
                         " to " + std::to_string(r.offset) + " bytes: " + r.problem + " at byte " +
                         std::to_string(r.offset) +
                         " (a write interrupted by a crash; nothing after it was acknowledged)";
        return r.offset;
    }
  }
}

// Keeps the entries after `from`, which must follow it without a gap.
DiskResult<std::vector<raft::pb::Entry>> entries_after(std::vector<raft::pb::Entry>& entries,
                                                       std::uint64_t from,
                                                       const std::filesystem::path& dir) {
  std::erase_if(entries, [from](const raft::pb::Entry& e) { return e.index() <= from; });
  if (!entries.empty() && entries.front().index() != from + 1)
    return disk_fail(DiskError::Code::kCorrupt,
                     "the WAL in " + dir.string() + " holds entries from " +
                         std::to_string(entries.front().index()) + " but the snapshot ends at " +
                         std::to_string(from) + ", so entries " + std::to_string(from + 1) +
                         " to " + std::to_string(entries.front().index() - 1) + " are lost" +
                         advice());
  return std::move(entries);
}

}  // namespace

DiskResult<RecoveredWal> recover_wal(const std::vector<Segment>& segments,
                                     std::optional<std::uint64_t> from) {
  RecoveredWal out;
  LogRebuilder log(/*prefix_known=*/segments.front().seq == 0);
  for (std::size_t k = 0; k < segments.size(); ++k) {
    const bool is_last = k + 1 == segments.size();
    auto size = read_segment(segments[k], is_last, log, out);
    if (!size) return std::unexpected(size.error());
    if (is_last) out.last_segment_bytes = *size;
  }
  out.last_index =
      log.entries().empty()
          ? std::max({log.mark().index(), log.start() - 1, segments.back().first_index - 1})
          : log.last();
  out.state.hard_state = log.hard_state();
  out.state.snapshot = log.mark();
  auto entries = entries_after(log.entries(), from.value_or(log.mark().index()),
                               segments.front().path.parent_path());
  if (!entries) return std::unexpected(entries.error());
  out.state.entries = std::move(*entries);
  return out;
}

}  // namespace etcetera::server
