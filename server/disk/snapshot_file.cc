#include "server/disk/snapshot_file.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <system_error>

#include "server/disk/file.h"
#include "server/disk/record_io.h"
#include "server/disk/snapshot_stream.h"

namespace etcetera::server {
namespace {

struct SnapshotName {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  std::filesystem::path path;
};

std::optional<SnapshotName> parse_snapshot_name(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  SnapshotName s;
  if (name.size() != 38 ||
      std::sscanf(name.c_str(), "%16" SCNx64 "-%16" SCNx64, &s.term, &s.index) != 2 ||
      snapshot_file_name(s.term, s.index) != name)
    return std::nullopt;
  s.path = path;
  return s;
}

// The snapshot files in `dir`, newest (highest index) first. With `clean`,
// leftover temporary files are removed on the way.
DiskResult<std::vector<SnapshotName>> list_snapshots(const std::filesystem::path& dir, bool clean) {
  std::vector<SnapshotName> out;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    // Leftovers of a crash: a file half written, or a snapshot received from
    // the leader that raft had not installed yet (it will send it again).
    const auto extension = item.path().extension();
    if (clean && (extension == ".tmp" || extension == ".recv")) {
      if (auto ok = remove_file(item.path()); !ok) return std::unexpected(ok.error());
      continue;
    }
    if (auto s = parse_snapshot_name(item.path())) out.push_back(*s);
  }
  if (ec) return io_error("opendir", dir, ec.value());
  std::ranges::sort(out, [](const SnapshotName& a, const SnapshotName& b) {
    return std::tie(a.index, a.term) > std::tie(b.index, b.term);
  });
  return out;
}

// The snapshot in one file, or why it does not verify. A file of format 2
// is read through to its end record (one part at a time) and comes back as
// its metadata and a reference to the file; one of format 1 comes back whole.
std::expected<raft::pb::Snapshot, std::string> read_snapshot(const SnapshotName& name) {
  auto reader = SnapshotReader::open(name.path);
  if (!reader) return std::unexpected(reader.error().message);
  const auto& meta = reader->metadata();
  if (meta.index() != name.index || meta.term() != name.term)
    return std::unexpected("it holds snapshot " + std::to_string(meta.index()) + "/" +
                           std::to_string(meta.term()) + ", not the one its name says");
  if (reader->inline_snapshot()) return *reader->inline_snapshot();
  if (auto ok = reader->verify(); !ok) return std::unexpected(ok.error().message);
  raft::pb::Snapshot snapshot;
  *snapshot.mutable_metadata() = meta;
  snapshot.set_data(snapshot_file_ref(name.path.filename().string()));
  return snapshot;
}

}  // namespace

std::string snapshot_file_name(std::uint64_t term, std::uint64_t index) {
  char name[64];
  std::snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 ".snap", term, index);
  return name;
}

DiskResult<void> save_snapshot(const std::filesystem::path& dir,
                               const raft::pb::Snapshot& snapshot) {
  const auto& meta = snapshot.metadata();
  if (meta.index() == 0)
    return disk_fail(DiskError::Code::kInvalidArgument,
                     "a snapshot at index 0 holds nothing and cannot be saved");
  std::string bytes;
  if (!append_record(bytes, snapshot.SerializeAsString()))
    return disk_fail(DiskError::Code::kInvalidArgument,
                     "a snapshot of " + std::to_string(snapshot.ByteSizeLong()) +
                         " bytes is too large to save in one piece; the server saves large "
                         "snapshots in parts (snapshot_stream.h)");
  const auto path = dir / snapshot_file_name(meta.term(), meta.index());
  const std::filesystem::path temp = path.string() + ".tmp";
  if (auto ok = write_file_synced(temp, bytes); !ok) return ok;
  if (auto ok = rename_file(temp, path); !ok) return ok;
  return sync_dir(dir);
}

DiskResult<void> remove_snapshot_leftovers(const std::filesystem::path& dir) {
  auto names = list_snapshots(dir, /*clean=*/true);
  if (!names) return std::unexpected(names.error());
  return {};
}

DiskResult<LoadedSnapshot> load_newest_snapshot(const std::filesystem::path& dir) {
  auto names = list_snapshots(dir, /*clean=*/false);
  if (!names) return std::unexpected(names.error());
  LoadedSnapshot out;
  for (const auto& name : *names) {
    auto snapshot = read_snapshot(name);
    if (snapshot) {
      out.snapshot = std::move(*snapshot);
      out.file = name.path;
      return out;
    }
    out.skipped.push_back("skipped snapshot file " + name.path.string() + ": " + snapshot.error() +
                          "; falling back to an older snapshot and the WAL");
  }
  return out;
}

DiskResult<std::vector<std::uint64_t>> list_snapshot_indexes(const std::filesystem::path& dir) {
  auto names = list_snapshots(dir, /*clean=*/false);
  if (!names) return std::unexpected(names.error());
  std::vector<std::uint64_t> out;
  for (const auto& n : *names)
    out.push_back(n.index);
  return out;
}

DiskResult<void> purge_snapshots(const std::filesystem::path& dir, std::size_t keep) {
  auto names = list_snapshots(dir, /*clean=*/false);
  if (!names) return std::unexpected(names.error());
  if (names->size() <= keep) return {};
  for (std::size_t k = keep; k < names->size(); ++k)
    if (auto ok = remove_file((*names)[k].path); !ok) return ok;
  return sync_dir(dir);
}

DiskResult<void> purge_received_snapshots(const std::filesystem::path& dir, std::uint64_t index) {
  std::error_code ec;
  std::vector<std::filesystem::path> old;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    if (item.path().extension() != ".recv") continue;
    auto s = parse_snapshot_name(item.path().parent_path() / item.path().stem());
    if (s && s->index <= index) old.push_back(item.path());
  }
  if (ec) return io_error("opendir", dir, ec.value());
  for (const auto& path : old)
    if (auto ok = remove_file(path); !ok) return ok;
  return {};
}

}  // namespace etcetera::server
