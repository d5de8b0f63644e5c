// Snapshots: log compaction every --snapshot-count entries, on a thread of
// its own, and the member's state in and out of snapshot files
// (server/snapshot_state.h, docs/durability.md "Snapshots of any size").
#include <iostream>

#include "server/disk/snapshot_stream.h"
#include "server/member.h"
#include "server/snapshot_state.h"

namespace etcetera::server {

// Log compaction every snapshot_count applied entries: the store's snapshot
// replaces the log through the applied index, on disk and in memory. The
// file is written on a thread of its own, as long as it takes. What is
// small is copied now (the registry, the store's head); the records are
// read a batch at a time as the writer goes, up to the revision of now.
// Meanwhile the driver goes on: raft, so that a leader writing a large
// snapshot keeps its heartbeats, and the writes that commit, which only add
// records above that revision (drain_applies holds back what would remove
// some: a compaction, a leader's snapshot).
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
  StatePieces pieces{registry_.to_proto(), kv_.snapshot_head(),
                     records_of(kv_.store(), kv_.store().revision(),
                                [this](const std::function<kv::pb::RecordBatch()>& read) {
                                  std::shared_lock lock(store_mu_);
                                  return read();
                                })};
  snapshot_writer_ = std::thread([this, snapshot, started, pieces = std::move(pieces)]() mutable {
    auto file =
        write_state_snapshot(disk_->snap_dir(), snapshot.metadata(), std::move(pieces),
                             &abandon_snapshot_);
    run([this, snapshot, file, started] { finish_snapshot(snapshot, file, started); }, [] {});
  });
}

void Member::finish_snapshot(raft::pb::Snapshot snapshot,
                             std::expected<std::string, std::string> file,
                             Clock::time_point started) {
  // Compaction marks the WAL and syncs it: not while the log writer does.
  if (writing_) {
    after_write_.push_back(
        [this, snapshot, file, started] { finish_snapshot(snapshot, file, started); });
    return;
  }
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

// On the driver, under store_mu_ (apply): the store and the registry from a
// snapshot's data.
std::expected<void, std::string> Member::restore_snapshot_data(const std::string& bytes) {
  if (auto file = snapshot_file_of(bytes)) {
    auto registry = read_state_snapshot(disk_->snap_dir() / *file, kv_);
    if (!registry) return std::unexpected(registry.error());
    registry_ = std::move(*registry);
    return {};
  }
  auto registry = read_inline_state(bytes, kv_);
  if (!registry) return std::unexpected(registry.error());
  if (*registry) registry_ = std::move(**registry);
  return {};
}

}  // namespace etcetera::server
