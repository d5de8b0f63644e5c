// DurableStorage against raft::MemoryStorage, the reference storage: driven
// by the same random sequence of persists and compactions, the reopened
// durable one always holds exactly what the model holds. And bad data
// directories give clear errors.
#include "server/disk/durable_storage.h"
#include "server/disk/snapshot_file.h"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "tests/server/disk_helpers.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server {
namespace {

using testing::TempDir;

raft::pb::ConfState three_voters() {
  raft::pb::ConfState cs;
  for (std::uint64_t id : {1, 2, 3})
    cs.add_voters(id);
  return cs;
}

void require_same(const raft::MemoryStorage& durable, const raft::MemoryStorage& model) {
  RC_ASSERT(durable.hard_state().SerializeAsString() == model.hard_state().SerializeAsString());
  RC_ASSERT(durable.snapshot().SerializeAsString() == model.snapshot().SerializeAsString());
  RC_ASSERT(durable.first_index() == model.first_index());
  RC_ASSERT(durable.last_index() == model.last_index());
  RC_ASSERT(durable.describe() == model.describe());
}

// One step a raft driver could take, applied to both storages.
class Driver {
 public:
  explicit Driver(const std::filesystem::path& dir) : dir_(dir) { reopen(); }

  void persist_entries() {
    const std::uint64_t first = *rc::gen::inRange(model_.first_index(), model_.last_index() + 2);
    const std::uint64_t count = *rc::gen::inRange(0, 4);
    term_ += *rc::gen::inRange(0, 2);
    const auto batch = testing::entries(first, first + count - 1, term_);
    std::optional<raft::pb::HardState> hs;
    if (*rc::gen::arbitrary<bool>())
      hs = testing::hard_state(term_, *rc::gen::inRange(0, 4), first - 1);
    RC_ASSERT(storage_->persist(hs, batch));
    RC_ASSERT(storage_->sync());
    model_.append(batch);
    if (hs) model_.set_hard_state(*hs);
  }

  void install_snapshot() {
    raft::pb::Snapshot s;
    s.set_data("from the leader " + std::to_string(++snapshots_));
    s.mutable_metadata()->set_index(
        *rc::gen::inRange(model_.first_index(), model_.last_index() + 5));
    s.mutable_metadata()->set_term(++term_);
    *s.mutable_metadata()->mutable_conf_state() = three_voters();
    RC_ASSERT(storage_->persist(std::nullopt, {}, s));
    RC_ASSERT(storage_->sync());
    RC_ASSERT(model_.apply_snapshot(s));
  }

  void compact() {
    if (model_.last_index() < model_.first_index()) return;
    const std::uint64_t index = *rc::gen::inRange(model_.first_index(), model_.last_index() + 1);
    const std::string data = "state through " + std::to_string(index);
    raft::pb::Snapshot s;
    s.set_data(data);
    s.mutable_metadata()->set_index(index);
    s.mutable_metadata()->set_term(*model_.term(index));
    *s.mutable_metadata()->mutable_conf_state() = three_voters();
    RC_ASSERT(storage_->compact(s));
    RC_ASSERT(model_.compact(index, three_voters(), data));
  }

  void reopen() {
    storage_.reset();
    auto opened = DurableStorage::open(dir_, {.segment_bytes = 256, .snapshots_kept = 2});
    if (!opened) RC_FAIL(opened.error().message);
    storage_.emplace(std::move(*opened));
    require_same(storage_->storage(), model_);
  }

 private:
  std::filesystem::path dir_;
  std::optional<DurableStorage> storage_;
  raft::MemoryStorage model_;
  std::uint64_t term_ = 1;
  int snapshots_ = 0;
};

TEST_CASE(
    "A reopened DurableStorage holds exactly what MemoryStorage holds after the same "
    "persists, snapshots and compactions",
    "[durable]") {
  rc::prop("random driver steps", [] {
    TempDir dir;
    Driver driver(dir / "data");
    const int steps = *rc::gen::inRange(1, 30);
    for (int k = 0; k < steps; ++k) {
      switch (*rc::gen::inRange(0, 10)) {
        case 0:
          driver.install_snapshot();
          break;
        case 1:
        case 2:
          driver.compact();
          break;
        case 3:
        case 4:
          driver.reopen();
          break;
        default:
          driver.persist_entries();
      }
    }
    driver.reopen();
  });
}

TEST_CASE("A data directory that is a regular file is refused with a clear error", "[durable]") {
  TempDir dir;
  testing::write_bytes(dir / "data", "not a directory");
  auto opened = DurableStorage::open(dir / "data");
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == DiskError::Code::kInvalidArgument);
  CHECK_THAT(opened.error().message,
             Catch::Contains((dir / "data").string()) && Catch::Contains("not a directory"));
}

