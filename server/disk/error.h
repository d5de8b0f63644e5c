// Errors as values for the server's disk layer. Every failure of a file
// operation comes back as a DiskError inside DiskResult; nothing throws. A
// message says what happened, where (the file, and the byte offset when it is
// about a record) and what the operator can do about it, because whoever reads
// it is looking at a server that refused to start.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace etcetera::server {

struct DiskError {
  enum class Code {
    kIo,               // a system call failed (the message carries strerror)
    kCorrupt,          // the data on disk is damaged in a way that cannot be repaired safely
    kInvalidArgument,  // the caller asked for something the files cannot do (bad path, bad index)
  };

  Code code;
  std::string message;
};

template <class T>
using DiskResult = std::expected<T, DiskError>;

// Builds the unexpected side of a DiskResult:
// `return disk_fail(DiskError::Code::kCorrupt, "...")`.
inline std::unexpected<DiskError> disk_fail(DiskError::Code code, std::string message) {
  return std::unexpected(DiskError{code, std::move(message)});
}

}  // namespace etcetera::server
