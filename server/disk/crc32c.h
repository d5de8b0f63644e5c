// CRC32C, the Castagnoli checksum (reflected polynomial 0x82F63B78), which
// guards every record the server writes to disk. It is the checksum etcd's
// WAL, ext4 metadata and iSCSI use: it catches every burst error up to 32 bits
// and has better distance than the older CRC32 polynomial on the record sizes a
// log writes.
//
// Computed with the CPU's crc32 instruction (SSE4.2) where there is one, 8
// bytes a step: snapshots of gigabytes are checksummed as they are written
// and read. The reference is one 256-entry table, a byte at a time
// (crc32c_extend_by_table), short enough to read; a test holds the two to
// the same answers.
#pragma once

#include <cstdint>
#include <string_view>

namespace etcetera::server {

// The checksum of `data`, continuing from `crc`, the checksum of what came
// before it (0 for nothing). So crc32c_extend(crc32c(a), b) == crc32c(a + b).
std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view data);
std::uint32_t crc32c_extend_by_table(std::uint32_t crc, std::string_view data);

inline std::uint32_t crc32c(std::string_view data) {
  return crc32c_extend(0, data);
}

}  // namespace etcetera::server
