// Mutant::kGrantWithoutLeaseCheck, the classic lock-server bug: a waiter
// whose predecessor went away takes the lock without checking that its own
// key (and so its lease) still exists. The same story runs twice: the
// normal code refuses the lock to the waiter whose lease ran out while it
// waited; the mutant grants it, and two clients hold the lock at once.
#include <catch2/catch.hpp>

#include "lock/guarded_write.h"
#include "lock/mutant.h"
#include "lock/mutex.h"
#include "tests/lock/answer.h"
#include "tests/lock/fake_port.h"

namespace etcetera::lock::test {
namespace {

using Locked = Answer<Mutex::Locked>;

// a holds the lock; b (a 5-second lease) waits behind it, c behind b. b's
// lease runs out while it waits: the store deletes b's key, c looks again
// and waits for a. Then a unlocks, and b and c both see a's key go.
struct ExpiredWaiter {
  explicit ExpiredWaiter(Mutant mutant) : b{port, "jobs", port.grant(5, 2), mutant} {}

  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)};
  Mutex b;
  Mutex c{port, "jobs", port.grant(60, 3)};
  Locked got_a, got_b, got_c;

  void run() {
    REQUIRE(a.lock(got_a.sink()));
    port.deliver();
    REQUIRE(b.lock(got_b.sink()));
    port.deliver();
    REQUIRE(c.lock(got_c.sink()));
    port.deliver();
    REQUIRE(b.waiting_on()->key == "jobs/1");
    REQUIRE(c.waiting_on()->key == "jobs/2");

    port.advance(5000);  // b's lease expires while it waits
    port.deliver();
    REQUIRE(port.create_revision("jobs/2") == 0);
    REQUIRE(c.waiting_on()->key == "jobs/1");
    REQUIRE(b.state() == Mutex::State::kWaiting);  // b does not know yet

    Answer<etcdserverpb::ResponseHeader> unlocked;
    REQUIRE(a.unlock(unlocked.sink()));
    port.deliver();
    REQUIRE(c.held());
  }
};

TEST_CASE("a waiter whose lease expired while it waited is refused the lock", "[lock][mutant]") {
  ExpiredWaiter w(Mutant::kNone);
  w.run();
  CHECK_FALSE(w.b.held());
  CHECK(w.b.state() == Mutex::State::kFailed);
  CHECK(w.got_b.error().code == Error::Code::kSessionExpired);
  CHECK_THAT(w.got_b.error().message, Catch::Contains("jobs/2"));
}

TEST_CASE("the grant-without-lease-check mutant gives the lock to that waiter: two holders",
          "[lock][mutant]") {
  ExpiredWaiter w(Mutant::kGrantWithoutLeaseCheck);
  w.run();
  CHECK(w.b.held());
  CHECK(w.c.held());
  // b's token names a key that no longer exists, so a fenced write still
  // refuses it: the token protects the data even from this bug.
  Answer<etcdserverpb::PutResponse> written;
  etcdserverpb::PutRequest put;
  put.set_key("data");
  put.set_value("from b");
  submit_guarded_put(w.port, w.b.key(), w.got_b.value().fencing_token, put, written.sink());
  w.port.deliver();
  CHECK(written.error().code == Error::Code::kNotHolder);
}

TEST_CASE("the lock mutants have names", "[lock][mutant]") {
  REQUIRE(all_mutants().size() == 1);
  CHECK(mutant_by_name("grant-without-lease-check") == Mutant::kGrantWithoutLeaseCheck);
  CHECK(mutant_name(Mutant::kGrantWithoutLeaseCheck) == "grant-without-lease-check");
  CHECK(mutant_name(Mutant::kNone) == "none");
  CHECK_FALSE(mutant_by_name("figure8"));
}

}  // namespace
}  // namespace etcetera::lock::test
