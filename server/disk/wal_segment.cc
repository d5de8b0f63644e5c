#include "server/disk/wal_segment.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <system_error>

#include "server/disk/file.h"

namespace etcetera::server {

std::string segment_file_name(std::uint64_t seq, std::uint64_t first_index) {
  char name[64];
  std::snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 ".wal", seq, first_index);
  return name;
}

std::optional<Segment> parse_segment_name(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  Segment s;
  char tail = 0;
  if (name.size() != 37 ||
      std::sscanf(name.c_str(), "%16" SCNx64 "-%16" SCNx64 ".wa%c", &s.seq, &s.first_index,
                  &tail) != 3 ||
      tail != 'l' || segment_file_name(s.seq, s.first_index) != name)
    return std::nullopt;
  s.path = path;
  return s;
}

DiskResult<std::vector<Segment>> list_segments(const std::filesystem::path& dir) {
  std::vector<Segment> segments;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    if (item.path().extension() == ".tmp") {
      if (auto ok = remove_file(item.path()); !ok) return std::unexpected(ok.error());
      continue;
    }
    if (auto s = parse_segment_name(item.path())) segments.push_back(*s);
  }
  if (ec) return io_error("opendir", dir, ec.value());
  std::ranges::sort(segments, {}, &Segment::seq);
  for (std::size_t k = 1; k < segments.size(); ++k)
    if (segments[k].seq != segments[k - 1].seq + 1)
      return disk_fail(DiskError::Code::kCorrupt,
                       "WAL segment " + std::to_string(segments[k - 1].seq + 1) +
                           " is missing between " + segments[k - 1].path.string() + " and " +
                           segments[k].path.string() +
                           "; its records are lost. Restore the data directory from a backup, or "
                           "remove this member and add it back so it receives a snapshot");
  return segments;
}

}  // namespace etcetera::server
