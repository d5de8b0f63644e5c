// Snapshot files of any size (format 2; docs/durability.md, "Snapshots of
// any size"). A file is a run of framed records (record_io.h):
//
//   header   the raft metadata: index, term, configuration
//   part     the caller's parts, in order, as many as it writes (the
//   ...      server's: the member registry, then the store's batches)
//   end      how many parts there were, and their bytes
//
// Nothing here holds more than one part in memory, so a snapshot is as
// large as the store it saves, and no larger in memory than one part. The
// file is written under a temporary name, synced, renamed, and its
// directory synced, as a format-1 file is (snapshot_file.h): one with its
// final name is whole. A snapshot received from the leader arrives as the
// same bytes, first under `<name>.recv`, and takes its name only when raft
// installs it (DurableStorage::persist).
//
// A raft snapshot whose state is in such a file carries as its data not the
// state but a reference to the file (snapshot_file_ref()): raft::Node and
// raft::MemoryStorage hold a few dozen bytes, and the peer transport sends
// the file beside the raft message (server/peer_transport.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "raft/raft.pb.h"
#include "server/disk/error.h"
#include "server/disk/file.h"
#include "server/disk/record_file.h"

namespace etcetera::server {

// The data of a raft snapshot kept in the file `name` of the snapshot dir,
// and back: the name, if `data` is such a reference. A reference starts
// with a 0 byte, which no serialized protobuf message does.
std::string snapshot_file_ref(std::string_view name);
std::optional<std::string> snapshot_file_of(std::string_view data);

class SnapshotWriter {
 public:
  // Starts the file of the snapshot `metadata` in `dir` (which must exist).
  [[nodiscard]] static DiskResult<SnapshotWriter> create(const std::filesystem::path& dir,
                                                         const raft::pb::SnapshotMetadata& metadata);
  SnapshotWriter(SnapshotWriter&&) = default;
  SnapshotWriter& operator=(SnapshotWriter&&) = delete;
  ~SnapshotWriter();  // a file never finished is removed

  // One part; kInvalidArgument for an empty part or one over a record's size.
  [[nodiscard]] DiskResult<void> append(std::string_view part);
  // Ends, syncs and names the file: the snapshot is on disk when this
  // returns its file name.
  [[nodiscard]] DiskResult<std::string> finish();

 private:
  SnapshotWriter() = default;
  [[nodiscard]] DiskResult<void> flush();

  std::filesystem::path dir_, temp_;
  std::string name_;
  std::unique_ptr<File> file_;  // null once finished, or moved from
  std::string buffer_;
  std::uint64_t unsynced_ = 0;  // written since the last sync
  std::uint64_t parts_ = 0, part_bytes_ = 0;
};

class SnapshotReader {
 public:
  // Opens a snapshot file of either format and reads its header. A format-1
  // file (one record holding the whole raft snapshot) is read whole, and
  // its snapshot is inline_snapshot().
  [[nodiscard]] static DiskResult<SnapshotReader> open(const std::filesystem::path& path);

  const raft::pb::SnapshotMetadata& metadata() const { return metadata_; }
  // Format 1: the snapshot, data included; format 2: nothing.
  const std::optional<raft::pb::Snapshot>& inline_snapshot() const { return inline_; }

  // Format 2: the next part; nothing after the last, once the end record
  // has been read and agrees. kCorrupt, naming the file and offset, for
  // damage, a missing end, or bytes after it.
  [[nodiscard]] DiskResult<std::optional<std::string>> next();
  // Reads every part to the end: whether the whole file verifies.
  [[nodiscard]] DiskResult<void> verify();

 private:
  explicit SnapshotReader(RecordFileReader records) : records_(std::move(records)) {}
  std::unexpected<DiskError> corrupt(const std::string& what) const;

  RecordFileReader records_;
  raft::pb::SnapshotMetadata metadata_;
  std::optional<raft::pb::Snapshot> inline_;
  std::uint64_t parts_ = 0, part_bytes_ = 0;
  bool ended_ = false;
};

// A snapshot on its way from the leader: the bytes of its file, chunk by
// chunk from `next_chunk` (nothing after the last), into
// `<dir>/<term>-<index>.snap.recv`, synced and verified against `expected`
// before it takes that name. Returns the name.
using NextChunk = std::function<DiskResult<std::optional<std::string>>()>;
[[nodiscard]] DiskResult<std::string> receive_snapshot(const std::filesystem::path& dir,
                                                       const raft::pb::SnapshotMetadata& expected,
                                                       const NextChunk& next_chunk);

// Gives a received snapshot file its final name, durably; returns the name.
[[nodiscard]] DiskResult<std::string> adopt_received_snapshot(const std::filesystem::path& dir,
                                                              const std::string& received);

}  // namespace etcetera::server
