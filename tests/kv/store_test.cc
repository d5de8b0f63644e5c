// The store, one scenario at a time: the worked examples of docs/kv.md.
#include <catch2/catch.hpp>

#include "kv/store.h"

namespace etcetera::kv {
namespace {

etcdserverpb::PutRequest put(std::string key, std::string value, LeaseId lease = 0) {
  etcdserverpb::PutRequest r;
  r.set_key(std::move(key));
  r.set_value(std::move(value));
  r.set_lease(lease);
  return r;
}

etcdserverpb::RangeRequest get(std::string key, std::int64_t revision = 0) {
  etcdserverpb::RangeRequest r;
  r.set_key(std::move(key));
  r.set_revision(revision);
  return r;
}

etcdserverpb::DeleteRangeRequest del(std::string key) {
  etcdserverpb::DeleteRangeRequest r;
  r.set_key(std::move(key));
  return r;
}

TEST_CASE("prefix_end increments the last byte that can be incremented", "[kv]") {
  CHECK(prefix_end("foo") == "fop");
  CHECK(prefix_end(std::string("a\xff", 2)) == "b");
  CHECK(prefix_end(std::string("\xff\xff", 2)) == std::string(1, '\0'));
}

TEST_CASE("a key's versions, generations and past revisions", "[kv]") {
  Store store;
  CHECK(store.revision() == 1);  // the empty store; the first write is revision 2
  REQUIRE(store.put(put("k", "a")));
  REQUIRE(store.put(put("k", "b")));
  REQUIRE(store.delete_range(del("k")));
  REQUIRE(store.put(put("k", "c")));
  CHECK(store.revision() == 5);

  auto now = store.range(get("k"));
  REQUIRE(now);
  REQUIRE(now->kvs_size() == 1);
  CHECK(now->kvs(0).value() == "c");
  CHECK(now->kvs(0).create_revision() == 5);  // a new generation
  CHECK(now->kvs(0).version() == 1);

  auto then = store.range(get("k", 3));
  REQUIRE(then);
  REQUIRE(then->kvs_size() == 1);
  CHECK(then->kvs(0).value() == "b");
  CHECK(then->kvs(0).create_revision() == 2);
  CHECK(then->kvs(0).mod_revision() == 3);
  CHECK(then->kvs(0).version() == 2);

  auto deleted = store.range(get("k", 4));
  REQUIRE(deleted);
  CHECK(deleted->kvs_size() == 0);
  CHECK(deleted->count() == 0);
}

TEST_CASE("compaction makes older revisions unreadable, with the compact revision named", "[kv]") {
  Store store;
  for (int i = 0; i < 4; ++i)
    REQUIRE(store.put(put("k", std::to_string(i))));  // revisions 2..5
  etcdserverpb::CompactionRequest compact;
  compact.set_revision(4);
  REQUIRE(store.compact(compact));

  auto old = store.range(get("k", 3));
  REQUIRE_FALSE(old);
  CHECK(old.error().code == Error::Code::kCompacted);
  CHECK(old.error().message ==
        "mvcc: required revision has been compacted (revision 3 requested, compacted through 4)");
  auto at = store.range(get("k", 4));
  REQUIRE(at);
  CHECK(at->kvs(0).value() == "2");

  auto future = store.range(get("k", 9));
  REQUIRE_FALSE(future);
  CHECK(future.error().code == Error::Code::kFutureRevision);
  CHECK(store.record_count() == 2);  // revisions 4 and 5 of the key
}

TEST_CASE("a delete of nothing takes no revision", "[kv]") {
  Store store;
  REQUIRE(store.put(put("a", "1")));
  auto r = store.delete_range(del("missing"));
  REQUIRE(r);
  CHECK(r->deleted() == 0);
  CHECK(store.revision() == 2);
}

}  // namespace
}  // namespace etcetera::kv
