// The node-level refusals of snapshots, membership changes and leadership
// transfer: each is an Error with a reason, and the node goes on working.
#include <catch2/catch.hpp>

#include "raft/node.h"
#include "sim/cluster.h"

namespace {

using etcetera::raft::Error;
namespace pb = etcetera::raft::pb;

// A three-node cluster with node 1 leading and a few entries committed.
etcetera::sim::Cluster led_by_1() {
  etcetera::sim::Cluster c({}, nullptr);
  c.node(1).campaign();
  c.stabilize();
  for (const char* v : {"a", "b"}) {
    REQUIRE(c.node(1).propose(v));
    c.stabilize();
  }
  return c;
}

pb::ConfChange add_voter(std::uint64_t id) {
  pb::ConfChange cc;
  auto* s = cc.add_changes();
  s->set_type(pb::ADD_VOTER);
  s->set_node(id);
  return cc;
}

}  // namespace

TEST_CASE("a second membership change waits until the first is applied") {
  auto c = led_by_1();
  REQUIRE(c.add_node(4, 1));
  REQUIRE(c.node(1).propose_conf_change(add_voter(4)));
  auto second = c.node(1).propose_conf_change(add_voter(5));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Error::Code::kConfChangeInProgress);
  c.stabilize();  // applied, and the joint configuration left by the leader
  CHECK(c.node(1).configuration().describe() == "voters=(1 2 3 4)");
  CHECK(c.node(4).configuration().describe() == "voters=(1 2 3 4)");
}

TEST_CASE("removing the last voter is refused") {
  etcetera::sim::ClusterOptions one;
  one.nodes = 1;
  etcetera::sim::Cluster c(one, nullptr);
  c.node(1).campaign();
  c.stabilize();
  pb::ConfChange cc;
  auto* s = cc.add_changes();
  s->set_type(pb::REMOVE_NODE);
  s->set_node(1);
  auto r = c.node(1).propose_conf_change(cc);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "the change would leave no voter: removing the last voter is refused");
}

TEST_CASE("leadership goes only to a voter that is a member") {
  auto c = led_by_1();
  CHECK(c.node(1).transfer_leadership(9).error().message == "node 9 is not a member");
  CHECK(c.node(1).transfer_leadership(1).error().message == "node 1 already leads");
  REQUIRE(c.add_node(4, 1));
  pb::ConfChange cc;
  auto* s = cc.add_changes();
  s->set_type(pb::ADD_LEARNER);
  s->set_node(4);
  REQUIRE(c.node(1).propose_conf_change(cc));
  c.stabilize();
  CHECK(c.node(1).transfer_leadership(4).error().message == "node 4 is a learner and cannot lead");
  REQUIRE(c.node(1).transfer_leadership(2));
  CHECK(c.node(1).propose("x").error().code == Error::Code::kTransferInProgress);
  c.stabilize();
  CHECK(c.leader() == 2u);
}

TEST_CASE("a transfer whose target never answers is abandoned after an election timeout") {
  auto c = led_by_1();
  c.isolate(3);
  c.stabilize();
  REQUIRE(c.node(1).propose("behind"));  // node 3 misses it, so it is not up to date
  c.stabilize();
  REQUIRE(c.node(1).transfer_leadership(3));
  for (int t = 0; t < 10; ++t) {
    c.node(1).tick();
    c.stabilize();
  }
  CHECK(c.node(1).lead_transferee() == 0);
  CHECK(c.node(1).propose("y"));  // proposals flow again
}

TEST_CASE("a snapshot not newer than the commit index is refused, and acknowledged as such") {
  auto c = led_by_1();
  REQUIRE(c.compact(1));
  pb::Message m;
  m.set_type(pb::INSTALL_SNAPSHOT_REQUEST);
  m.set_from(1);
  m.set_to(2);
  m.set_term(c.node(1).term());
  *m.mutable_snapshot() = c.storage(1).snapshot();
  m.mutable_snapshot()->mutable_metadata()->set_index(2);
  REQUIRE(c.node(2).step(m));
  auto rd = c.process_ready(2);
  REQUIRE(rd);
  REQUIRE(rd->persisted_messages.size() == 1);
  CHECK(rd->persisted_messages[0].index() ==
        c.node(2).log().committed());  // "I am further than that"
  CHECK_FALSE(rd->snapshot.has_value());
}

TEST_CASE("a snapshot cannot be taken beyond what was applied") {
  auto c = led_by_1();
  auto r = c.compact(2, 99);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "cannot snapshot index 99: node 2 has applied only through 3");
}
