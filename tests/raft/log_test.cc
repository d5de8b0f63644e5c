// RaftLog: the consistency check, conflicts, the back-off hint, stability.
#include <catch2/catch.hpp>

#include "raft/log.h"
#include "raft/memory_storage.h"

namespace {

using etcetera::raft::MemoryStorage;
using etcetera::raft::RaftLog;
namespace pb = etcetera::raft::pb;

std::vector<pb::Entry> entries(std::uint64_t first, std::vector<std::uint64_t> terms) {
  std::vector<pb::Entry> out;
  for (auto t : terms) {
    pb::Entry e;
    e.set_index(first++);
    e.set_term(t);
    out.push_back(e);
  }
  return out;
}

}  // namespace

TEST_CASE("maybe_append refuses an entry whose previous entry does not match") {
  MemoryStorage storage;
  storage.append(entries(1, {1, 1, 2}));
  RaftLog log(storage, 0);
  CHECK_FALSE(log.maybe_append(3, 1, 0, entries(4, {3})));  // index 3 has term 2
  CHECK_FALSE(log.maybe_append(5, 2, 0, entries(6, {3})));  // no index 5 at all
  auto ok = log.maybe_append(3, 2, 0, entries(4, {3}));
  REQUIRE(ok);
  CHECK(ok->last_new == 4);
  CHECK(ok->first_written == 4);
  CHECK(log.last_index() == 4);
}

TEST_CASE("maybe_append replaces a conflicting suffix and keeps matching entries") {
  MemoryStorage storage;
  storage.append(entries(1, {1, 1, 1, 1}));
  RaftLog log(storage, 0);
  // Entries 2..3 already match; 4 conflicts: only 4 onward is rewritten.
  auto ok = log.maybe_append(1, 1, 0, entries(2, {1, 1, 2}));
  REQUIRE(ok);
  CHECK(ok->first_written == 4);
  CHECK(log.last_index() == 4);
  CHECK(log.term(4) == 2u);
  CHECK(log.last_persisted_index() == 3);
}

TEST_CASE("a duplicated append is idempotent: nothing is written or truncated") {
  MemoryStorage storage;
  storage.append(entries(1, {1, 1, 1}));
  RaftLog log(storage, 0);
  auto ok = log.maybe_append(0, 0, 0, entries(1, {1}));
  REQUIRE(ok);
  CHECK(ok->first_written == 0);
  CHECK(log.last_index() == 3);  // a short stale append must not cut the log
}

TEST_CASE("the commit index follows the leader but never past the appended entries") {
  MemoryStorage storage;
  RaftLog log(storage, 0);
  REQUIRE(log.maybe_append(0, 0, 10, entries(1, {1, 1})));
  CHECK(log.committed() == 2);
}

TEST_CASE("conflict_hint names the conflicting term and its first index") {
  MemoryStorage storage;
  storage.append(entries(1, {1, 1, 2, 2, 2, 3}));
  RaftLog log(storage, 0);
  CHECK(log.conflict_hint(5) == std::pair<std::uint64_t, std::uint64_t>{2, 3});
  CHECK(log.conflict_hint(9) == std::pair<std::uint64_t, std::uint64_t>{0, 7});
  CHECK(log.last_index_of_term(2) == 5u);
  CHECK_FALSE(log.last_index_of_term(4));
}

TEST_CASE("is_up_to_date compares last terms first, then lengths (section 5.4.1)") {
  MemoryStorage storage;
  storage.append(entries(1, {1, 2, 2}));
  RaftLog log(storage, 0);
  CHECK(log.is_up_to_date(1, 3));
  CHECK(log.is_up_to_date(3, 2));
  CHECK_FALSE(log.is_up_to_date(2, 2));
  CHECK_FALSE(log.is_up_to_date(9, 1));
}

TEST_CASE("stable_to keeps entries unstable when they were overwritten since") {
  MemoryStorage storage;
  RaftLog log(storage, 0);
  log.append(entries(1, {1, 1}));
  log.stable_to(2, 2);  // the Ready had 2/2, but the log now holds 2/1
  CHECK(log.last_persisted_index() == 0);
  storage.append(log.unstable_entries());  // the application persists, then acknowledges
  log.stable_to(2, 1);
  CHECK(log.last_persisted_index() == 2);
  CHECK_FALSE(log.has_unstable());
}

TEST_CASE("entries() stops at a byte budget, but always gives the first entry") {
  MemoryStorage storage;
  auto batch = entries(1, {1, 1, 1, 1});
  for (auto& e : batch)
    e.set_data(std::string(1000, 'x'));
  batch[0].set_data(std::string(5000, 'x'));  // the first is over the budget alone
  storage.append(batch);
  RaftLog log(storage, 0);
  CHECK(log.entries(1, 5, 64, 100).size() == 1);     // one, whatever its size
  CHECK(log.entries(2, 5, 64, 2100).size() == 2);    // two fit, a third would not
  CHECK(log.entries(2, 5, 64, SIZE_MAX).size() == 3);
  CHECK(log.entries(2, 5, 2, SIZE_MAX).size() == 2);  // the count still bounds it
}
