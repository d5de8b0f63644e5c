// The few POSIX file operations the WAL and the snapshot files need, each
// turning a failed system call into a DiskError that names the call, the path
// and strerror. Writes that must survive a crash are only durable after
// sync_data() on the file and, for a created, renamed or removed name,
// sync_dir() on its directory: the name lives in the directory, not the file.
//
// Thread-safety: none; a File belongs to one owner.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "server/disk/error.h"

namespace etcetera::server {

// An open file descriptor, closed when the File goes away.
class File {
 public:
  File() = default;
  File(File&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}
  File& operator=(File&& other) noexcept;
  ~File();

  enum class Mode {
    kRead,            // an existing file, read from its start
    kAppend,          // an existing file, written at its end
    kCreateAppend,    // created when missing, written at its end
    kCreateTruncate,  // created when missing, emptied when present
  };

  [[nodiscard]] static DiskResult<File> open(const std::filesystem::path& path, Mode mode);

  [[nodiscard]] DiskResult<void> write_all(std::string_view bytes);
  // Reads up to `size` bytes into `out`; fewer only at the end of the file
  // (0: the end).
  [[nodiscard]] DiskResult<std::size_t> read(char* out, std::size_t size);
  // The file's size now (fstat).
  [[nodiscard]] DiskResult<std::uint64_t> size() const;
  // fdatasync: the data and the size are on disk when it returns.
  [[nodiscard]] DiskResult<void> sync_data();
  [[nodiscard]] DiskResult<void> truncate(std::uint64_t length);

  const std::filesystem::path& path() const { return path_; }

 private:
  File(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::filesystem::path path_;
};

// The whole content of a file.
[[nodiscard]] DiskResult<std::string> read_whole_file(const std::filesystem::path& path);

// Writes `bytes` to `path` (replacing it) and syncs the data.
[[nodiscard]] DiskResult<void> write_file_synced(const std::filesystem::path& path,
                                                 std::string_view bytes);

// Replaces the file at `path` with `bytes` so that a crash at any point
// leaves the old content or the new, whole: written to `<path>.tmp`, synced,
// renamed over `path`, and the directory synced.
[[nodiscard]] DiskResult<void> replace_file_durably(const std::filesystem::path& path,
                                                    std::string_view bytes);

// Truncates the file at `path` to `length` bytes and syncs it.
[[nodiscard]] DiskResult<void> truncate_file(const std::filesystem::path& path,
                                             std::uint64_t length);

// Makes the directory's entries (created, renamed, removed names) durable.
[[nodiscard]] DiskResult<void> sync_dir(const std::filesystem::path& dir);

// Creates `dir` and its parents when missing; refuses a path that is not a directory.
[[nodiscard]] DiskResult<void> ensure_dir(const std::filesystem::path& dir);

[[nodiscard]] DiskResult<void> rename_file(const std::filesystem::path& from,
                                           const std::filesystem::path& to);
[[nodiscard]] DiskResult<void> remove_file(const std::filesystem::path& path);

// The error for a failed system call: "<call> <path>: <strerror(err)>" and a hint.
std::unexpected<DiskError> io_error(std::string_view call, const std::filesystem::path& path,
                                    int err);

}  // namespace etcetera::server
