// Snapshot files of any size (format 2): written and read one part at a
// time, whole or not at all; any cut or damaged byte is found, naming the
// file and offset; a snapshot received from the leader takes its name only
// once raft installs it; and DurableStorage keeps such a snapshot as a
// reference to its file, across a reopen.
#include "server/disk/snapshot_stream.h"

#include <catch2/catch.hpp>

#include "server/disk/durable_storage.h"
#include "server/disk/snapshot_file.h"
#include "tests/server/disk_helpers.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server {
namespace {

using testing::TempDir;

raft::pb::SnapshotMetadata metadata(std::uint64_t index, std::uint64_t term) {
  raft::pb::SnapshotMetadata m;
  m.set_index(index);
  m.set_term(term);
  for (std::uint64_t id : {1, 2, 3})
    m.mutable_conf_state()->add_voters(id);
  return m;
}

std::vector<std::string> parts() {
  return {"the registry", std::string(3000, 'a'), "", "last"};
}

std::string write(const std::filesystem::path& dir, std::uint64_t index, std::uint64_t term) {
  auto w = SnapshotWriter::create(dir, metadata(index, term));
  REQUIRE(w);
  for (const auto& p : parts())
    if (!p.empty()) REQUIRE(w->append(p));
  auto name = w->finish();
  REQUIRE(name);
  return *name;
}

std::vector<std::string> read_all(const std::filesystem::path& path) {
  auto r = SnapshotReader::open(path);
  REQUIRE(r);
  std::vector<std::string> out;
  for (;;) {
    auto p = r->next();
    REQUIRE(p);
    if (!*p) return out;
    out.push_back(**p);
  }
}

TEST_CASE("A snapshot written in parts reads back part by part, under its term and index",
          "[snapshot-stream]") {
  TempDir dir;
  const std::string name = write(dir.path(), 42, 3);
  CHECK(name == "0000000000000003-000000000000002a.snap");
  auto r = SnapshotReader::open(dir / name);
  REQUIRE(r);
  CHECK(r->metadata().SerializeAsString() == metadata(42, 3).SerializeAsString());
  CHECK_FALSE(r->inline_snapshot());
  CHECK(read_all(dir / name) == std::vector<std::string>{"the registry", std::string(3000, 'a'),
                                                         "last"});
}

TEST_CASE("An empty part is refused, and a writer never finished leaves no file",
          "[snapshot-stream]") {
  TempDir dir;
  {
    auto w = SnapshotWriter::create(dir.path(), metadata(7, 1));
    REQUIRE(w);
    CHECK(w->append("x"));
    auto refused = w->append("");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == DiskError::Code::kInvalidArgument);
  }
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("A snapshot file cut anywhere, or with any byte changed, does not verify",
          "[snapshot-stream]") {
  TempDir dir;
  const auto path = dir / write(dir.path(), 9, 2);
  const std::string whole = testing::read_bytes(path);
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    INFO("cut at " << cut);
    testing::write_bytes(path, whole.substr(0, cut));
    auto r = SnapshotReader::open(path);
    if (r) {
      auto ok = r->verify();
      REQUIRE_FALSE(ok);
      CHECK(ok.error().code == DiskError::Code::kCorrupt);
      CHECK(ok.error().message.find(path.string()) == 0);
    }
  }
  for (std::size_t at = 0; at < whole.size(); at += 97) {
    INFO("byte " << at << " changed");
    std::string damaged = whole;
    damaged[at] ^= 0x20;
    testing::write_bytes(path, damaged);
    auto r = SnapshotReader::open(path);
    if (r) CHECK_FALSE(r->verify());
  }
}

TEST_CASE("A file that ends where a record ends, before its end record, is cut short",
          "[snapshot-stream]") {
  TempDir dir;
  const auto path = dir / write(dir.path(), 9, 2);
  const std::string whole = testing::read_bytes(path);
  // Cut byte by byte from the end: the first cut at a record boundary takes
  // off exactly the end record.
  for (std::size_t cut = whole.size() - 1; cut > 0; --cut) {
    testing::write_bytes(path, whole.substr(0, cut));
    auto shorter = SnapshotReader::open(path);
    REQUIRE(shorter);
    auto ok = shorter->verify();
    REQUIRE_FALSE(ok);
    if (ok.error().message.find("without its end record") != std::string::npos) return;
  }
  FAIL("no cut at a record boundary was reported as a missing end record");
}

TEST_CASE("A record whose length runs past the end of the file is refused before it is read",
          "[snapshot-stream]") {
  TempDir dir;
  const auto path = dir / write(dir.path(), 9, 2);
  std::string bytes = testing::read_bytes(path);
  bytes[0] = '\0';
  bytes[1] = '\0';
  bytes[2] = '\0';
  bytes[3] = '\x03';  // 48 MiB, in a file of a few kilobytes
  testing::write_bytes(path, bytes);
  auto r = SnapshotReader::open(path);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("a record cut short"));
}

