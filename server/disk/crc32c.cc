#include "server/disk/crc32c.h"

#include <array>
#include <cstring>

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

std::uint32_t crc32c_extend_by_table(std::uint32_t crc, std::string_view data) {
  // The register starts as all ones and is inverted at the end (the standard
  // CRC32C parameters); undoing the final inversion first is what lets a
  // finished checksum be continued.
  crc = ~crc;
  for (const char c : data)
    crc = kTable[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

#if defined(__x86_64__)
namespace {

// The same division by the instruction: it takes the register and 8 bytes.
__attribute__((target("sse4.2"))) std::uint32_t extend_by_instruction(std::uint32_t crc,
                                                                       std::string_view data) {
  std::uint64_t r = ~crc;
  const char* p = data.data();
  std::size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    r = __builtin_ia32_crc32di(r, word);
  }
  auto r32 = static_cast<std::uint32_t>(r);
  for (; n > 0; ++p, --n)
    r32 = __builtin_ia32_crc32qi(r32, static_cast<unsigned char>(*p));
  return ~r32;
}

const bool kHasInstruction = __builtin_cpu_supports("sse4.2");

}  // namespace
#endif

std::uint32_t crc32c_extend(std::uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (kHasInstruction) return extend_by_instruction(crc, data);
#endif
  return crc32c_extend_by_table(crc, data);
}

}  // namespace etcetera::server
