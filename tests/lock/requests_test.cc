// The questions the recipes ask the store, as requests: the shape etcd's
// recipes use, checked field by field.
#include <catch2/catch.hpp>

#include "lock/requests.h"

namespace etcetera::lock {
namespace {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;

TEST_CASE("a lease's key in a queue is the name, a slash and the lease in hex",
          "[lock][requests]") {
  CHECK(queue_prefix("jobs") == "jobs/");
  CHECK(queue_key("jobs/", 0x694d7f3c) == "jobs/694d7f3c");
  CHECK(queue_key("jobs/", 1) == "jobs/1");
}

TEST_CASE("joining puts the key with the lease if it is absent, else reads it",
          "[lock][requests]") {
  const auto txn = enqueue("jobs/1", "", 1);
  REQUIRE(txn.compare_size() == 1);
  CHECK(txn.compare(0).target() == Compare::CREATE);
  CHECK(txn.compare(0).create_revision() == 0);
  CHECK(txn.success(0).request_put().lease() == 1);
  CHECK(txn.failure(0).request_range().key() == "jobs/1");
}

TEST_CASE("the check reads our key and the newest key older than ours, at one revision",
          "[lock][requests]") {
  const auto txn = check_place("jobs/3", "jobs/", 9);
  CHECK(txn.compare_size() == 0);
  REQUIRE(txn.success_size() == 2);
  CHECK(txn.success(0).request_range().key() == "jobs/3");
  const RangeRequest& ahead = txn.success(1).request_range();
  CHECK(ahead.key() == "jobs/");
  CHECK(ahead.range_end() == "jobs0");
  CHECK(ahead.sort_target() == RangeRequest::CREATE);
  CHECK(ahead.sort_order() == RangeRequest::DESCEND);
  CHECK(ahead.limit() == 1);
  CHECK(ahead.max_create_revision() == 8);
}

TEST_CASE("a waiter watches one key for its delete, from after the read", "[lock][requests]") {
  const auto watch = watch_delete("jobs/2", 9);
  CHECK(watch.key() == "jobs/2");
  CHECK(watch.range_end().empty());
  CHECK(watch.start_revision() == 10);
  REQUIRE(watch.filters_size() == 1);
  CHECK(watch.filters(0) == etcdserverpb::WatchCreateRequest::NOPUT);
}

}  // namespace
}  // namespace etcetera::lock
