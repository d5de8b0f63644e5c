// Recovering a WAL after a crash or damage. A write the crash interrupted
// leaves a torn tail: it is cut off, and the log carries on from the last
// record that was fully written. Damage anywhere else is refused, naming the
// file and the byte, because cutting there would drop acknowledged records.
#include <catch2/catch.hpp>
#include <functional>
#include <vector>

#include "server/disk/wal.h"
#include "tests/server/disk_helpers.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server {
namespace {

using testing::describe;
using testing::entries;
using testing::hard_state;
using testing::TempDir;

// The WAL as it stood after one sync: the segment's size then, and what a
// reopen must find if the file is cut anywhere before the next sync's end.
struct Checkpoint {
  std::uint64_t bytes;
  std::string log;
  std::uint64_t last_index;
  std::uint64_t commit;
};

// Writes entries 1..3 in one sync, then three more syncs (an entry, a hard
// state, an entry), noting a checkpoint after each.
std::vector<Checkpoint> write_history(const std::filesystem::path& dir) {
  auto wal = Wal::open(dir);
  REQUIRE(wal);
  const auto segment = wal->segment_paths().back();
  std::vector<Checkpoint> out;
  const auto step = [&](const std::function<void()>& write, std::string log,
                        std::uint64_t last_index, std::uint64_t commit) {
    write();
    REQUIRE(wal->sync());
    out.push_back({std::filesystem::file_size(segment), std::move(log), last_index, commit});
  };
  step([&] { REQUIRE(wal->append(entries(1, 3, 1))); }, "1/1 2/1 3/1", 3, 0);
  step([&] { REQUIRE(wal->append(entries(4, 4, 1))); }, "1/1 2/1 3/1 4/1", 4, 0);
  step([&] { wal->save_hard_state(hard_state(1, 1, 4)); }, "1/1 2/1 3/1 4/1", 4, 4);
  step([&] { REQUIRE(wal->append(entries(5, 5, 1))); }, "1/1 2/1 3/1 4/1 5/1", 5, 4);
  return out;
}

// The last checkpoint at or before `cut`: what was fully written.
const Checkpoint& written_before(const std::vector<Checkpoint>& history, std::uint64_t cut) {
  const Checkpoint* found = &history.front();
  for (const auto& c : history)
    if (c.bytes <= cut) found = &c;
  return *found;
}

TEST_CASE(
    "A WAL cut at any byte inside its last records reopens with exactly the records "
    "written before the cut",
    "[wal][recovery]") {
  TempDir dir;
  const auto history = write_history(dir.path());
  const auto segment = Wal::open(dir.path())->segment_paths().back();
  const std::string pristine = testing::read_bytes(segment);

  for (std::uint64_t cut = history.front().bytes; cut < history.back().bytes; ++cut) {
    INFO("segment cut to " << cut << " bytes");
    testing::write_bytes(segment, pristine.substr(0, cut));
    const Checkpoint& written = written_before(history, cut);
    {
      auto wal = Wal::open(dir.path());
      REQUIRE(wal);
      CHECK(describe(wal->recovered().entries) == written.log);
      CHECK(wal->recovered().hard_state.commit() == written.commit);
      CHECK(wal->recovered().truncated_bytes == cut - written.bytes);
      CHECK(wal->recovered().repaired.empty() == (cut == written.bytes));
      CHECK(std::filesystem::file_size(segment) == written.bytes);
      // The log carries on after the repair.
      REQUIRE(wal->append(entries(written.last_index + 1, written.last_index + 1, 2)));
      REQUIRE(wal->sync());
    }
    auto wal = Wal::open(dir.path());
    REQUIRE(wal);
    CHECK(wal->recovered().repaired.empty());
    CHECK(describe(wal->recovered().entries) ==
          written.log + " " + std::to_string(written.last_index + 1) + "/2");
  }
  testing::write_bytes(segment, pristine);
}

TEST_CASE("A zero-filled tail (space allocated before a crash) is a torn tail, not corruption",
          "[wal][recovery]") {
  TempDir dir;
  const auto history = write_history(dir.path());
  const auto segment = Wal::open(dir.path())->segment_paths().back();
  testing::write_bytes(segment, testing::read_bytes(segment) + std::string(4096, '\0'));

  auto wal = Wal::open(dir.path());
  REQUIRE(wal);
  CHECK(describe(wal->recovered().entries) == history.back().log);
  CHECK(wal->recovered().truncated_bytes == 4096);
  CHECK(wal->recovered().repaired.find("zero length") != std::string::npos);
  CHECK(std::filesystem::file_size(segment) == history.back().bytes);
}

TEST_CASE(
    "A flipped byte in a record with valid records after it refuses to open, naming the "
    "file and offset",
    "[wal][recovery]") {
  TempDir dir;
  const auto history = write_history(dir.path());
  const auto segment = Wal::open(dir.path())->segment_paths().back();
  // Damage the payload of the record holding entry 4, the first after checkpoint 0.
  const std::uint64_t record_at = history[0].bytes;
  testing::flip_byte(segment, record_at + 10);

  auto wal = Wal::open(dir.path());
  REQUIRE_FALSE(wal);
  CHECK(wal.error().code == DiskError::Code::kCorrupt);
  CHECK_THAT(wal.error().message, Catch::Contains(segment.string()) &&
                                      Catch::Contains("byte " + std::to_string(record_at)));
  // Nothing was cut: the damaged file is left for the operator to inspect.
  CHECK(std::filesystem::file_size(segment) == history.back().bytes);
}

// Twenty entries, one sync each, in segments of 150 bytes: at least three
// segments. Returns their paths, oldest first.
std::vector<std::filesystem::path> twenty_entries_in_small_segments(const TempDir& dir) {
  auto wal = Wal::open(dir.path(), {.segment_bytes = 150, .entries_after = {}});
  REQUIRE(wal);
  for (std::uint64_t i = 1; i <= 20; ++i) {
    REQUIRE(wal->append(entries(i, i, 1)));
    REQUIRE(wal->sync());
  }
  auto segments = wal->segment_paths();
  REQUIRE(segments.size() >= 3);
  return segments;
}

TEST_CASE("A damaged record at the end of an earlier segment refuses to open", "[wal][recovery]") {
  TempDir dir;
  const auto segments = twenty_entries_in_small_segments(dir);
  // The last byte of the first segment: its final record, with no valid record
  // after it in that file. Still corruption, since later segments exist.
  const auto size = std::filesystem::file_size(segments[0]);
  testing::flip_byte(segments[0], size - 1);

  auto wal = Wal::open(dir.path());
  REQUIRE_FALSE(wal);
  CHECK(wal.error().code == DiskError::Code::kCorrupt);
  CHECK_THAT(wal.error().message,
             Catch::Contains(segments[0].string()) && Catch::Contains("not the last one"));
}

TEST_CASE("A missing segment in the middle refuses to open", "[wal][recovery]") {
  TempDir dir;
  const auto segments = twenty_entries_in_small_segments(dir);
  std::filesystem::remove(segments[1]);
  auto wal = Wal::open(dir.path());
  REQUIRE_FALSE(wal);
  CHECK(wal.error().code == DiskError::Code::kCorrupt);
  CHECK_THAT(wal.error().message, Catch::Contains("missing"));
}

}  // namespace
}  // namespace etcetera::server
