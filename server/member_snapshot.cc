// Snapshots: log compaction every --snapshot-count entries, and the
// snapshot's state, written and read in parts (server/disk/snapshot_stream.h,
// docs/durability.md "Snapshots of any size"): the registry, then the
// store's batches. Only one part is in memory at a time, whatever the
// store's size.
#include <iostream>

#include "kv/decode.h"
#include "server/disk/snapshot_stream.h"
#include "server/member.h"

namespace etcetera::server {

namespace {

// What the store's batches weigh, about: the size of the records a part holds.
constexpr std::size_t kPartBytes = 1 << 20;

}  // namespace

// Log compaction every snapshot_count applied entries: the store's snapshot
// replaces the log through the applied index, on disk and in memory. The
// file is written on a thread of its own, as long as it takes; meanwhile the
// driver goes on with raft and queues what is committed (drain_applies), so
// that the store the writer reads does not change, and a leader writing a
// large snapshot keeps sending its heartbeats.
void Member::maybe_snapshot() {
  if (snapshotting_ || !apply_queue_.empty()) return;
  const raft::Index applied = kv_.applied_index();
  if (applied < snapshot_index_ + options_.snapshot_count) return;
  if (applied != node_->log().applied() || applied < node_->log().first_index()) return;
  const auto term = disk_->storage().term(applied);
  if (!term) return;  // not on disk yet
  raft::pb::Snapshot snapshot;
  snapshot.mutable_metadata()->set_index(applied);
  snapshot.mutable_metadata()->set_term(*term);
  *snapshot.mutable_metadata()->mutable_conf_state() = node_->configuration().to_conf_state();
  join_snapshot_writer();  // the last one, long finished
  snapshotting_ = true;
  const auto started = Clock::now();
  snapshot_writer_ = std::thread([this, snapshot, started] {
    auto file = write_snapshot_file(snapshot.metadata());
    run([this, snapshot, file, started] { finish_snapshot(snapshot, file, started); }, [] {});
  });
}

void Member::finish_snapshot(raft::pb::Snapshot snapshot,
                             std::expected<std::string, std::string> file,
                             Clock::time_point started) {
  snapshotting_ = false;
  const raft::Index index = snapshot.metadata().index();
  if (file) {
    snapshot.set_data(snapshot_file_ref(*file));
    // A snapshot from the leader may have replaced the log meanwhile.
    if (auto ok = disk_->compact(snapshot); !ok) file = std::unexpected(ok.error().message);
  }
  if (file) {
    snapshot_index_ = index;
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    std::cerr << "etcetera: " << options_.name << ": saved snapshot at index " << index << " ("
              << kv_.store().stored_bytes() / (1 << 20) << " MiB of keys and values) in " << took
              << " ms\n";
  } else {
    std::cerr << "etcetera: " << options_.name << ": snapshot at index " << index
              << " failed: " << file.error() << "\n";
  }
  drain_applies();
  schedule_ready();
}

void Member::join_snapshot_writer() {
  if (snapshot_writer_.joinable()) snapshot_writer_.join();
}

std::expected<std::string, std::string> Member::write_snapshot_file(
    const raft::pb::SnapshotMetadata& metadata) const {
  auto writer = SnapshotWriter::create(disk_->snap_dir(), metadata);
  if (!writer) return std::unexpected(writer.error().message);
  pb::SnapshotPart registry;
  *registry.mutable_registry() = registry_.to_proto();
  std::optional<DiskError> failed;
  if (auto ok = writer->append(registry.SerializeAsString()); !ok) failed = ok.error();
  kv_.write_snapshot(
      [&](kv::pb::SnapshotPart kv_part) {
        if (!failed && abandon_snapshot_.load())
          failed = DiskError{DiskError::Code::kInvalidArgument, "the member is stopping"};
        if (failed) return;
        pb::SnapshotPart part;
        *part.mutable_kv() = std::move(kv_part);
        if (auto ok = writer->append(part.SerializeAsString()); !ok) failed = ok.error();
      },
      kPartBytes);
  if (failed) return std::unexpected(failed->message);
  auto name = writer->finish();
  if (!name) return std::unexpected(name.error().message);
  return *name;
}

std::expected<void, std::string> Member::restore_snapshot_data(const std::string& bytes) {
  if (auto file = snapshot_file_of(bytes)) return restore_snapshot_file(disk_->snap_dir() / *file);
  pb::SnapshotData d;
  if (d.ParseFromString(bytes) && d.version() == 1) {
    if (auto ok = kv_.restore(d.kv()); !ok) return std::unexpected(ok.error().message);
    registry_ = MemberRegistry::from_proto(d.registry());
    return {};
  }
  // A store snapshot alone, from before the registry was kept.
  if (auto ok = kv_.restore(bytes); !ok) return std::unexpected(ok.error().message);
  return {};
}

// The registry comes first in the file, the store's parts after it; the
// store is replaced only once every part has been read and checked.
std::expected<void, std::string> Member::restore_snapshot_file(const std::filesystem::path& path) {
  auto reader = SnapshotReader::open(path);
  if (!reader) return std::unexpected(reader.error().message);
  if (reader->inline_snapshot()) return restore_snapshot_data(reader->inline_snapshot()->data());
  auto first = reader->next();
  if (!first) return std::unexpected(first.error().message);
  pb::SnapshotPart registry;
  if (!*first || !registry.ParseFromString(**first) || !registry.has_registry())
    return std::unexpected(path.string() + " does not start with the member registry");
  std::string failure;
  auto ok = kv_.restore_parts([&]() -> kv::Result<std::optional<kv::pb::SnapshotPart>> {
    auto next = reader->next();
    if (!next) {
      failure = next.error().message;
      return kv::fail(kv::Error::Code::kCorrupt, failure);
    }
    if (!*next) return std::nullopt;
    pb::SnapshotPart part;
    if (!kv::decode(part, **next) || !part.has_kv())
      return kv::fail(kv::Error::Code::kCorrupt, path.string() + ": a part that is not the store's");
    return std::move(*part.mutable_kv());
  });
  if (!ok) return std::unexpected(failure.empty() ? ok.error().message : failure);
  registry_ = MemberRegistry::from_proto(registry.registry());
  return {};
}

}  // namespace etcetera::server
