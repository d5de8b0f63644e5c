#include "server/disk/crc32c.h"

#include <array>

namespace etcetera::server {
namespace {

constexpr std::uint32_t kCastagnoliReflected = 0x82F63B78;

// table[b] is the CRC of the single byte b: the eight shift-and-xor steps of
// bit-at-a-time division, done once for every byte value at compile time.
constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 1) ? (crc >> 1) ^ kCastagnoliReflected : crc >> 1;
    table[b] = crc;
  }
  return table;
}

constexpr auto kTable = make_table();

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view data) {
  // The register starts as all ones and is inverted at the end (the standard
  // CRC32C parameters); undoing the final inversion first is what lets a
  // finished checksum be continued.
  crc = ~crc;
  for (const char c : data)
    crc = kTable[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

}  // namespace etcetera::server
