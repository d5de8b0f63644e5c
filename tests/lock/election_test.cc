// Elections: candidates queue by create revision like mutex waiters; the
// oldest key leads, proclaims values with a guarded write, and hands over
// by resigning or by losing its lease. Observers see each leader in turn.
#include <catch2/catch.hpp>

#include "lock/election.h"
#include "tests/lock/answer.h"
#include "tests/lock/fake_port.h"

namespace etcetera::lock::test {
namespace {

using Elected = Answer<Election::Leadership>;
using Done = Answer<etcdserverpb::ResponseHeader>;

// Three candidates for "leader" (keys leader/1, leader/2, leader/3); the
// first has a 5-second lease, the others a minute.
struct Three {
  FakePort port;
  Election e1{port, "leader", port.grant(5, 1)}, e2{port, "leader", port.grant(60, 2)},
      e3{port, "leader", port.grant(60, 3)};
  Elected won1, won2, won3;

  void campaign() {
    REQUIRE(e1.campaign("node-1", won1.sink()));
    port.deliver();
    REQUIRE(e2.campaign("node-2", won2.sink()));
    port.deliver();
    REQUIRE(e3.campaign("node-3", won3.sink()));
    port.deliver();
  }
  std::string leader_value() {
    Answer<mvccpb::KeyValue> read;
    e3.leader(read.sink());
    port.deliver();
    return read.value().value();
  }
};

TEST_CASE("candidates win in campaign order, each waiting only for the one ahead of it",
          "[lock][election]") {
  Three t;
  t.campaign();
  CHECK(t.e1.is_leader());
  CHECK(t.won1.value().key == "leader/1");
  CHECK_FALSE(t.won2.answered());
  CHECK(t.e2.waiting_on()->key == "leader/1");
  CHECK(t.e3.waiting_on()->key == "leader/2");
  CHECK(t.port.watched_keys() == std::vector<std::string>{"leader/1", "leader/2"});
  CHECK(t.leader_value() == "node-1");
}

TEST_CASE("the leader proclaims a new value, and a candidate that does not lead cannot",
          "[lock][election]") {
  Three t;
  t.campaign();
  Done proclaimed, refused;
  REQUIRE(t.e1.proclaim("node-1 at epoch 2", proclaimed.sink()));
  t.port.deliver();
  proclaimed.value();
  CHECK(t.leader_value() == "node-1 at epoch 2");
  CHECK(code_of(t.e2.proclaim("node-2", refused.sink())) == Error::Code::kNotLeader);
  CHECK(t.leader_value() == "node-1 at epoch 2");
}

TEST_CASE("resign hands the leadership to the next candidate", "[lock][election]") {
  Three t;
  t.campaign();
  Done resigned;
  REQUIRE(t.e1.resign(resigned.sink()));
  t.port.deliver();
  resigned.value();
  CHECK_FALSE(t.e1.is_leader());
  CHECK(t.e2.is_leader());
  CHECK(t.won2.value().create_revision > t.won1.value().create_revision);
  CHECK(t.e3.waiting_on()->key == "leader/2");
  CHECK(t.leader_value() == "node-2");
}

TEST_CASE("a leader whose lease expired can no longer proclaim", "[lock][election]") {
  Three t;
  t.campaign();
  t.port.advance(5000);  // e1's lease runs out; e2 leads
  t.port.deliver();
  REQUIRE(t.e2.is_leader());
  REQUIRE(t.e1.is_leader());  // e1 has not heard

  Done late;
  REQUIRE(t.e1.proclaim("node-1 again", late.sink()));
  t.port.deliver();
  CHECK(late.error().code == Error::Code::kNotLeader);
  CHECK_FALSE(t.e1.is_leader());
  // The guarded put did not bring e1's key back.
  CHECK(t.port.create_revision("leader/1") == 0);
  CHECK(t.leader_value() == "node-2");
}

TEST_CASE("observe sees each leader and each value it proclaims, in order", "[lock][election]") {
  FakePort port;
  Election watcher{port, "leader", 0};
  std::vector<std::string> seen;
  watcher.observe(
      [&](const mvccpb::KeyValue& leader) { seen.push_back(leader.key() + "=" + leader.value()); });
  port.deliver();
  CHECK(seen.empty());                                                // nobody leads yet
  CHECK(port.open_watches().begin()->second.range_end == "leader0");  // the prefix

  Election e1{port, "leader", port.grant(60, 1)}, e2{port, "leader", port.grant(60, 2)},
      e3{port, "leader", port.grant(120, 3)};
  Elected w1, w2, w3;
  Done proclaimed, resigned;
  REQUIRE(e1.campaign("node-1", w1.sink()));
  REQUIRE(e2.campaign("node-2", w2.sink()));
  REQUIRE(e3.campaign("node-3", w3.sink()));
  port.deliver();
  REQUIRE(e1.proclaim("node-1b", proclaimed.sink()));
  port.deliver();
  REQUIRE(e1.resign(resigned.sink()));
  port.deliver();
  REQUIRE(e2.is_leader());
  port.advance(60000);  // e2's lease runs out: e3 leads
  port.deliver();
  REQUIRE(e3.is_leader());
  port.advance(60000);  // e3's too: nobody leads
  port.deliver();

  CHECK(seen == std::vector<std::string>{"leader/1=node-1", "leader/1=node-1b", "leader/2=node-2",
                                         "leader/3=node-3"});
  // After the last leader went, the observer waits for the next candidate.
  REQUIRE(port.open_watches().size() == 1);
  CHECK(port.open_watches().begin()->second.range_end == "leader0");
}

TEST_CASE("an observer whose watch is dropped reads again and does not repeat the leader",
          "[lock][election]") {
  Three t;
  t.campaign();
  Election watcher{t.port, "leader", 0};
  std::vector<std::string> seen;
  watcher.observe([&](const mvccpb::KeyValue& leader) { seen.push_back(leader.value()); });
  t.port.deliver();
  t.port.drop_watches();
  t.port.deliver();
  CHECK(seen == std::vector<std::string>{"node-1"});
  Done resigned;
  REQUIRE(t.e1.resign(resigned.sink()));
  t.port.deliver();
  CHECK(seen == std::vector<std::string>{"node-1", "node-2"});
}

TEST_CASE("reading the leader of an empty election, and resigning without leading, are refused",
          "[lock][election]") {
  FakePort port;
  Election e{port, "leader", port.grant(60, 1)};
  Answer<mvccpb::KeyValue> read;
  e.leader(read.sink());
  port.deliver();
  CHECK(read.error().code == Error::Code::kNoLeader);
  Done resigned;
  CHECK(code_of(e.resign(resigned.sink())) == Error::Code::kNotLeader);
  Elected won, again;
  REQUIRE(e.campaign("x", won.sink()));
  CHECK(code_of(e.campaign("x", again.sink())) == Error::Code::kBusy);
}

}  // namespace
}  // namespace etcetera::lock::test
