// The segment files of a WAL directory: their names and their order. A
// segment is named `%016x-%016x.wal` after its sequence number and the raft
// index of the first entry written to it, so `ls` shows them in order and
// release_to can tell, from the next segment's name, up to which index a
// segment holds entries that still matter.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server/disk/error.h"

namespace etcetera::server {

struct Segment {
  std::uint64_t seq = 0;          // 0, 1, 2, ... with no gaps among the files present
  std::uint64_t first_index = 0;  // the log's last index + 1 when the segment was started
  std::filesystem::path path;
};

std::string segment_file_name(std::uint64_t seq, std::uint64_t first_index);

// The segment a file name describes; nullopt for any other file.
std::optional<Segment> parse_segment_name(const std::filesystem::path& path);

// The segments in `dir`, in sequence order. Removes leftover `.tmp` files (a
// segment whose creation a crash interrupted before its rename). Refuses a
// gap in the sequence: a missing segment in the middle means lost records.
[[nodiscard]] DiskResult<std::vector<Segment>> list_segments(const std::filesystem::path& dir);

}  // namespace etcetera::server
