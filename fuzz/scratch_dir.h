// A directory of the fuzz target's own for the files its inputs become,
// made once per process and removed at its end.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace etcetera::fuzz {

class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("etcetera-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace etcetera::fuzz
