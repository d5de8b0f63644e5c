// A member's raft storage on disk: the WAL (wal.h) in <data-dir>/member/wal
// and the snapshot files (snapshot_file.h) in <data-dir>/member/snap, with a
// raft::MemoryStorage in front that raft::Node reads from. The memory copy is
// what the node sees; the files are what survives a restart. Opening rebuilds
// the memory copy from the newest snapshot that verifies plus the WAL after
// it, so that after any sequence of persist / sync / compact, a reopened
// DurableStorage holds exactly the same hard state, snapshot and entries.
//
// Use from a driver loop handling a Ready:
//   persist(ready hard state, ready entries, ready snapshot); sync();
//   then send the messages that had to wait for the disk, and advance.
//
// Thread-safety: one owner (the server's driver loop), which may hand sync()
// to another thread (server/log_writer.h) as long as it calls nothing else
// that touches the WAL until that sync returns; the memory copy is not
// touched by sync().
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "raft/memory_storage.h"
#include "server/disk/error.h"
#include "server/disk/wal.h"

namespace etcetera::server {

struct DurableOptions {
  std::uint64_t segment_bytes = 64u << 20;  // WalOptions::segment_bytes
  std::size_t snapshots_kept = 2;           // the newest, and one to fall back on
  // Repair what a crash left (a torn WAL tail, leftover files) as part of
  // open(). Off: open() changes nothing on disk, and the caller calls
  // repair() once everything else has checked out, so that a member that
  // cannot start leaves its data dir as it was.
  bool repair_at_open = true;
  // Called at the start of every sync(), on the thread that syncs: a seam
  // for tests that stall or slow the disk. Empty in a real member.
  std::function<void()> before_sync = {};
};

class DurableStorage {
 public:
  // Opens (creating when missing) the storage under `data_dir` and recovers it.
  [[nodiscard]] static DiskResult<DurableStorage> open(const std::filesystem::path& data_dir,
                                                       DurableOptions options = {});
  // Cuts the torn WAL tail and removes the leftover files open() found;
  // nothing is written before this. (Done by open() unless told otherwise.)
  [[nodiscard]] DiskResult<void> repair();

  // What a raft::Node is started from and reads. Its address stays the same
  // for the life of this object, moves included.
  const raft::MemoryStorage& storage() const { return *memory_; }

  // What recovery repaired or skipped (a truncated torn tail, a damaged
  // snapshot file), one line each, for the server's log; empty if nothing.
  const std::vector<std::string>& recovery_notes() const { return notes_; }

  // Records what a Ready hands out: a snapshot from the leader (saved to its
  // file at once, or, when its data refers to a file received beside the
  // raft message, that file renamed into place: snapshot_stream.h; it
  // replaces the log), then entries, then the hard state (an empty
  // optional: unchanged). Nothing in the WAL is durable before sync().
  // kInvalidArgument for what raft never hands out (an older snapshot,
  // entries that leave a gap or reach into the snapshot).
  [[nodiscard]] DiskResult<void> persist(const std::optional<raft::pb::HardState>& hard_state,
                                         std::span<const raft::pb::Entry> entries,
                                         const std::optional<raft::pb::Snapshot>& snapshot = {});

  // Writes and fdatasyncs everything persist() recorded.
  [[nodiscard]] DiskResult<void> sync();

  // Log compaction: saves `snapshot` (of the state machine through its
  // index) to a file, unless its data refers to one already written
  // (SnapshotWriter), marks it in the WAL, syncs, compacts the memory copy,
  // keeps the DurableOptions::snapshots_kept newest snapshot files and
  // releases the WAL segments that none of those needs.
  // kInvalidArgument unless snapshot index < index <= last index and its
  // term matches the entry's.
  [[nodiscard]] DiskResult<void> compact(const raft::pb::Snapshot& snapshot);

  const std::filesystem::path& wal_dir() const { return wal_dir_; }
  const std::filesystem::path& snap_dir() const { return snap_dir_; }

 private:
  DurableStorage() = default;

  [[nodiscard]] DiskResult<void> check_entries(std::span<const raft::pb::Entry> entries) const;
  [[nodiscard]] DiskResult<raft::pb::Snapshot> save_or_adopt(const raft::pb::Snapshot& snapshot);

  std::filesystem::path wal_dir_;
  std::filesystem::path snap_dir_;
  DurableOptions options_;
  std::optional<Wal> wal_;  // always set once open() returns
  std::unique_ptr<raft::MemoryStorage> memory_;
  std::vector<std::string> notes_;
};

}  // namespace etcetera::server
