// Snapshot files: saved whole or not at all, the newest that verifies wins,
// a damaged newest one is skipped with a note, and leftovers are cleaned up.
#include "server/disk/snapshot_file.h"

#include <catch2/catch.hpp>

#include "tests/server/disk_helpers.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server {
namespace {

using testing::TempDir;

raft::pb::Snapshot snapshot(std::uint64_t index, std::uint64_t term) {
  raft::pb::Snapshot s;
  s.set_data("state machine through " + std::to_string(index));
  s.mutable_metadata()->set_index(index);
  s.mutable_metadata()->set_term(term);
  for (std::uint64_t id : {1, 2, 3})
    s.mutable_metadata()->mutable_conf_state()->add_voters(id);
  return s;
}

TEST_CASE("A saved snapshot loads back, from a file named after its term and index", "[snapshot]") {
  TempDir dir;
  REQUIRE(save_snapshot(dir.path(), snapshot(42, 3)));
  CHECK(std::filesystem::exists(dir / "0000000000000003-000000000000002a.snap"));
  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  REQUIRE(loaded->snapshot);
  CHECK(loaded->snapshot->SerializeAsString() == snapshot(42, 3).SerializeAsString());
  CHECK(loaded->skipped.empty());
}

TEST_CASE("An empty snapshot directory loads no snapshot", "[snapshot]") {
  TempDir dir;
  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK_FALSE(loaded->snapshot);
}

TEST_CASE("The snapshot with the highest index wins, whatever the terms", "[snapshot]") {
  TempDir dir;
  REQUIRE(save_snapshot(dir.path(), snapshot(9, 2)));
  REQUIRE(save_snapshot(dir.path(), snapshot(5, 7)));
  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK(loaded->snapshot->metadata().index() == 9);
}

TEST_CASE("A damaged newest snapshot is skipped with a note, and the one before it loads",
          "[snapshot]") {
  TempDir dir;
  REQUIRE(save_snapshot(dir.path(), snapshot(5, 1)));
  REQUIRE(save_snapshot(dir.path(), snapshot(9, 2)));
  const auto newest = dir / snapshot_file_name(2, 9);
  testing::flip_byte(newest, 20);

  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK(loaded->snapshot->metadata().index() == 5);
  REQUIRE(loaded->skipped.size() == 1);
  CHECK_THAT(loaded->skipped[0],
             Catch::Contains(newest.string()) && Catch::Contains("checksum mismatch"));
}

TEST_CASE("A snapshot file whose name does not match its content is skipped", "[snapshot]") {
  TempDir dir;
  REQUIRE(save_snapshot(dir.path(), snapshot(5, 1)));
  std::filesystem::rename(dir / snapshot_file_name(1, 5), dir / snapshot_file_name(1, 6));
  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK_FALSE(loaded->snapshot);
  REQUIRE(loaded->skipped.size() == 1);
  CHECK_THAT(loaded->skipped[0], Catch::Contains("not the one its name says"));
}

TEST_CASE("A temporary file left by a crash during a save is ignored on load, and removed after",
          "[snapshot]") {
  TempDir dir;
  REQUIRE(save_snapshot(dir.path(), snapshot(5, 1)));
  const auto leftover = dir / (snapshot_file_name(2, 9) + ".tmp");
  const auto received = dir / (snapshot_file_name(2, 9) + ".recv");
  testing::write_bytes(leftover, "half a snapsh");
  testing::write_bytes(received, "never installed");
  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK(loaded->snapshot->metadata().index() == 5);
  CHECK(std::filesystem::exists(leftover));  // loading changes nothing
  REQUIRE(remove_snapshot_leftovers(dir.path()));
  CHECK_FALSE(std::filesystem::exists(leftover));
  CHECK_FALSE(std::filesystem::exists(received));
  CHECK(std::filesystem::exists(dir / snapshot_file_name(1, 5)));
}

TEST_CASE("Purging keeps the newest snapshots only", "[snapshot]") {
  TempDir dir;
  for (std::uint64_t i : {3, 6, 9, 12})
    REQUIRE(save_snapshot(dir.path(), snapshot(i, 1)));
  REQUIRE(purge_snapshots(dir.path(), 2));
  auto kept = list_snapshot_indexes(dir.path());
  REQUIRE(kept);
  CHECK(*kept == std::vector<std::uint64_t>{12, 9});
}

TEST_CASE("A snapshot at index 0 is refused", "[snapshot]") {
  TempDir dir;
  auto saved = save_snapshot(dir.path(), raft::pb::Snapshot());
  REQUIRE_FALSE(saved);
  CHECK(saved.error().code == DiskError::Code::kInvalidArgument);
}

}  // namespace
}  // namespace etcetera::server
