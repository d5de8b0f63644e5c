#include "server/disk/durable_storage.h"

#include <algorithm>

#include "server/disk/file.h"
#include "server/disk/snapshot_file.h"
#include "server/disk/snapshot_stream.h"

namespace etcetera::server {
namespace {

std::unexpected<DiskError> invalid(std::string message) {
  return disk_fail(DiskError::Code::kInvalidArgument, std::move(message));
}

}  // namespace

DiskResult<DurableStorage> DurableStorage::open(const std::filesystem::path& data_dir,
                                                DurableOptions options) {
  DurableStorage d;
  d.options_ = options;
  d.wal_dir_ = data_dir / "member" / "wal";
  d.snap_dir_ = data_dir / "member" / "snap";
  for (const auto& dir : {data_dir, d.wal_dir_, d.snap_dir_})
    if (auto ok = ensure_dir(dir); !ok) return std::unexpected(ok.error());

  auto loaded = load_newest_snapshot(d.snap_dir_);
  if (!loaded) return std::unexpected(loaded.error());
  d.notes_ = loaded->skipped;
  const std::uint64_t snap_index = loaded->snapshot ? loaded->snapshot->metadata().index() : 0;

  auto wal = Wal::open(d.wal_dir_, {options.segment_bytes, snap_index, /*repair_at_open=*/false});
  if (!wal) return std::unexpected(wal.error());
  const WalState& state = wal->recovered();
  if (!state.repaired.empty()) d.notes_.push_back(state.repaired);

  d.memory_ = std::make_unique<raft::MemoryStorage>();
  if (loaded->snapshot)
    (void)d.memory_->apply_snapshot(*loaded->snapshot);  // onto empty: cannot fail
  d.memory_->append(state.entries);
  d.memory_->set_hard_state(state.hard_state);
  // A damaged newest snapshot is survivable only while the WAL still holds
  // the entries it covered; otherwise the member has lost committed entries.
  if (d.memory_->last_index() < state.snapshot.index())
    return disk_fail(DiskError::Code::kCorrupt,
                     "the WAL in " + d.wal_dir_.string() + " starts after snapshot " +
                         std::to_string(state.snapshot.index()) +
                         ", but no snapshot file that reaches it verifies in " +
                         d.snap_dir_.string() +
                         ". Restore the data directory from a backup, or remove the member and "
                         "add it back so that it receives a snapshot from the leader");
  d.wal_.emplace(std::move(*wal));
  if (options.repair_at_open)
    if (auto ok = d.repair(); !ok) return std::unexpected(ok.error());
  return d;
}

DiskResult<void> DurableStorage::repair() {
  if (auto ok = wal_->repair(); !ok) return ok;
  return remove_snapshot_leftovers(snap_dir_);
}

DiskResult<void> DurableStorage::check_entries(std::span<const raft::pb::Entry> entries) const {
  if (entries.empty()) return {};
  const std::uint64_t first = entries.front().index();
  if (first < memory_->first_index() || first > memory_->last_index() + 1)
    return invalid("entries from index " + std::to_string(first) + " cannot follow a log holding " +
                   std::to_string(memory_->first_index()) + " to " +
                   std::to_string(memory_->last_index()));
  for (std::size_t k = 1; k < entries.size(); ++k)
    if (entries[k].index() != first + k)
      return invalid("entries are not consecutive at index " + std::to_string(entries[k].index()));
  return {};
}

DiskResult<void> DurableStorage::persist(const std::optional<raft::pb::HardState>& hard_state,
                                         std::span<const raft::pb::Entry> entries,
                                         const std::optional<raft::pb::Snapshot>& snapshot) {
  if (snapshot) {
    const auto& meta = snapshot->metadata();
    if (meta.index() < memory_->snapshot().metadata().index())
      return invalid("snapshot at index " + std::to_string(meta.index()) +
                     " is older than the stored one");
    // The file first: a WAL mark must never point at a snapshot that is not on disk.
    auto saved = save_or_adopt(*snapshot);
    if (!saved) return std::unexpected(saved.error());
    wal_->replace_log_with_snapshot(meta.index(), meta.term());
    (void)memory_->apply_snapshot(*saved);  // checked above
    if (auto ok = purge_received_snapshots(snap_dir_, meta.index()); !ok) return ok;
  }
  if (auto ok = check_entries(entries); !ok) return ok;
  if (auto ok = wal_->append(entries); !ok) return ok;
  memory_->append(entries);
  if (hard_state) {
    wal_->save_hard_state(*hard_state);
    memory_->set_hard_state(*hard_state);
  }
  return {};
}

// A snapshot whose state is in a file (snapshot_stream.h) is on disk
// already: a local one under its name, one from the leader under its
// received name, which it takes now. Any other is saved in format 1.
DiskResult<raft::pb::Snapshot> DurableStorage::save_or_adopt(const raft::pb::Snapshot& snapshot) {
  auto file = snapshot_file_of(snapshot.data());
  if (!file) {
    if (auto ok = save_snapshot(snap_dir_, snapshot); !ok) return std::unexpected(ok.error());
    return snapshot;
  }
  raft::pb::Snapshot out;
  *out.mutable_metadata() = snapshot.metadata();
  if (file->ends_with(".recv")) {
    auto adopted = adopt_received_snapshot(snap_dir_, *file);
    if (!adopted) return std::unexpected(adopted.error());
    file = *adopted;
  }
  if (*file != snapshot_file_name(snapshot.metadata().term(), snapshot.metadata().index()) ||
      !std::filesystem::exists(snap_dir_ / *file))
    return invalid("snapshot " + std::to_string(snapshot.metadata().index()) +
                   " refers to a file " + *file + " that is not in " + snap_dir_.string());
  out.set_data(snapshot_file_ref(*file));
  return out;
}

DiskResult<void> DurableStorage::sync() {
  if (options_.before_sync) options_.before_sync();
  return wal_->sync();
}

DiskResult<void> DurableStorage::compact(const raft::pb::Snapshot& snapshot) {
  const auto& meta = snapshot.metadata();
  if (meta.index() < memory_->first_index() || meta.index() > memory_->last_index())
    return invalid("cannot compact through index " + std::to_string(meta.index()) +
                   ": the log holds " + std::to_string(memory_->first_index()) + " to " +
                   std::to_string(memory_->last_index()));
  if (memory_->term(meta.index()) != meta.term())
    return invalid("snapshot term " + std::to_string(meta.term()) + " at index " +
                   std::to_string(meta.index()) + " does not match the log's entry");
  auto saved = save_or_adopt(snapshot);
  if (!saved) return std::unexpected(saved.error());
  wal_->mark_snapshot(meta.index(), meta.term());
  if (auto ok = wal_->sync(); !ok) return ok;
  (void)memory_->compact(meta.index(), meta.conf_state(), saved->data());  // checked above

  if (auto ok = purge_snapshots(snap_dir_, options_.snapshots_kept); !ok) return ok;
  auto kept = list_snapshot_indexes(snap_dir_);
  if (!kept) return std::unexpected(kept.error());
  // Keep the WAL from the oldest snapshot kept, so that if the newest file is
  // found damaged at the next start, the older one plus the WAL still rebuild
  // the log. With fewer snapshots than that, release nothing yet.
  if (kept->size() < options_.snapshots_kept) return {};
  return wal_->release_to(kept->back());
}

}  // namespace etcetera::server
