#include "server/disk/record_io.h"

#include "server/disk/crc32c.h"

namespace etcetera::server {
namespace {

void put_u32_le(std::string& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint32_t get_u32_le(std::string_view data, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(data[at + i]);
  return v;
}

// Whether a whole record with a matching checksum starts at `at`.
bool good_at(std::string_view data, std::size_t at) {
  const std::size_t left = data.size() - at;
  if (left < kRecordHeaderBytes) return false;
  const std::uint32_t length = get_u32_le(data, at);
  return length != 0 && length <= kMaxRecordBytes && left - kRecordHeaderBytes >= length &&
         crc32c(data.substr(at + kRecordHeaderBytes, length)) == get_u32_le(data, at + 4);
}

// Why the record at `at` is not a good one, or empty when it is.
std::string problem_at(std::string_view data, std::size_t at) {
  const std::size_t left = data.size() - at;
  if (left < kRecordHeaderBytes)
    return "a record header cut short (" + std::to_string(left) + " of 8 bytes)";
  const std::uint32_t length = get_u32_le(data, at);
  if (length == 0) return "a zero length (zeroed or never-written space)";
  if (length > kMaxRecordBytes)
    return "an impossible record length of " + std::to_string(length) + " bytes";
  if (left - kRecordHeaderBytes < length)
    return "a record cut short (" + std::to_string(left - kRecordHeaderBytes) + " of " +
           std::to_string(length) + " payload bytes)";
  if (crc32c(data.substr(at + kRecordHeaderBytes, length)) != get_u32_le(data, at + 4))
    return "a checksum mismatch";
  return {};
}

// Whether a valid record starts anywhere after `at`. Frames carry no magic
// number to resynchronise on, so this tries every byte offset; it runs only
// after damage is found, and stops at the first hit.
bool valid_record_after(std::string_view data, std::size_t at) {
  for (std::size_t p = at + 1; p + kRecordHeaderBytes < data.size(); ++p)
    if (good_at(data, p)) return true;
  return false;
}

}  // namespace

bool append_record(std::string& out, std::string_view payload) {
  if (payload.empty() || payload.size() > kMaxRecordBytes) return false;
  append_record_header(out, static_cast<std::uint32_t>(payload.size()), crc32c(payload));
  out.append(payload);
  return true;
}

void append_record_header(std::string& out, std::uint32_t length, std::uint32_t crc) {
  put_u32_le(out, length);
  put_u32_le(out, crc);
}

RecordRead RecordReader::next() {
  if (offset_ == data_.size()) return {RecordRead::Kind::kEnd, offset_, {}, {}};
  if (!good_at(data_, offset_)) {
    std::string problem = problem_at(data_, offset_);
    const auto kind = valid_record_after(data_, offset_) ? RecordRead::Kind::kCorrupt
                                                         : RecordRead::Kind::kTornTail;
    return {kind, offset_, {}, std::move(problem)};
  }
  const std::size_t at = offset_;
  const std::uint32_t length = get_u32_le(data_, at);
  offset_ += kRecordHeaderBytes + length;
  return {RecordRead::Kind::kRecord, at, data_.substr(at + kRecordHeaderBytes, length), {}};
}

}  // namespace etcetera::server
