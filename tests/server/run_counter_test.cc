// server::next_run: the count of a member's starts, which numbers its
// requests (kv/proposer.h). It must never hand out a count twice, and a
// file it cannot read stops the member with the file's name rather than
// starting the count again.
#include <catch2/catch.hpp>

#include <fstream>

#include "server/disk/run_counter.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server::testing {

TEST_CASE("each start of a member gets the next count, from 1") {
  TempDir dir;
  CHECK(next_run(dir.path()) == 1u);
  CHECK(next_run(dir.path()) == 2u);
  CHECK(next_run(dir.path()) == 3u);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "runs.tmp"));
}

TEST_CASE("a count of runs that does not read is refused, naming the file") {
  TempDir dir;
  std::ofstream(dir.path() / "runs") << "seven";
  auto run = next_run(dir.path());
  REQUIRE_FALSE(run.has_value());
  CHECK(run.error().code == DiskError::Code::kCorrupt);
  CHECK(run.error().message.find((dir.path() / "runs").string()) != std::string::npos);
  // And nothing was written over it.
  std::ifstream in(dir.path() / "runs");
  std::string text;
  in >> text;
  CHECK(text == "seven");
}

TEST_CASE("a data dir that cannot be written is an error, not a reused count") {
  // Permission bits do not stop root; nobody can create a file in /sys.
  auto run = next_run("/sys");
  REQUIRE_FALSE(run.has_value());
  CHECK(run.error().code == DiskError::Code::kIo);
}

}  // namespace etcetera::server::testing
