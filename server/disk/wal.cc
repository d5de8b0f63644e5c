#include "server/disk/wal.h"

#include "server/disk/record_io.h"
#include "server/disk/wal_recovery.h"

namespace etcetera::server {

DiskResult<Wal> Wal::open(const std::filesystem::path& dir, WalOptions options) {
  if (auto ok = ensure_dir(dir); !ok) return std::unexpected(ok.error());
  auto segments = list_segments(dir);
  if (!segments) return std::unexpected(segments.error());

  Wal wal;
  wal.dir_ = dir;
  wal.options_ = options;
  if (segments->empty()) {
    if (auto ok = wal.start_segment(0); !ok) return std::unexpected(ok.error());
    return wal;
  }
  auto recovered = recover_wal(*segments, options.entries_after);
  if (!recovered) return std::unexpected(recovered.error());
  wal.recovered_ = std::move(recovered->state);
  wal.hard_state_ = wal.recovered_.hard_state;
  wal.mark_ = wal.recovered_.snapshot;
  wal.last_index_ = recovered->last_index;
  wal.segments_ = std::move(*segments);
  wal.current_bytes_ = recovered->last_segment_bytes;
  wal.cut_at_ = recovered->cut_last_segment_at;
  if (wal.cut_at_ && !options.repair_at_open) return wal;
  if (auto ok = wal.repair(); !ok) return std::unexpected(ok.error());
  return wal;
}

DiskResult<void> Wal::repair() {
  if (cut_at_) {
    if (auto ok = truncate_file(segments_.back().path, *cut_at_); !ok) return ok;
    cut_at_.reset();
  }
  auto current = File::open(segments_.back().path, File::Mode::kAppend);
  if (!current) return std::unexpected(current.error());
  current_ = std::move(*current);
  return {};
}

void Wal::buffer(const pb::WalRecord& record) {
  // A hard state or a mark is a few dozen bytes: it always frames.
  (void)append_record(pending_, record.SerializeAsString());
}

DiskResult<void> Wal::append(std::span<const raft::pb::Entry> entries) {
  std::string framed;
  for (const auto& e : entries) {
    pb::WalRecord record;
    *record.mutable_entry() = e;
    if (!append_record(framed, record.SerializeAsString()))
      return disk_fail(DiskError::Code::kInvalidArgument,
                       "entry " + std::to_string(e.index()) + " of " +
                           std::to_string(e.ByteSizeLong()) +
                           " bytes is larger than a WAL record may be (" +
                           std::to_string(kMaxRecordBytes) + " bytes)");
  }
  pending_ += framed;
  if (!entries.empty()) last_index_ = entries.back().index();
  return {};
}

void Wal::save_hard_state(const raft::pb::HardState& hard_state) {
  pb::WalRecord record;
  *record.mutable_hard_state() = hard_state;
  buffer(record);
  hard_state_ = hard_state;
}

void Wal::mark_snapshot(std::uint64_t index, std::uint64_t term) {
  pb::WalRecord record;
  record.mutable_snapshot()->set_index(index);
  record.mutable_snapshot()->set_term(term);
  buffer(record);
  mark_ = record.snapshot();
}

void Wal::replace_log_with_snapshot(std::uint64_t index, std::uint64_t term) {
  pb::WalRecord record;
  record.mutable_snapshot()->set_index(index);
  record.mutable_snapshot()->set_term(term);
  record.mutable_snapshot()->set_replaces_log(true);
  buffer(record);
  mark_ = record.snapshot();
  mark_.set_replaces_log(false);
  last_index_ = index;
}

DiskResult<void> Wal::sync() {
  if (pending_.empty()) return {};
  if (auto ok = current_.write_all(pending_); !ok) return ok;
  if (auto ok = current_.sync_data(); !ok) return ok;
  current_bytes_ += pending_.size();
  pending_.clear();
  if (current_bytes_ >= options_.segment_bytes) return start_segment(segments_.back().seq + 1);
  return {};
}

// A new segment opens with the current hard state and snapshot mark, so that
// once the segments before it are released it still describes the log on its
// own. It is written under a temporary name and renamed when complete: a
// crash never leaves a segment with half a header.
DiskResult<void> Wal::start_segment(std::uint64_t seq) {
  Segment segment{seq, last_index_ + 1, dir_ / segment_file_name(seq, last_index_ + 1)};
  std::string header;
  pb::WalRecord record;
  *record.mutable_hard_state() = hard_state_;
  (void)append_record(header, record.SerializeAsString());  // small: always frames
  *record.mutable_snapshot() = mark_;
  (void)append_record(header, record.SerializeAsString());

  const std::filesystem::path temp = segment.path.string() + ".tmp";
  if (auto ok = write_file_synced(temp, header); !ok) return ok;
  if (auto ok = rename_file(temp, segment.path); !ok) return ok;
  if (auto ok = sync_dir(dir_); !ok) return ok;
  auto file = File::open(segment.path, File::Mode::kAppend);
  if (!file) return std::unexpected(file.error());
  current_ = std::move(*file);
  current_bytes_ = header.size();
  segments_.push_back(std::move(segment));
  return {};
}

DiskResult<void> Wal::release_to(std::uint64_t index) {
  // Segment k holds entries that matter only up to the index before the next
  // segment's first one: anything past that was overwritten before the cut.
  std::size_t releasable = 0;
  while (releasable + 1 < segments_.size() && segments_[releasable + 1].first_index - 1 <= index)
    ++releasable;
  if (releasable == 0) return {};
  for (std::size_t k = 0; k < releasable; ++k)
    if (auto ok = remove_file(segments_[k].path); !ok) return ok;
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(releasable));
  return sync_dir(dir_);
}

std::vector<std::filesystem::path> Wal::segment_paths() const {
  std::vector<std::filesystem::path> out;
  for (const auto& s : segments_)
    out.push_back(s.path);
  return out;
}

}  // namespace etcetera::server
