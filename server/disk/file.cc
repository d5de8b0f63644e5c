#include "server/disk/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace etcetera::server {

std::unexpected<DiskError> io_error(std::string_view call, const std::filesystem::path& path,
                                    int err) {
  std::string hint = "check that the disk is mounted, writable and not full";
  if (err == EACCES || err == EPERM || err == EROFS)
    hint = "check the permissions of the path and that the file system is writable";
  else if (err == ENOTDIR || err == EISDIR || err == EEXIST)
    hint = "the path names something of the wrong kind; choose another data directory";
  return disk_fail(DiskError::Code::kIo, std::string(call) + " " + path.string() + ": " +
                                             std::strerror(err) + " (" + hint + ")");
}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

DiskResult<File> File::open(const std::filesystem::path& path, Mode mode) {
  int flags = mode == Mode::kRead ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC;
  if (mode == Mode::kAppend) flags |= O_APPEND;
  if (mode == Mode::kCreateAppend) flags |= O_APPEND | O_CREAT;
  if (mode == Mode::kCreateTruncate) flags |= O_TRUNC | O_CREAT;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return io_error("open", path, errno);
  return File(fd, path);
}

DiskResult<void> File::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", path_, errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

DiskResult<std::size_t> File::read(char* out, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd_, out + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read", path_, errno);
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

DiskResult<std::uint64_t> File::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return io_error("fstat", path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

DiskResult<void> File::sync_data() {
  if (::fdatasync(fd_) != 0) return io_error("fdatasync", path_, errno);
  return {};
}

DiskResult<void> File::truncate(std::uint64_t length) {
  if (::ftruncate(fd_, static_cast<off_t>(length)) != 0) return io_error("ftruncate", path_, errno);
  return sync_data();
}

DiskResult<std::string> read_whole_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path, errno);
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return io_error("read", path, err);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

DiskResult<void> write_file_synced(const std::filesystem::path& path, std::string_view bytes) {
  auto file = File::open(path, File::Mode::kCreateTruncate);
  if (!file) return std::unexpected(file.error());
  if (auto ok = file->write_all(bytes); !ok) return ok;
  return file->sync_data();
}

DiskResult<void> replace_file_durably(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  if (auto ok = write_file_synced(temporary, bytes); !ok) return ok;
  if (auto ok = rename_file(temporary, path); !ok) return ok;
  return sync_dir(path.parent_path());
}

DiskResult<void> truncate_file(const std::filesystem::path& path, std::uint64_t length) {
  auto file = File::open(path, File::Mode::kAppend);
  if (!file) return std::unexpected(file.error());
  return file->truncate(length);
}

DiskResult<void> sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync", dir, err);
  return {};
}

DiskResult<void> ensure_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    return disk_fail(DiskError::Code::kInvalidArgument,
                     dir.string() +
                         " exists and is not a directory; point the data directory "
                         "at a directory, or remove the file");
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("mkdir", dir, ec.value());
  return {};
}

DiskResult<void> rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return io_error("rename", from, errno);
  return {};
}

DiskResult<void> remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0) return io_error("unlink", path, errno);
  return {};
}

}  // namespace etcetera::server
