// CRC32C against the published check values, and continuing a checksum.
#include "server/disk/crc32c.h"

#include <catch2/catch.hpp>
#include <string>

namespace etcetera::server {
namespace {

TEST_CASE("CRC32C of the standard check string is 0xE3069283", "[crc32c]") {
  CHECK(crc32c("123456789") == 0xE3069283u);
}

TEST_CASE("CRC32C of 32 zero bytes is 0x8A9136AA", "[crc32c]") {
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
}

TEST_CASE("The fast CRC32C and the table give the same checksum at every length and offset",
          "[crc32c]") {
  std::string data;
  for (int i = 0; i < 300; ++i)
    data.push_back(static_cast<char>(i * 131 + 7));
  for (std::size_t from = 0; from < 9; ++from)
    for (std::size_t length = 0; from + length <= data.size(); length += 13) {
      const auto piece = std::string_view(data).substr(from, length);
      CHECK(crc32c_extend(0x1234567u, piece) == crc32c_extend_by_table(0x1234567u, piece));
    }
}

TEST_CASE("CRC32C of nothing is 0", "[crc32c]") {
  CHECK(crc32c("") == 0u);
}

TEST_CASE("CRC32C continued piece by piece equals CRC32C of the whole", "[crc32c]") {
  const std::string data = "a record written in three writes, checksummed as it goes";
  for (std::size_t cut1 = 0; cut1 <= data.size(); cut1 += 7) {
    for (std::size_t cut2 = cut1; cut2 <= data.size(); cut2 += 5) {
      std::uint32_t crc = crc32c(std::string_view(data).substr(0, cut1));
      crc = crc32c_extend(crc, std::string_view(data).substr(cut1, cut2 - cut1));
      crc = crc32c_extend(crc, std::string_view(data).substr(cut2));
      INFO("cut at " << cut1 << " and " << cut2);
      CHECK(crc == crc32c(data));
    }
  }
}

TEST_CASE("CRC32C changes when one bit of the data changes", "[crc32c]") {
  std::string data = "123456789";
  data[4] ^= 0x01;
  CHECK(crc32c(data) != 0xE3069283u);
}

}  // namespace
}  // namespace etcetera::server
