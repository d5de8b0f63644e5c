#include "server/disk/run_counter.h"

#include <charconv>
#include <string>

#include "server/disk/file.h"

namespace etcetera::server {

DiskResult<std::uint64_t> next_run(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "runs";
  std::uint64_t runs = 0;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto text = read_whole_file(path);
    if (!text) return std::unexpected(text.error());
    const char* end = text->data() + text->size();
    auto [last, err] = std::from_chars(text->data(), end, runs);
    if (err != std::errc{} || (last != end && *last != '\n'))
      return disk_fail(DiskError::Code::kCorrupt,
                       path.string() + " does not hold a count of runs (it holds '" +
                           text->substr(0, 40) +
                           "'); it numbers this member's requests: restore it from a backup of "
                           "the data dir, or write a number above every count it held");
  }
  if (auto ok = replace_file_durably(path, std::to_string(runs + 1) + "\n"); !ok)
    return std::unexpected(ok.error());
  return runs + 1;
}

}  // namespace etcetera::server