TEST_CASE("A data directory that cannot be created is refused with strerror", "[durable]") {
  TempDir dir;
  // Permission bits do not stop root, so as root the test uses /sys, where no
  // one may create a directory.
  std::filesystem::path target = "/sys/etcetera-unwritable/data";
  if (::geteuid() != 0) {
    std::filesystem::create_directory(dir / "locked");
    std::filesystem::permissions(
        dir / "locked", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    target = dir / "locked" / "data";
  }
  auto opened = DurableStorage::open(target);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == DiskError::Code::kIo);
  CHECK_THAT(opened.error().message, Catch::Contains(target.parent_path().string()));
  CHECK_THAT(opened.error().message,
             Catch::Contains("not permitted") || Catch::Contains("Permission denied"));
}

TEST_CASE("A damaged newest snapshot is survived from the older one and the WAL", "[durable]") {
  TempDir dir;
  {
    auto d = DurableStorage::open(dir.path(), {.segment_bytes = 128, .snapshots_kept = 2});
    REQUIRE(d);
    for (std::uint64_t i = 1; i <= 30; ++i) {
      REQUIRE(d->persist(testing::hard_state(1, 1, i), testing::entries(i, i, 1)));
      REQUIRE(d->sync());
      if (i % 10 == 0) {
        raft::pb::Snapshot s;
        s.set_data("through " + std::to_string(i));
        s.mutable_metadata()->set_index(i);
        s.mutable_metadata()->set_term(1);
        REQUIRE(d->compact(s));
      }
    }
  }
  const auto snap_dir = dir.path() / "member" / "snap";
  testing::flip_byte(snap_dir / snapshot_file_name(1, 30), 12);
  auto d = DurableStorage::open(dir.path());
  REQUIRE(d);
  CHECK(d->storage().snapshot().metadata().index() == 20);
  CHECK(d->storage().last_index() == 30);
  REQUIRE(d->recovery_notes().size() == 1);
  CHECK_THAT(d->recovery_notes()[0], Catch::Contains(snapshot_file_name(1, 30)));
}

}  // namespace
}  // namespace etcetera::server

namespace etcetera::server {
namespace {

// Every file under `dir` with its bytes: a picture of the data dir to compare.
std::map<std::string, std::string> picture(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& item : std::filesystem::recursive_directory_iterator(dir))
    if (item.is_regular_file())
      out[std::filesystem::relative(item.path(), dir).string()] =
          testing::read_bytes(item.path());
  return out;
}

std::filesystem::path only_segment(const DurableStorage& d) {
  std::vector<std::filesystem::path> segments;
  for (const auto& item : std::filesystem::directory_iterator(d.wal_dir()))
    if (item.path().extension() == ".wal") segments.push_back(item.path());
  REQUIRE(segments.size() == 1);
  return segments.front();
}

TEST_CASE("Opening without repair changes nothing on disk; repair() then cuts the torn tail",
          "[durable]") {
  TempDir data;
  std::filesystem::path segment;
  {
    auto d = DurableStorage::open(data.path());
    REQUIRE(d);
    REQUIRE(d->persist(testing::hard_state(1, 1, 3), testing::entries(1, 3, 1)));
    REQUIRE(d->sync());
    segment = only_segment(*d);
  }
  std::ofstream(segment, std::ios::app | std::ios::binary) << std::string("\x40\x00\x00", 3);
  std::ofstream(data / "member" / "snap" / "leftover.snap.tmp") << "half";
  const auto before = picture(data.path());
  DurableOptions options;
  options.repair_at_open = false;
  auto d = DurableStorage::open(data.path(), options);
  REQUIRE(d);
  CHECK(d->storage().last_index() == 3);
  CHECK(picture(data.path()) == before);  // a member that fails to start leaves it so
  REQUIRE(d->repair());
  CHECK(std::filesystem::file_size(segment) == before.at(
                                                   std::filesystem::relative(segment, data.path())
                                                       .string())
                                                   .size() -
                                               3);
  CHECK_FALSE(std::filesystem::exists(data / "member" / "snap" / "leftover.snap.tmp"));
  REQUIRE(d->persist(std::nullopt, testing::entries(4, 4, 1)));
  REQUIRE(d->sync());
}

TEST_CASE("A WAL damaged in the middle is refused, naming the file and offset, and left as it "
          "was",
          "[durable]") {
  TempDir data;
  std::filesystem::path segment;
  {
    auto d = DurableStorage::open(data.path());
    REQUIRE(d);
    for (std::uint64_t i = 1; i <= 5; ++i) {
      REQUIRE(d->persist(testing::hard_state(1, 1, i), testing::entries(i, i, 1)));
      REQUIRE(d->sync());
    }
    segment = only_segment(*d);
  }
  testing::flip_byte(segment, std::filesystem::file_size(segment) / 2);
  std::ofstream(data / "member" / "snap" / "leftover.snap.tmp") << "half";
  const auto before = picture(data.path());
  DurableOptions options;
  options.repair_at_open = false;
  auto refused = DurableStorage::open(data.path(), options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == DiskError::Code::kCorrupt);
  CHECK_THAT(refused.error().message, Catch::Contains(segment.string()));
  CHECK_THAT(refused.error().message, Catch::Contains("byte"));
  CHECK(picture(data.path()) == before);
}

}  // namespace
}  // namespace etcetera::server
