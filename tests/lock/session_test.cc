// Sessions: a lease granted once and kept alive by ticks, that says so when
// it finds the lease gone.
#include <catch2/catch.hpp>

#include "lock/mutex.h"
#include "lock/session.h"
#include "tests/lock/answer.h"
#include "tests/lock/fake_port.h"

namespace etcetera::lock::test {
namespace {

using State = Session::State;

// One tick of 100 ms: the port's clock moves, the session ticks, the port
// delivers.
void tick(FakePort& port, Session& session, int ticks = 1) {
  for (int i = 0; i < ticks; ++i) {
    port.advance(100);
    session.tick();
    port.deliver();
  }
}

TEST_CASE("a session grants a lease and keeps it alive every third of its TTL", "[lock][session]") {
  FakePort port;
  Session session(port, {.ttl = 3, .ticks_per_second = 10});
  Answer<kv::LeaseId> granted;
  REQUIRE(session.open(granted.sink()));
  CHECK(session.state() == State::kGranting);
  port.deliver();
  REQUIRE(session.state() == State::kAlive);
  CHECK(session.lease() == granted.value());
  CHECK(session.ttl() == 3);
  CHECK(session.keep_alive_interval() == 10);

  tick(port, session, 9);
  CHECK(port.keep_alives() == 0);
  tick(port, session);
  CHECK(port.keep_alives() == 1);

  // Twenty seconds, over six times the TTL: the lease lives on.
  tick(port, session, 190);
  CHECK(port.keep_alives() == 20);
  CHECK(port.store().lessor().contains(session.lease()));
  CHECK(session.state() == State::kAlive);
}

TEST_CASE(
    "a session that stops ticking loses its lease and its locks, and says so at the next "
    "keep-alive",
    "[lock][session]") {
  FakePort port;
  Session session(port, {.ttl = 3, .ticks_per_second = 10});
  Answer<kv::LeaseId> granted;
  REQUIRE(session.open(granted.sink()));
  port.deliver();
  Mutex mutex(port, "jobs", session.lease());
  Answer<Mutex::Locked> locked;
  REQUIRE(mutex.lock(locked.sink()));
  port.deliver();
  REQUIRE(mutex.held());

  std::optional<Error> lost;
  session.on_lost([&](const Error& e) { lost = e; });
  port.advance(3000);  // a long pause: no ticks, no keep-alives
  port.deliver();
  CHECK_FALSE(port.store().lessor().contains(session.lease()));
  CHECK(port.create_revision(mutex.key()) == 0);
  CHECK(session.state() == State::kAlive);  // it does not know yet
  CHECK_FALSE(lost);

  tick(port, session, 10);
  CHECK(session.state() == State::kLost);
  REQUIRE(lost);
  CHECK(lost->code == Error::Code::kSessionExpired);
  tick(port, session, 30);  // no keep-alives for a lost lease
  CHECK(port.keep_alives() == 1);
}

TEST_CASE("closing a session revokes its lease, which releases its locks", "[lock][session]") {
  FakePort port;
  Session holder(port, {.ttl = 60, .ticks_per_second = 10});
  Session waiter(port, {.ttl = 60, .ticks_per_second = 10});
  Answer<kv::LeaseId> g1, g2;
  REQUIRE(holder.open(g1.sink()));
  REQUIRE(waiter.open(g2.sink()));
  port.deliver();
  Mutex a(port, "jobs", holder.lease()), b(port, "jobs", waiter.lease());
  Answer<Mutex::Locked> got_a, got_b;
  REQUIRE(a.lock(got_a.sink()));
  port.deliver();
  REQUIRE(b.lock(got_b.sink()));
  port.deliver();

  Answer<void> closed;
  REQUIRE(holder.close(closed.sink()));
  port.deliver();
  REQUIRE(closed.got.has_value());
  CHECK(closed.got->has_value());
  CHECK(holder.state() == State::kClosed);
  CHECK(b.held());
}

TEST_CASE("a session is opened once and closed only while alive", "[lock][session]") {
  FakePort port;
  Session session(port);
  Answer<kv::LeaseId> granted, again;
  Answer<void> closed;
  CHECK(code_of(session.close(closed.sink())) == Error::Code::kInvalidArgument);
  REQUIRE(session.open(granted.sink()));
  CHECK(code_of(session.open(again.sink())) == Error::Code::kBusy);
  port.deliver();
  CHECK(session.ttl() == 60);
  CHECK(session.keep_alive_interval() == 200);
  CHECK_FALSE(again.answered());
}

}  // namespace
}  // namespace etcetera::lock::test