TEST_CASE("The newest snapshot in parts loads as a reference to its file", "[snapshot-stream]") {
  TempDir dir;
  write(dir.path(), 5, 1);
  const std::string newest = write(dir.path(), 9, 2);
  auto loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  REQUIRE(loaded->snapshot);
  CHECK(loaded->snapshot->metadata().index() == 9);
  CHECK(snapshot_file_of(loaded->snapshot->data()) == newest);
  // Damaged, it is skipped for the older one, with a note.
  testing::flip_byte(dir / newest, 40);
  loaded = load_newest_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK(loaded->snapshot->metadata().index() == 5);
  CHECK(loaded->skipped.size() == 1);
}

// The bytes of a snapshot file as the leader sends them, in chunks of `size`.
NextChunk chunks_of(const std::string& bytes, std::size_t size) {
  auto at = std::make_shared<std::size_t>(0);
  return [bytes, size, at]() -> DiskResult<std::optional<std::string>> {
    if (*at >= bytes.size()) return std::nullopt;
    std::string chunk = bytes.substr(*at, size);
    *at += chunk.size();
    return chunk;
  };
}

TEST_CASE("A snapshot received from the leader is stored, checked, and named only on install",
          "[snapshot-stream]") {
  TempDir leader, follower;
  const std::string bytes = testing::read_bytes(leader / write(leader.path(), 9, 2));
  auto received = receive_snapshot(follower.path(), metadata(9, 2), chunks_of(bytes, 100));
  REQUIRE(received);
  CHECK(*received == "0000000000000002-0000000000000009.snap.recv");
  // Not a snapshot of this member's yet: a restart forgets it.
  auto loaded = load_newest_snapshot(follower.path());
  REQUIRE(loaded);
  CHECK_FALSE(loaded->snapshot);
  REQUIRE(remove_snapshot_leftovers(follower.path()));
  CHECK(std::filesystem::is_empty(follower.path()));
}

TEST_CASE("A received snapshot that is cut short or not the one announced is refused, and "
          "nothing is left of it",
          "[snapshot-stream]") {
  TempDir leader, follower;
  const std::string bytes = testing::read_bytes(leader / write(leader.path(), 9, 2));
  auto cut = receive_snapshot(follower.path(), metadata(9, 2),
                              chunks_of(bytes.substr(0, bytes.size() - 3), 64));
  REQUIRE_FALSE(cut);
  CHECK(cut.error().code == DiskError::Code::kCorrupt);
  auto other = receive_snapshot(follower.path(), metadata(10, 2), chunks_of(bytes, 64));
  REQUIRE_FALSE(other);
  CHECK(other.error().message.find("not snapshot 10 of term 2") != std::string::npos);
  CHECK(std::filesystem::is_empty(follower.path()));
}

raft::pb::Snapshot referring_to(const std::string& file, std::uint64_t index, std::uint64_t term) {
  raft::pb::Snapshot s;
  *s.mutable_metadata() = metadata(index, term);
  s.set_data(snapshot_file_ref(file));
  return s;
}

TEST_CASE("DurableStorage keeps a snapshot in parts as a reference, installed or compacted, "
          "across a reopen",
          "[snapshot-stream][durable]") {
  TempDir data;
  {
    auto d = DurableStorage::open(data.path());
    REQUIRE(d);
    REQUIRE(d->persist(std::nullopt, testing::entries(1, 6, 1)));
    REQUIRE(d->sync());
    const std::string local = write(d->snap_dir(), 4, 1);
    REQUIRE(d->compact(referring_to(local, 4, 1)));
    CHECK(snapshot_file_of(d->storage().snapshot().data()) == local);

    // One from the leader, received beside its message, replaces the log.
    TempDir leader;
    const std::string bytes = testing::read_bytes(leader / write(leader.path(), 20, 3));
    auto received = receive_snapshot(d->snap_dir(), metadata(20, 3), chunks_of(bytes, 1000));
    REQUIRE(received);
    REQUIRE(d->persist(testing::hard_state(3, 0, 20), {}, referring_to(*received, 20, 3)));
    REQUIRE(d->sync());
    CHECK(snapshot_file_of(d->storage().snapshot().data()) ==
          "0000000000000003-0000000000000014.snap");
  }
  auto reopened = DurableStorage::open(data.path());
  REQUIRE(reopened);
  CHECK(reopened->storage().snapshot().metadata().index() == 20);
  auto file = snapshot_file_of(reopened->storage().snapshot().data());
  REQUIRE(file);
  CHECK(read_all(reopened->snap_dir() / *file).size() == 3);
}

TEST_CASE("A snapshot that refers to a file the member does not have is refused",
          "[snapshot-stream][durable]") {
  TempDir data;
  auto d = DurableStorage::open(data.path());
  REQUIRE(d);
  auto refused = d->persist(std::nullopt, {}, referring_to("nowhere.snap.recv", 20, 3));
  REQUIRE_FALSE(refused);
}

}  // namespace
}  // namespace etcetera::server
