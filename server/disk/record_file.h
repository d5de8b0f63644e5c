// Framed records (record_io.h) read one at a time from a file, for files
// too large to read whole: snapshot files, and snapshots on their way from
// the leader. Memory holds one record at a time.
//
// Any damage is corruption here: these files are complete by construction
// (written whole, synced, then renamed), so there is no torn tail to repair.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/disk/error.h"
#include "server/disk/file.h"

namespace etcetera::server {

class RecordFileReader {
 public:
  explicit RecordFileReader(File file) : file_(std::move(file)) {}

  // The next record's payload; nothing at a clean end of the file;
  // kCorrupt, naming the file and the byte offset, at anything else.
  [[nodiscard]] DiskResult<std::optional<std::string>> next();

  // Where the next record starts.
  std::uint64_t offset() const { return offset_; }
  const std::filesystem::path& path() const { return file_.path(); }

 private:
  std::unexpected<DiskError> corrupt(const std::string& what) const;

  File file_;
  std::uint64_t offset_ = 0;
};

}  // namespace etcetera::server
