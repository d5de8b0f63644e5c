#include "server/api/snapshot_padding.h"

#include <cstddef>

namespace etcetera::server::api {

std::string pad_to_512(std::string bytes) {
  std::size_t total = (512 - bytes.size() % 512) % 512;
  if (total == 0) return bytes;
  // The padding field takes a two-byte tag and a one- or two-byte length:
  // 3 bytes at least, and a length of 128 would need a 2-byte varint that
  // leaves 131 bytes unreachable. Those sizes take one more block.
  if (total < 3 || total == 131) total += 512;
  const std::size_t length_bytes = total - 3 < 128 ? 1 : 2;
  const std::size_t length = total - 2 - length_bytes;
  const unsigned tag = (kPaddingField << 3) | 2;  // wire type 2: length-delimited
  bytes.push_back(static_cast<char>((tag & 0x7f) | 0x80));
  bytes.push_back(static_cast<char>(tag >> 7));
  if (length_bytes == 1) {
    bytes.push_back(static_cast<char>(length));
  } else {
    bytes.push_back(static_cast<char>((length & 0x7f) | 0x80));
    bytes.push_back(static_cast<char>(length >> 7));
  }
  bytes.append(length, '\0');
  return bytes;
}

}  // namespace etcetera::server::api
