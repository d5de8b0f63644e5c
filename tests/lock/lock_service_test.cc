// The lock service (etcd's v3lock): lock(name, lease) answers the key, the
// fencing token and a header; unlock(key) passes the lock on. Bad input is
// refused with a message that says what to do.
#include <catch2/catch.hpp>

#include "lock/lock_service.h"
#include "tests/lock/answer.h"
#include "tests/lock/fake_port.h"

namespace etcetera::lock::test {
namespace {

using Locked = Answer<LockService::LockResponse>;
using Unlocked = Answer<etcdserverpb::ResponseHeader>;

TEST_CASE("lock answers the key, the fencing token and the header, and unlock passes the lock on",
          "[lock][service]") {
  FakePort port;
  LockService service(port);
  const auto l1 = port.grant(60, 0x1a), l2 = port.grant(60, 0x2b);
  Locked first, second;
  REQUIRE(service.lock("jobs", l1, first.sink()));
  port.deliver();
  CHECK(first.value().key == "jobs/1a");
  CHECK(first.value().fencing_token == port.create_revision("jobs/1a"));
  CHECK(first.value().header.revision() >= first.value().fencing_token);

  REQUIRE(service.lock("jobs", l2, second.sink()));
  port.deliver();
  CHECK_FALSE(second.answered());
  CHECK(service.waiting() == 1);

  Unlocked unlocked;
  REQUIRE(service.unlock("jobs/1a", unlocked.sink()));
  port.deliver();
  CHECK(unlocked.value().revision() == port.store().revision());
  CHECK(second.value().key == "jobs/2b");
  CHECK(second.value().fencing_token > first.value().fencing_token);
  CHECK(service.waiting() == 0);
  CHECK(port.create_revision("jobs/2b") > 0);  // held on after the service let go of its mutex
}

TEST_CASE("bad input is refused before anything is sent", "[lock][service]") {
  FakePort port;
  LockService service(port);
  const auto lease = port.grant(60, 1);
  Locked locked;
  Unlocked unlocked;

  auto empty_name = service.lock("", lease, locked.sink());
  CHECK(code_of(empty_name) == Error::Code::kInvalidArgument);
  CHECK_THAT(empty_name.error().message, Catch::Contains("needs a name"));
  auto no_lease = service.lock("jobs", 0, locked.sink());
  CHECK(code_of(no_lease) == Error::Code::kInvalidArgument);
  CHECK_THAT(no_lease.error().message, Catch::Contains("grant one"));
  CHECK(code_of(service.unlock("", unlocked.sink())) == Error::Code::kInvalidArgument);
  CHECK(code_of(service.unlock("jobs", unlocked.sink())) == Error::Code::kInvalidArgument);
  CHECK(code_of(service.unlock("jobs/", unlocked.sink())) == Error::Code::kInvalidArgument);
  Mutex mutex(port, "jobs", lease);
  Answer<Mutex::Locked> try_locked;
  CHECK(code_of(mutex.try_lock(0, try_locked.sink())) == Error::Code::kInvalidArgument);

  CHECK(port.idle());
  CHECK_FALSE(locked.answered());
  CHECK_FALSE(unlocked.answered());
}

TEST_CASE("a lease the store does not know, or that expired, is refused as not found",
          "[lock][service]") {
  FakePort port;
  LockService service(port);
  Locked unknown, expired;
  REQUIRE(service.lock("jobs", 42, unknown.sink()));
  port.deliver();
  CHECK(unknown.error().code == Error::Code::kLeaseNotFound);
  CHECK_THAT(unknown.error().message, Catch::Contains("etcdserver: requested lease not found"));
  CHECK_THAT(unknown.error().message, Catch::Contains("grant one"));

  const auto lease = port.grant(5, 7);
  port.advance(5000);  // the leader revokes it
  port.deliver();
  REQUIRE_FALSE(port.store().lessor().contains(lease));
  REQUIRE(service.lock("jobs", lease, expired.sink()));
  port.deliver();
  CHECK(expired.error().code == Error::Code::kLeaseNotFound);
  CHECK(port.create_revision("jobs/7") == 0);
}

TEST_CASE("a lease that expires while its lock request waits ends the request", "[lock][service]") {
  FakePort port;
  LockService service(port);
  const auto holder = port.grant(60, 1), waiter = port.grant(5, 2);
  Locked held, waiting;
  REQUIRE(service.lock("jobs", holder, held.sink()));
  REQUIRE(service.lock("jobs", waiter, waiting.sink()));
  port.deliver();
  REQUIRE(held.answered());
  port.advance(5000);
  port.deliver();
  CHECK_FALSE(waiting.answered());  // the waiter learns when its turn would come
  Unlocked unlocked;
  REQUIRE(service.unlock(held.value().key, unlocked.sink()));
  port.deliver();
  CHECK(waiting.error().code == Error::Code::kSessionExpired);
  CHECK_THAT(waiting.error().message, Catch::Contains("jobs/2"));
}

TEST_CASE("unlock of a key that does not exist, or of a key that waits, is refused",
          "[lock][service]") {
  FakePort port;
  LockService service(port);
  const auto l1 = port.grant(60, 1), l2 = port.grant(60, 2);
  Locked held, waiting;
  REQUIRE(service.lock("jobs", l1, held.sink()));
  REQUIRE(service.lock("jobs", l2, waiting.sink()));
  port.deliver();

  Unlocked missing, waiter, twice, holder;
  REQUIRE(service.unlock("jobs/99", missing.sink()));
  REQUIRE(service.unlock("jobs/2", waiter.sink()));
  port.deliver();
  CHECK(missing.error().code == Error::Code::kKeyNotFound);
  CHECK_THAT(missing.error().message, Catch::Contains("jobs/99 does not exist"));
  CHECK(waiter.error().code == Error::Code::kNotHolder);
  CHECK_THAT(waiter.error().message, Catch::Contains("waiting behind jobs/1"));
  CHECK(port.create_revision("jobs/2") > 0);  // nothing was deleted
  CHECK(port.create_revision("jobs/1") > 0);

  REQUIRE(service.unlock("jobs/1", holder.sink()));
  port.deliver();
  holder.value();
  REQUIRE(service.unlock("jobs/1", twice.sink()));
  port.deliver();
  CHECK(twice.error().code == Error::Code::kKeyNotFound);
  CHECK(waiting.value().key == "jobs/2");
}

TEST_CASE("a cancelled lock request leaves the queue and is never answered", "[lock][service]") {
  FakePort port;
  LockService service(port);
  const auto l1 = port.grant(60, 0x1a), l2 = port.grant(60, 0x2b), l3 = port.grant(60, 0x3c);
  Locked first, second, third;
  REQUIRE(service.lock("jobs", l1, first.sink()));
  REQUIRE(service.lock("jobs", l2, second.sink()));
  REQUIRE(service.lock("jobs", l3, third.sink()));
  port.deliver();
  REQUIRE(first.answered());
  REQUIRE(port.create_revision("jobs/2b") > 0);

  // The middle waiter goes: the one behind it now waits on the holder.
  service.cancel("jobs", l2);
  port.deliver();
  CHECK(port.create_revision("jobs/2b") == 0);
  CHECK(service.waiting() == 1);

  Unlocked unlocked;
  REQUIRE(service.unlock("jobs/1a", unlocked.sink()));
  port.deliver();
  CHECK(third.value().key == "jobs/3c");
  CHECK_FALSE(second.answered());

  // Cancelled with its put still on the way: the delete follows the put.
  Locked late;
  REQUIRE(service.lock("jobs", l2, late.sink()));
  service.cancel("jobs", l2);
  port.deliver();
  CHECK(port.create_revision("jobs/2b") == 0);
  CHECK_FALSE(late.answered());
  // A held lock is not cancelled: only unlock releases it.
  service.cancel("jobs", l3);
  port.deliver();
  CHECK(port.create_revision("jobs/3c") > 0);
}

}  // namespace
}  // namespace etcetera::lock::test
