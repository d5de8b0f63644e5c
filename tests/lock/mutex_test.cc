// The mutex recipe, one story at a time: clients queue by create revision,
// each watches only the key just ahead of its own, and the lock passes down
// the queue when a holder unlocks, gives up, or loses its lease.
#include <catch2/catch.hpp>

#include "lock/mutex.h"
#include "tests/lock/answer.h"
#include "tests/lock/fake_port.h"

namespace etcetera::lock::test {
namespace {

using State = Mutex::State;
using Locked = Answer<Mutex::Locked>;
using Unlocked = Answer<etcdserverpb::ResponseHeader>;

// Three clients, each with its own lease (ids 1, 2, 3: keys jobs/1, jobs/2,
// jobs/3), on one port.
struct Three {
  FakePort port;
  kv::LeaseId la = port.grant(60, 1), lb = port.grant(60, 2), lc = port.grant(60, 3);
  Mutex a{port, "jobs", la}, b{port, "jobs", lb}, c{port, "jobs", lc};
  Locked got_a, got_b, got_c;

  // a takes the lock, then b and c queue behind it.
  void queue_up() {
    REQUIRE(a.lock(got_a.sink()));
    port.deliver();
    REQUIRE(a.held());
    REQUIRE(b.lock(got_b.sink()));
    port.deliver();
    REQUIRE(c.lock(got_c.sink()));
    port.deliver();
  }
};

TEST_CASE("three clients queue in create-revision order, each watching only the key ahead of it",
          "[lock][mutex]") {
  Three t;
  t.queue_up();

  CHECK(t.got_a.value().key == "jobs/1");
  CHECK(t.got_a.value().fencing_token == t.port.create_revision("jobs/1"));
  CHECK_FALSE(t.got_b.answered());
  CHECK_FALSE(t.got_c.answered());

  // b waits for a's key, c for b's: one watch per waiter, on one key each.
  REQUIRE(t.b.state() == State::kWaiting);
  REQUIRE(t.c.state() == State::kWaiting);
  CHECK(t.b.waiting_on()->key == "jobs/1");
  CHECK(t.b.waiting_on()->create_revision == t.port.create_revision("jobs/1"));
  CHECK(t.c.waiting_on()->key == "jobs/2");
  CHECK(t.port.watched_keys() == std::vector<std::string>{"jobs/1", "jobs/2"});
  for (const auto& [id, w] : t.port.open_watches())
    CHECK(w.range_end.empty());  // a key, not the prefix: no thundering herd
  CHECK(t.c.describe() == "jobs/3 (created at 4): waiting for jobs/2 (created at 3)");
}

TEST_CASE("unlock hands the lock to the next in line only, and the token grows with each holder",
          "[lock][mutex]") {
  Three t;
  t.queue_up();

  Unlocked unlocked_a;
  REQUIRE(t.a.unlock(unlocked_a.sink()));
  t.port.deliver();
  unlocked_a.value();
  CHECK(t.a.state() == State::kReleased);
  CHECK(t.port.create_revision("jobs/1") == 0);

  // b holds now; c was not woken: only b's watch saw a delete.
  REQUIRE(t.b.held());
  CHECK(t.c.state() == State::kWaiting);
  CHECK(t.c.waiting_on()->key == "jobs/2");
  REQUIRE(t.port.delivered_events().size() == 1);
  CHECK(t.port.delivered_events()[0].key == "jobs/1");
  CHECK(t.port.delivered_events()[0].type == mvccpb::Event::DELETE);

  Unlocked unlocked_b;
  REQUIRE(t.b.unlock(unlocked_b.sink()));
  t.port.deliver();
  REQUIRE(t.c.held());

  const auto token_a = t.got_a.value().fencing_token;
  const auto token_b = t.got_b.value().fencing_token;
  const auto token_c = t.got_c.value().fencing_token;
  CHECK(token_a < token_b);
  CHECK(token_b < token_c);
  CHECK(t.got_c.count == 1);

  Unlocked unlocked_c;
  REQUIRE(t.c.unlock(unlocked_c.sink()));
  t.port.deliver();
  CHECK(t.port.open_watches().empty());
  CHECK(t.port.create_revision("jobs/3") == 0);
}

TEST_CASE("the same lease locking again gets a new, larger fencing token", "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)};
  Locked first, second;
  Unlocked unlocked;
  REQUIRE(a.lock(first.sink()));
  port.deliver();
  REQUIRE(a.unlock(unlocked.sink()));
  port.deliver();
  REQUIRE(a.lock(second.sink()));
  port.deliver();
  CHECK(first.value().key == second.value().key);
  CHECK(first.value().fencing_token < second.value().fencing_token);
}

TEST_CASE(
    "a waiter in the middle gives up, and the one behind it checks again and waits for the holder",
    "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)}, b{port, "jobs", port.grant(60, 2)},
      c{port, "jobs", port.grant(60, 3)};
  Locked got_a, got_b, got_c;
  REQUIRE(a.lock(got_a.sink()));
  port.deliver();
  REQUIRE(b.try_lock(5, got_b.sink()));
  port.deliver();
  REQUIRE(c.lock(got_c.sink()));
  port.deliver();
  REQUIRE(c.waiting_on()->key == "jobs/2");

  for (int i = 0; i < 4; ++i)
    b.tick();
  port.deliver();
  CHECK(b.state() == State::kWaiting);  // four ticks of five: still patient
  b.tick();
  port.deliver();

  CHECK(b.state() == State::kGaveUp);
  CHECK(got_b.error().code == Error::Code::kTimedOut);
  CHECK(port.create_revision("jobs/2") == 0);
  // c saw b's key go, looked again, and found a still ahead: it waits for a.
  CHECK(c.state() == State::kWaiting);
  CHECK(c.waiting_on()->key == "jobs/1");
  CHECK(a.held());
  CHECK(port.watched_keys() == std::vector<std::string>{"jobs/1"});

  Unlocked unlocked;
  REQUIRE(a.unlock(unlocked.sink()));
  port.deliver();
  CHECK(c.held());
  CHECK(got_c.value().fencing_token > got_a.value().fencing_token);
}

TEST_CASE("try_lock that times out before its key is even in the queue leaves no key behind",
          "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)}, b{port, "jobs", port.grant(60, 2)};
  Locked got_a, got_b;
  REQUIRE(a.lock(got_a.sink()));
  port.deliver();
  REQUIRE(b.try_lock(1, got_b.sink()));
  b.tick();  // the put is still on its way: b deletes its key once it lands
  port.deliver();
  CHECK(got_b.error().code == Error::Code::kTimedOut);
  CHECK(port.create_revision("jobs/2") == 0);
  CHECK(port.open_watches().empty());
}

TEST_CASE("when the holder's lease expires the store deletes its key and the next waiter acquires",
          "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(5, 1)}, b{port, "jobs", port.grant(60, 2)};
  Locked got_a, got_b;
  REQUIRE(a.lock(got_a.sink()));
  port.deliver();
  REQUIRE(b.lock(got_b.sink()));
  port.deliver();
  REQUIRE(b.state() == State::kWaiting);

  port.advance(4999);
  port.deliver();
  CHECK(b.state() == State::kWaiting);
  port.advance(1);  // a's five seconds are up: the leader revokes its lease
  port.deliver();

  CHECK(port.create_revision("jobs/1") == 0);
  CHECK(b.held());
  CHECK(got_b.value().fencing_token > got_a.value().fencing_token);
  // a never heard: holding is a belief. Its unlock finds the key gone.
  CHECK(a.held());
  Unlocked unlocked;
  REQUIRE(a.unlock(unlocked.sink()));
  port.deliver();
  CHECK(unlocked.error().code == Error::Code::kSessionExpired);
  CHECK(b.held());  // a's late unlock did not touch b's key
}

TEST_CASE("a lock taken with a lease the store does not know is refused", "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", 42};
  Locked got;
  REQUIRE(a.lock(got.sink()));
  port.deliver();
  CHECK(a.state() == State::kFailed);
  CHECK(got.error().code == Error::Code::kLeaseNotFound);
  CHECK_THAT(got.error().message, Catch::Contains("requested lease not found"));
  CHECK(port.create_revision("jobs/2a") == 0);
}

TEST_CASE("locking twice is busy, and unlock without the lock is refused", "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)}, b{port, "jobs", port.grant(60, 2)};
  Locked got_a, got_b, again;
  Unlocked unlocked;
  CHECK(code_of(a.unlock(unlocked.sink())) == Error::Code::kNotHolder);
  REQUIRE(a.lock(got_a.sink()));
  CHECK(code_of(a.lock(again.sink())) == Error::Code::kBusy);
  port.deliver();
  CHECK(code_of(a.try_lock(3, again.sink())) == Error::Code::kBusy);
  REQUIRE(b.lock(got_b.sink()));
  port.deliver();
  CHECK(code_of(b.unlock(unlocked.sink())) == Error::Code::kNotHolder);
  CHECK(code_of(b.try_lock(0, again.sink())) == Error::Code::kBusy);
  CHECK_FALSE(again.answered());
  CHECK_FALSE(unlocked.answered());
}

TEST_CASE("a waiter whose watch is dropped looks again and watches the same key again",
          "[lock][mutex]") {
  Three t;
  t.queue_up();
  t.port.drop_watches();
  t.port.deliver();
  CHECK(t.b.waiting_on()->key == "jobs/1");
  CHECK(t.c.waiting_on()->key == "jobs/2");
  CHECK(t.port.watched_keys() == std::vector<std::string>{"jobs/1", "jobs/2"});
  Unlocked unlocked;
  REQUIRE(t.a.unlock(unlocked.sink()));
  t.port.deliver();
  CHECK(t.b.held());
}

TEST_CASE("a waiter destroyed before its turn takes its key out of the queue", "[lock][mutex]") {
  FakePort port;
  Mutex a{port, "jobs", port.grant(60, 1)};
  Mutex c{port, "jobs", port.grant(60, 3)};
  Locked got_a, got_b, got_c;
  REQUIRE(a.lock(got_a.sink()));
  port.deliver();
  {
    Mutex b{port, "jobs", port.grant(60, 2)};
    REQUIRE(b.lock(got_b.sink()));
    port.deliver();
    REQUIRE(c.lock(got_c.sink()));
    port.deliver();
    REQUIRE(c.waiting_on()->key == "jobs/2");
  }
  port.deliver();
  CHECK(port.create_revision("jobs/2") == 0);
  CHECK(c.waiting_on()->key == "jobs/1");
  CHECK_FALSE(got_b.answered());
}

TEST_CASE("a mutex destroyed with an answer on its way is never called back", "[lock][mutex]") {
  FakePort port;
  Locked got;
  {
    Mutex a{port, "jobs", port.grant(60, 1)};
    REQUIRE(a.lock(got.sink()));
  }
  port.deliver();  // the put lands; its answer finds nobody
  CHECK_FALSE(got.answered());
  CHECK(port.create_revision("jobs/1") > 0);  // the key stays until its lease ends
}

}  // namespace
}  // namespace etcetera::lock::test
