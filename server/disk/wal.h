// The write-ahead log: what raft must have on disk before a node answers
// anyone (its entries, its hard state, and where its log now starts after a
// snapshot), as framed records (record_io.h) in a directory of segment files
// (wal_segment.h). docs/durability.md describes the format and the recovery
// rules.
//
// Writing is two steps: append / save_hard_state / mark_snapshot buffer
// records in memory, and sync() writes the buffer and calls fdatasync once.
// A driver that collects the Readys of many requests and syncs once lets them
// share one disk flush. Nothing is durable, or even written, before sync().
//
// Opening recovers: it reads every segment, repairs a torn tail of the last
// one (a write the crash interrupted) by truncating it, and refuses with
// kCorrupt any other damage, naming the file and byte offset, rather than
// start with silently lost records.
//
// Thread-safety: none; one owner (the server's driver loop) calls it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "raft/raft.pb.h"
#include "server/disk/error.h"
#include "server/disk/file.h"
#include "server/disk/wal.pb.h"
#include "server/disk/wal_segment.h"

namespace etcetera::server {

struct WalOptions {
  // A new segment is started once the current one has grown past this.
  std::uint64_t segment_bytes = 64u << 20;
  // The index of the snapshot the caller recovered from its snapshot files:
  // WalState::entries starts right after it. Unset: after the WAL's own newest
  // snapshot mark. (They differ when the newest snapshot file was damaged and
  // an older one was loaded instead.)
  std::optional<std::uint64_t> entries_after;
  // Cut a torn tail at once. Off: open() changes nothing on disk, and the
  // caller cuts it with repair() once it has checked everything else, so
  // that a member that cannot start leaves its data dir as it found it.
  bool repair_at_open = true;
};

// What the log held when it was opened.
struct WalState {
  raft::pb::HardState hard_state;
  pb::SnapshotMark snapshot;             // the newest snapshot mark (index 0: none)
  std::vector<raft::pb::Entry> entries;  // consecutive, from entries_after + 1
  std::uint64_t truncated_bytes = 0;     // cut off a torn tail
  std::string repaired;                  // what was cut and why, for a log line; empty if nothing
};

class Wal {
 public:
  // Opens (creating when missing) the WAL in `dir` and recovers its state.
  [[nodiscard]] static DiskResult<Wal> open(const std::filesystem::path& dir,
                                            WalOptions options = {});

  // The state found by open().
  const WalState& recovered() const { return recovered_; }
  // Cuts the torn tail open() found, if it did not; the WAL takes writes
  // only after that.
  [[nodiscard]] DiskResult<void> repair();

  // Buffers entries handed out by raft. An entry at an index already written
  // replaces it and everything after it, as in raft::MemoryStorage::append.
  // kInvalidArgument, with nothing buffered, if an entry is larger than a
  // record can be (kMaxRecordBytes): no request the server takes makes one.
  [[nodiscard]] DiskResult<void> append(std::span<const raft::pb::Entry> entries);
  void save_hard_state(const raft::pb::HardState& hard_state);

  // Buffers a mark: a snapshot through `index` is saved (a local compaction),
  // and the log keeps the entries after it.
  void mark_snapshot(std::uint64_t index, std::uint64_t term);
  // Buffers a mark for a snapshot received from the leader: it replaces the
  // whole log, as in raft::MemoryStorage::apply_snapshot.
  void replace_log_with_snapshot(std::uint64_t index, std::uint64_t term);

  // Writes what is buffered and fdatasyncs it; starts a new segment when the
  // current one is past WalOptions::segment_bytes.
  [[nodiscard]] DiskResult<void> sync();

  // Deletes the oldest segments whose entries that still matter are all at or
  // below `index`. Never deletes the segment being written.
  // REQUIRES: a snapshot through `index` is saved and its mark synced.
  [[nodiscard]] DiskResult<void> release_to(std::uint64_t index);

  // The segment files, oldest first (for tests and tools).
  std::vector<std::filesystem::path> segment_paths() const;

 private:
  Wal() = default;

  // Buffers a record known to be small (a hard state, a mark).
  void buffer(const pb::WalRecord& record);
  [[nodiscard]] DiskResult<void> start_segment(std::uint64_t seq);

  std::filesystem::path dir_;
  WalOptions options_;
  WalState recovered_;
  std::vector<Segment> segments_;  // oldest first; the last one is being written
  File current_;                   // open on segments_.back(), once repaired
  std::uint64_t current_bytes_ = 0;
  std::optional<std::uint64_t> cut_at_;  // a torn tail not cut yet
  std::string pending_;  // framed records not yet written
  // What a new segment's header repeats, and the index its name starts from.
  raft::pb::HardState hard_state_;
  pb::SnapshotMark mark_;
  std::uint64_t last_index_ = 0;
};

}  // namespace etcetera::server
