// The WAL in normal use: what is synced comes back after a reopen, overwrites
// included; segments are cut at the configured size, and released only
// whole, below a snapshot.
#include "server/disk/wal.h"

#include <catch2/catch.hpp>

#include "server/disk/record_io.h"
#include "tests/server/disk_helpers.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server {
namespace {

using testing::describe;
using testing::entries;
using testing::hard_state;
using testing::TempDir;

Wal open_wal(const std::filesystem::path& dir, WalOptions options = {}) {
  auto wal = Wal::open(dir, options);
  if (!wal) FAIL(wal.error().message);
  return std::move(*wal);
}

TEST_CASE("An entry larger than a record may be is refused, and nothing of the batch is kept",
          "[wal]") {
  TempDir dir;
  Wal wal = open_wal(dir.path());
  auto batch = entries(1, 2, 1);
  batch[1].set_data(std::string(kMaxRecordBytes, 'x'));
  auto refused = wal.append(batch);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == DiskError::Code::kInvalidArgument);
  CHECK(refused.error().message.find("entry 2 of") == 0);
  REQUIRE(wal.sync());
  Wal reopened = open_wal(dir.path());
  CHECK(reopened.recovered().entries.empty());
}

TEST_CASE("Entries and hard state synced to the WAL come back after a reopen", "[wal]") {
  TempDir dir;
  {
    Wal wal = open_wal(dir.path());
    CHECK(wal.recovered().entries.empty());
    REQUIRE(wal.append(entries(1, 3, 1)));
    wal.save_hard_state(hard_state(1, 2, 3));
    REQUIRE(wal.sync());
  }
  Wal wal = open_wal(dir.path());
  CHECK(describe(wal.recovered().entries) == "1/1 2/1 3/1");
  CHECK(wal.recovered().entries[1].data() == "v2");
  CHECK(wal.recovered().hard_state.SerializeAsString() == hard_state(1, 2, 3).SerializeAsString());
  CHECK(wal.recovered().repaired.empty());
  CHECK(wal.recovered().truncated_bytes == 0);
}

TEST_CASE("A WAL creates its directory when missing", "[wal]") {
  TempDir dir;
  Wal wal = open_wal(dir / "a/b/wal");
  CHECK(std::filesystem::is_directory(dir / "a/b/wal"));
  CHECK(wal.segment_paths().size() == 1);
}

TEST_CASE("A new leader's entries overwrite a suffix, and the overwrite survives a reopen",
          "[wal]") {
  TempDir dir;
  {
    Wal wal = open_wal(dir.path());
    REQUIRE(wal.append(entries(1, 5, 1)));
    REQUIRE(wal.sync());
    REQUIRE(wal.append(entries(3, 4, 2)));  // 3..5 of term 1 were never committed
    REQUIRE(wal.sync());
  }
  CHECK(describe(open_wal(dir.path()).recovered().entries) == "1/1 2/1 3/2 4/2");
}

TEST_CASE("Records not yet synced are not on disk", "[wal]") {
  TempDir dir;
  {
    Wal wal = open_wal(dir.path());
    REQUIRE(wal.append(entries(1, 2, 1)));
    REQUIRE(wal.sync());
    REQUIRE(wal.append(entries(3, 3, 1)));  // the process dies before sync()
  }
  CHECK(describe(open_wal(dir.path()).recovered().entries) == "1/1 2/1");
}

TEST_CASE("Segments are cut once they pass segment_bytes, each named after its first index",
          "[wal]") {
  TempDir dir;
  const WalOptions small{.segment_bytes = 200, .entries_after = {}};
  {
    Wal wal = open_wal(dir.path(), small);
    for (std::uint64_t i = 1; i <= 30; ++i) {
      REQUIRE(wal.append(entries(i, i, 1)));
      REQUIRE(wal.sync());
    }
    const auto paths = wal.segment_paths();
    REQUIRE(paths.size() > 3);
    for (std::size_t k = 0; k < paths.size(); ++k) {
      const auto segment = parse_segment_name(paths[k]);
      REQUIRE(segment);
      CHECK(segment->seq == k);
      if (k + 1 < paths.size()) CHECK(std::filesystem::file_size(paths[k]) >= 200);
    }
    CHECK(parse_segment_name(paths[0])->first_index == 1);
  }
  Wal wal = open_wal(dir.path(), small);
  CHECK(wal.recovered().entries.size() == 30);
  CHECK(describe(wal.recovered().entries).starts_with("1/1 2/1 3/1"));
}

TEST_CASE(
    "release_to deletes only whole segments below the snapshot, and a reopen still "
    "yields the entries after it",
    "[wal]") {
  TempDir dir;
  const WalOptions small{.segment_bytes = 200, .entries_after = {}};
  Wal wal = open_wal(dir.path(), small);
  for (std::uint64_t i = 1; i <= 30; ++i) {
    REQUIRE(wal.append(entries(i, i, 1)));
    wal.save_hard_state(hard_state(1, 1, i));
    REQUIRE(wal.sync());
  }
  const auto before = wal.segment_paths();
  wal.mark_snapshot(15, 1);
  REQUIRE(wal.sync());
  REQUIRE(wal.release_to(15));
  const auto after = wal.segment_paths();
  CHECK(after.size() < before.size());
  CHECK(after.back() == wal.segment_paths().back());
  // What is left starts with a segment that still holds entry 16.
  CHECK(parse_segment_name(after.front())->first_index <= 16);
  // ...and is the only one kept that holds entries at or below 15.
  if (after.size() > 1) CHECK(parse_segment_name(after[1])->first_index > 16);
  for (const auto& gone : before)
    if (std::ranges::find(after, gone) == after.end()) CHECK_FALSE(std::filesystem::exists(gone));

  Wal reopened = open_wal(dir.path(), small);
  CHECK(reopened.recovered().snapshot.index() == 15);
  CHECK(reopened.recovered().entries.front().index() == 16);
  CHECK(reopened.recovered().entries.back().index() == 30);
  CHECK(reopened.recovered().hard_state.commit() == 30);
}

TEST_CASE("release_to never deletes the segment being written", "[wal]") {
  TempDir dir;
  Wal wal = open_wal(dir.path());
  REQUIRE(wal.append(entries(1, 10, 1)));
  wal.mark_snapshot(10, 1);
  REQUIRE(wal.sync());
  REQUIRE(wal.release_to(10));
  CHECK(wal.segment_paths().size() == 1);
  CHECK(open_wal(dir.path()).recovered().entries.empty());
}

TEST_CASE("A snapshot from the leader replaces the whole log, later entries follow it", "[wal]") {
  TempDir dir;
  {
    Wal wal = open_wal(dir.path());
    REQUIRE(wal.append(entries(1, 5, 1)));
    wal.replace_log_with_snapshot(3, 2);  // entries 4 and 5 of term 1 go too
    REQUIRE(wal.append(entries(4, 4, 2)));
    REQUIRE(wal.sync());
  }
  Wal wal = open_wal(dir.path());
  CHECK(wal.recovered().snapshot.index() == 3);
  CHECK(describe(wal.recovered().entries) == "4/2");
}

}  // namespace
}  // namespace etcetera::server
