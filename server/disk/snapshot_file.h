// Snapshot files: one raft snapshot per file, named `%016x-%016x.snap` after
// its term and index. Format 1 holds a single framed record (record_io.h)
// with the serialized raft::pb::Snapshot, data included; format 2
// (snapshot_stream.h) holds the state in parts, for snapshots of any size,
// and is what the server writes. Loading reads both.
//
// A file is saved atomically: written under a temporary name, fsynced,
// renamed into place, and the directory fsynced. So a snapshot file that has
// its final name is complete, and a crash leaves at most a `.tmp` leftover,
// which loading removes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "raft/raft.pb.h"
#include "server/disk/error.h"

namespace etcetera::server {

std::string snapshot_file_name(std::uint64_t term, std::uint64_t index);

// Saves `snapshot` in `dir` (which must exist), durably, before returning.
// REQUIRES (else kInvalidArgument): snapshot.metadata().index() > 0.
[[nodiscard]] DiskResult<void> save_snapshot(const std::filesystem::path& dir,
                                             const raft::pb::Snapshot& snapshot);

struct LoadedSnapshot {
  std::optional<raft::pb::Snapshot> snapshot;  // nullopt: no snapshot file verifies
  std::filesystem::path file;                  // the file it came from
  // One line per newer file that was skipped, saying which and why. The
  // older snapshot plus the WAL still cover what it held (Durability in
  // docs/durability.md), so this is worth a warning, not a refusal.
  std::vector<std::string> skipped;
};

// The newest snapshot in `dir` that verifies. Changes nothing on disk.
[[nodiscard]] DiskResult<LoadedSnapshot> load_newest_snapshot(const std::filesystem::path& dir);

// Removes what a crash may leave: files half written (.tmp), and snapshots
// received from the leader that raft had not installed (.recv; it sends
// them again).
[[nodiscard]] DiskResult<void> remove_snapshot_leftovers(const std::filesystem::path& dir);

// The index of each snapshot file in `dir`, newest first.
[[nodiscard]] DiskResult<std::vector<std::uint64_t>> list_snapshot_indexes(
    const std::filesystem::path& dir);

// Deletes all but the `keep` newest snapshot files.
[[nodiscard]] DiskResult<void> purge_snapshots(const std::filesystem::path& dir, std::size_t keep);

// Deletes the received snapshot files (`.recv`) at or below `index`: raft
// installed a newer one, or refused them.
[[nodiscard]] DiskResult<void> purge_received_snapshots(const std::filesystem::path& dir,
                                                        std::uint64_t index);

}  // namespace etcetera::server
