#include "server/disk/snapshot_stream.h"

#include <atomic>

#include "server/disk/crc32c.h"
#include "server/disk/record_io.h"
#include "server/disk/snapshot_file.h"
#include "server/disk/wal.pb.h"

namespace etcetera::server {

namespace {

constexpr std::string_view kRefPrefix{"\0snapshot-file:", 15};
// Writes go to the disk in pieces of about this size.
constexpr std::size_t kFlushBytes = 1 << 20;
// A large file is synced as it grows, every this many bytes, not once at
// its end: a gigabyte of dirty pages flushed at once holds up the WAL's own
// syncs behind it (one journal on ext4), and with them the member's raft.
constexpr std::uint64_t kSyncEveryBytes = 16 << 20;

std::string framed(const pb::SnapshotFileRecord& record) {
  std::string out;
  (void)append_record(out, record.SerializeAsString());  // the caller checked the size
  return out;
}

std::string describe(const raft::pb::SnapshotMetadata& m) {
  return "snapshot " + std::to_string(m.index()) + " of term " + std::to_string(m.term());
}

}  // namespace

std::string snapshot_file_ref(std::string_view name) {
  return std::string(kRefPrefix) + std::string(name);
}

std::optional<std::string> snapshot_file_of(std::string_view data) {
  if (!data.starts_with(kRefPrefix)) return std::nullopt;
  return std::string(data.substr(kRefPrefix.size()));
}

// ---- SnapshotWriter ---------------------------------------------------------

DiskResult<SnapshotWriter> SnapshotWriter::create(const std::filesystem::path& dir,
                                                  const raft::pb::SnapshotMetadata& metadata) {
  if (metadata.index() == 0)
    return disk_fail(DiskError::Code::kInvalidArgument,
                     "a snapshot at index 0 holds nothing and cannot be saved");
  SnapshotWriter w;
  w.dir_ = dir;
  w.name_ = snapshot_file_name(metadata.term(), metadata.index());
  w.temp_ = dir / (w.name_ + ".tmp");
  auto file = File::open(w.temp_, File::Mode::kCreateTruncate);
  if (!file) return std::unexpected(file.error());
  w.file_ = std::make_unique<File>(std::move(*file));
  pb::SnapshotFileRecord header;
  *header.mutable_header()->mutable_metadata() = metadata;
  w.buffer_ = framed(header);
  return w;
}

SnapshotWriter::~SnapshotWriter() {
  if (!file_) return;  // moved from, or finished
  file_.reset();
  (void)remove_file(temp_);
}

DiskResult<void> SnapshotWriter::append(std::string_view part) {
  // The record is SnapshotFileRecord{part}, encoded here rather than by
  // protobuf so that a part of a megabyte is copied once, not three times:
  // the field's key (17, length-delimited: 0x8a 0x01), its length as a
  // varint, then the bytes. SnapshotReader decodes it with protobuf.
  std::string key_and_length = {static_cast<char>(0x8a), static_cast<char>(0x01)};
  for (std::uint64_t n = part.size(); ; n >>= 7) {
    key_and_length.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  const std::size_t length = key_and_length.size() + part.size();
  if (part.empty() || length > kMaxRecordBytes)
    return disk_fail(DiskError::Code::kInvalidArgument,
                     "a snapshot part of " + std::to_string(part.size()) +
                         " bytes cannot be saved (empty, or over " +
                         std::to_string(kMaxRecordBytes) + " bytes)");
  append_record_header(buffer_, static_cast<std::uint32_t>(length),
                       crc32c_extend(crc32c(key_and_length), part));
  buffer_ += key_and_length;
  buffer_ += part;
  ++parts_;
  part_bytes_ += part.size();
  if (buffer_.size() >= kFlushBytes) return flush();
  return {};
}

DiskResult<void> SnapshotWriter::flush() {
  if (auto ok = file_->write_all(buffer_); !ok) return ok;
  unsynced_ += buffer_.size();
  buffer_.clear();
  if (unsynced_ < kSyncEveryBytes) return {};
  unsynced_ = 0;
  return file_->sync_data();
}

DiskResult<std::string> SnapshotWriter::finish() {
  pb::SnapshotFileRecord end;
  end.mutable_end()->set_parts(parts_);
  end.mutable_end()->set_part_bytes(part_bytes_);
  buffer_ += framed(end);
  if (auto ok = flush(); !ok) return std::unexpected(ok.error());
  if (auto ok = file_->sync_data(); !ok) return std::unexpected(ok.error());
  file_.reset();
  const auto path = dir_ / name_;
  if (auto ok = rename_file(temp_, path); !ok) {
    (void)remove_file(temp_);
    return std::unexpected(ok.error());
  }
  if (auto ok = sync_dir(dir_); !ok) return std::unexpected(ok.error());
  return name_;
}

// ---- SnapshotReader ---------------------------------------------------------

std::unexpected<DiskError> SnapshotReader::corrupt(const std::string& what) const {
  return disk_fail(DiskError::Code::kCorrupt,
                   records_.path().string() + ": " + what + " at byte " +
                       std::to_string(records_.offset()));
}

DiskResult<SnapshotReader> SnapshotReader::open(const std::filesystem::path& path) {
  auto file = File::open(path, File::Mode::kRead);
  if (!file) return std::unexpected(file.error());
  SnapshotReader r{RecordFileReader(std::move(*file))};
  auto first = r.records_.next();
  if (!first) return std::unexpected(first.error());
  if (!*first) return r.corrupt("the file is empty");
  pb::SnapshotFileRecord record;
  if (record.ParseFromString(**first) && record.has_header()) {
    r.metadata_ = record.header().metadata();
    return r;
  }
  // Format 1: the one record is the whole raft snapshot.
  raft::pb::Snapshot snapshot;
  if (!snapshot.ParseFromString(**first) || snapshot.metadata().index() == 0)
    return r.corrupt("the first record is neither a snapshot header nor a snapshot");
  auto more = r.records_.next();
  if (!more) return std::unexpected(more.error());
  if (*more) return r.corrupt("unexpected bytes after the snapshot");
  r.metadata_ = snapshot.metadata();
  r.inline_ = std::move(snapshot);
  r.ended_ = true;
  return r;
}

DiskResult<std::optional<std::string>> SnapshotReader::next() {
  if (ended_) return std::nullopt;
  auto payload = records_.next();
  if (!payload) return std::unexpected(payload.error());
  if (!*payload) return corrupt("the file ends without its end record (cut short?)");
  pb::SnapshotFileRecord record;
  if (!record.ParseFromString(**payload)) return corrupt("a record that does not decode");
  if (record.has_part()) {
    ++parts_;
    part_bytes_ += record.part().size();
    return std::move(*record.mutable_part());
  }
  if (!record.has_end()) return corrupt("a second header");
  if (record.end().parts() != parts_ || record.end().part_bytes() != part_bytes_)
    return corrupt("an end record that counts " + std::to_string(record.end().parts()) +
                   " parts, where the file holds " + std::to_string(parts_));
  auto after = records_.next();
  if (!after) return std::unexpected(after.error());
  if (*after) return corrupt("bytes after the end record");
  ended_ = true;
  return std::nullopt;
}

DiskResult<void> SnapshotReader::verify() {
  for (;;) {
    auto part = next();
    if (!part) return std::unexpected(part.error());
    if (!*part) return {};
  }
}

// ---- Receiving ----------------------------------------------------------------

DiskResult<std::string> receive_snapshot(const std::filesystem::path& dir,
                                         const raft::pb::SnapshotMetadata& expected,
                                         const NextChunk& next_chunk) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string name = snapshot_file_name(expected.term(), expected.index()) + ".recv";
  // Two leaders may send the same snapshot at once: each gets its own temporary file.
  const auto temp = dir / (name + "." + std::to_string(++counter) + ".tmp");
  auto cleanup = [&](DiskError e) -> DiskResult<std::string> {
    (void)remove_file(temp);
    return std::unexpected(std::move(e));
  };
  {
    auto file = File::open(temp, File::Mode::kCreateTruncate);
    if (!file) return std::unexpected(file.error());
    std::uint64_t unsynced = 0;
    for (;;) {
      auto chunk = next_chunk();
      if (!chunk) return cleanup(chunk.error());
      if (!*chunk) break;
      if (auto ok = file->write_all(**chunk); !ok) return cleanup(ok.error());
      if ((unsynced += (*chunk)->size()) >= kSyncEveryBytes) {
        unsynced = 0;
        if (auto ok = file->sync_data(); !ok) return cleanup(ok.error());
      }
    }
    if (auto ok = file->sync_data(); !ok) return cleanup(ok.error());
  }
  auto reader = SnapshotReader::open(temp);
  if (!reader) return cleanup(reader.error());
  if (reader->inline_snapshot())
    return cleanup(DiskError{DiskError::Code::kCorrupt, "a received snapshot of format 1"});
  const auto& got = reader->metadata();
  if (got.index() != expected.index() || got.term() != expected.term() ||
      got.conf_state().SerializeAsString() != expected.conf_state().SerializeAsString())
    return cleanup(DiskError{DiskError::Code::kCorrupt, "the file received holds " + describe(got) +
                                                            ", not " + describe(expected)});
  if (auto ok = reader->verify(); !ok) return cleanup(ok.error());
  if (auto ok = rename_file(temp, dir / name); !ok) return cleanup(ok.error());
  if (auto ok = sync_dir(dir); !ok) return std::unexpected(ok.error());
  return name;
}

DiskResult<std::string> adopt_received_snapshot(const std::filesystem::path& dir,
                                                const std::string& received) {
  if (!received.ends_with(".recv"))
    return disk_fail(DiskError::Code::kInvalidArgument,
                     received + " is not the name of a received snapshot");
  const std::string name = received.substr(0, received.size() - 5);
  if (auto ok = rename_file(dir / received, dir / name); !ok) return std::unexpected(ok.error());
  if (auto ok = sync_dir(dir); !ok) return std::unexpected(ok.error());
  return name;
}

}  // namespace etcetera::server
