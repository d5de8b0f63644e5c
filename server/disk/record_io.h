// The framing shared by the WAL segments and the snapshot files. A record is
//
//   +----------------+----------------+---------------------+
//   | length (4, LE) | CRC32C (4, LE) | payload (length)    |
//   +----------------+----------------+---------------------+
//
// where the CRC covers the payload. A payload is never empty, so a run of zero
// bytes (a preallocated or half-written block) never reads as a record.
//
// RecordReader walks a byte buffer and tells four outcomes apart: a good
// record, a clean end, a torn tail and corruption. The difference between the
// last two decides whether a server may repair its log by cutting it (a write
// that the crash interrupted) or must refuse to start (damage in the middle,
// where cutting would silently drop acknowledged data). The rule is: a bad
// record with no valid record anywhere after it is a torn tail; a bad record
// followed by a valid one is corruption.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace etcetera::server {

inline constexpr std::size_t kRecordHeaderBytes = 8;
// A larger length field can only be damage: no entry or snapshot record this
// server writes comes near it.
inline constexpr std::uint32_t kMaxRecordBytes = 64u << 20;

// Appends one framed record to `out`. False, with `out` unchanged, for a
// payload that cannot be framed: empty (it would read back as a torn
// tail), or over kMaxRecordBytes.
[[nodiscard]] bool append_record(std::string& out, std::string_view payload);
// The 8-byte header alone, for a caller that appends a payload of `length`
// bytes with checksum `crc` itself, piece by piece.
void append_record_header(std::string& out, std::uint32_t length, std::uint32_t crc);

struct RecordRead {
  enum class Kind {
    kRecord,    // payload holds a record whose checksum matched
    kEnd,       // the data ended exactly after the previous record
    kTornTail,  // the data ends in an incomplete or damaged record with nothing valid after it
    kCorrupt,   // a damaged record with a valid record somewhere after it
  };

  Kind kind;
  std::size_t offset;        // where this record (or the damage) starts
  std::string_view payload;  // with kRecord: a view into the reader's buffer
  std::string problem;       // with kTornTail and kCorrupt: what is wrong there
};

class RecordReader {
 public:
  explicit RecordReader(std::string_view data) : data_(data) {}

  // The next record. After anything but kRecord, the reader stays where it is.
  RecordRead next();

  // The end of the last good record: the length a torn file is cut back to.
  std::size_t offset() const { return offset_; }

 private:
  std::string_view data_;
  std::size_t offset_ = 0;
};

}  // namespace etcetera::server
