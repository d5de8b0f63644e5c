#include "server/disk/record_file.h"

#include <algorithm>

#include "server/disk/crc32c.h"
#include "server/disk/record_io.h"

namespace etcetera::server {

namespace {

std::uint32_t get_u32_le(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

std::unexpected<DiskError> RecordFileReader::corrupt(const std::string& what) const {
  return disk_fail(DiskError::Code::kCorrupt,
                   file_.path().string() + ": " + what + " at byte " + std::to_string(offset_));
}

DiskResult<std::optional<std::string>> RecordFileReader::next() {
  char header[kRecordHeaderBytes];
  auto got = file_.read(header, sizeof header);
  if (!got) return std::unexpected(got.error());
  if (*got == 0) return std::nullopt;
  if (*got < sizeof header)
    return corrupt("a record header cut short (" + std::to_string(*got) + " of 8 bytes)");
  const std::uint32_t length = get_u32_le(header);
  // The length is checked before anything is allocated for it: against the
  // largest record, and against what the file still holds, so that a
  // damaged length never costs more memory than the file's own bytes.
  if (length == 0 || length > kMaxRecordBytes)
    return corrupt("an impossible record length of " + std::to_string(length) + " bytes");
  auto size = file_.size();
  if (!size) return std::unexpected(size.error());
  const std::uint64_t left = *size - std::min<std::uint64_t>(*size, offset_ + sizeof header);
  if (length > left)
    return corrupt("a record cut short (" + std::to_string(left) + " of " +
                   std::to_string(length) + " payload bytes)");
  std::string payload(length, '\0');
  got = file_.read(payload.data(), length);
  if (!got) return std::unexpected(got.error());
  if (*got < length)
    return corrupt("a record cut short (" + std::to_string(*got) + " of " +
                   std::to_string(length) + " payload bytes)");
  if (crc32c(payload) != get_u32_le(header + 4)) return corrupt("a checksum mismatch");
  offset_ += kRecordHeaderBytes + length;
  return payload;
}

}  // namespace etcetera::server
