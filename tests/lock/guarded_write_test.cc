// Fenced writes: a put that lands only while the writer's lock is held,
// because the store compares the holder key's create revision (the token)
// in the same transaction.
#include <catch2/catch.hpp>

#include "lock/guarded_write.h"
#include "lock/mutex.h"
#include "tests/lock/answer.h"
#include "tests/lock/fake_port.h"

namespace etcetera::lock::test {
namespace {

using Written = Answer<etcdserverpb::PutResponse>;

etcdserverpb::PutRequest put(std::string key, std::string value) {
  etcdserverpb::PutRequest p;
  p.set_key(std::move(key));
  p.set_value(std::move(value));
  return p;
}

std::string value_of(const FakePort& port, const std::string& key) {
  etcdserverpb::RangeRequest range;
  range.set_key(key);
  auto read = port.store().range(range);
  REQUIRE(read);
  return read->kvs().empty() ? "<absent>" : read->kvs(0).value();
}

TEST_CASE("a guarded put compares the holder key's create revision with the token, then puts",
          "[lock][guarded]") {
  const auto txn = guarded_put("jobs/1", 7, put("data", "x"));
  REQUIRE(txn.compare_size() == 1);
  CHECK(txn.compare(0).key() == "jobs/1");
  CHECK(txn.compare(0).target() == etcdserverpb::Compare::CREATE);
  CHECK(txn.compare(0).result() == etcdserverpb::Compare::EQUAL);
  CHECK(txn.compare(0).create_revision() == 7);
  REQUIRE(txn.success_size() == 1);
  CHECK(txn.success(0).request_put().key() == "data");
  CHECK(txn.failure_size() == 0);
}

TEST_CASE(
    "a guarded write lands while the lock is held, and is refused once the holder's key is "
    "gone",
    "[lock][guarded]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(5, 1)}, b{port, "jobs", port.grant(60, 2)};
  Answer<Mutex::Locked> got_a, got_b;
  REQUIRE(a.lock(got_a.sink()));
  port.deliver();
  REQUIRE(b.lock(got_b.sink()));
  port.deliver();

  Written first;
  submit_guarded_put(port, a.key(), got_a.value().fencing_token, put("data", "a1"), first.sink());
  port.deliver();
  CHECK(first.value().header().revision() == port.store().revision());
  CHECK(value_of(port, "data") == "a1");

  // a pauses past its lease; the store deletes its key and b takes over.
  port.advance(5000);
  port.deliver();
  REQUIRE(b.held());
  Written from_b;
  submit_guarded_put(port, b.key(), got_b.value().fencing_token, put("data", "b1"), from_b.sink());
  port.deliver();
  from_b.value();

  // a wakes up, still believing it holds the lock: its write is refused.
  REQUIRE(a.held());
  Written late;
  submit_guarded_put(port, a.key(), got_a.value().fencing_token, put("data", "a2"), late.sink());
  port.deliver();
  CHECK(late.error().code == Error::Code::kNotHolder);
  CHECK_THAT(late.error().message, Catch::Contains("jobs/1"));
  CHECK(value_of(port, "data") == "b1");
}

TEST_CASE("an old token is refused even when the same lease holds the key again",
          "[lock][guarded]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)};
  Answer<Mutex::Locked> first, second;
  Answer<etcdserverpb::ResponseHeader> unlocked;
  REQUIRE(a.lock(first.sink()));
  port.deliver();
  REQUIRE(a.unlock(unlocked.sink()));
  port.deliver();
  REQUIRE(a.lock(second.sink()));
  port.deliver();

  Written stale, fresh;
  submit_guarded_put(port, a.key(), first.value().fencing_token, put("data", "stale"),
                     stale.sink());
  submit_guarded_put(port, a.key(), second.value().fencing_token, put("data", "fresh"),
                     fresh.sink());
  port.deliver();
  CHECK(stale.error().code == Error::Code::kNotHolder);
  fresh.value();
  CHECK(value_of(port, "data") == "fresh");
}

}  // namespace
}  // namespace etcetera::lock::test
