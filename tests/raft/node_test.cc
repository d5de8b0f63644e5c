// The Node's public contract: configuration errors, the Ready protocol,
// errors as values, and determinism.
#include <catch2/catch.hpp>

#include "raft/memory_storage.h"
#include "raft/node.h"
#include "raft/trace.h"
#include "sim/cluster.h"

namespace {

using etcetera::raft::Config;
using etcetera::raft::Error;
using etcetera::raft::MemoryStorage;
using etcetera::raft::Node;
namespace pb = etcetera::raft::pb;

Config single(std::uint64_t id = 1) {
  Config c;
  c.id = id;
  c.voters = {id};
  return c;
}

// Runs a 3-node cluster from a seed and returns its whole trace as JSON lines.
std::string traced_run(std::uint64_t seed) {
  etcetera::raft::TraceBuffer trace;
  etcetera::sim::ClusterOptions o;
  o.seed = seed;
  etcetera::sim::Cluster c(o, &trace);
  for (int t = 0; t < 60; ++t) {
    c.tick_all();
    c.stabilize();
    if (auto l = c.leader(); l && t % 7 == 0) (void)c.node(*l).propose("t" + std::to_string(t));
  }
  std::string out;
  for (const auto& e : trace.events())
    out += etcetera::raft::to_json_line(e) + "\n";
  return out;
}

}  // namespace

TEST_CASE("a bad Config is an error that says what is wrong") {
  MemoryStorage storage;
  Config c = single();
  c.voters = {2, 3};
  auto node = Node::create(c, storage);
  REQUIRE_FALSE(node);
  CHECK(node.error().code == Error::Code::kInvalidConfig);
  CHECK(node.error().message ==
        "node 1 is not among the voters it was given (set joining for a node that joins a "
        "running cluster)");

  c = single();
  c.election_tick = 1;
  CHECK(Node::create(c, storage).error().message ==
        "election_tick (1) must be greater than heartbeat_tick (1)");
  c = single();
  c.id = 0;
  CHECK_FALSE(Node::create(c, storage));
  c = single();
  c.election_spread = -1;
  CHECK(Node::create(c, storage).error().message == "election_spread (-1) must be 0 or more ticks");
}

TEST_CASE("each election timeout is drawn from election_tick up to election_tick + spread") {
  MemoryStorage storage;
  auto timeouts = [&](std::optional<int> spread) {
    std::set<int> seen;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
      Config c = single();
      c.seed = seed;
      c.election_spread = spread;
      seen.insert(Node::create(c, storage)->randomized_election_timeout());
    }
    return seen;
  };
  CHECK(timeouts(std::nullopt) == std::set<int>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
  CHECK(timeouts(0) == std::set<int>{10});
  CHECK(timeouts(3) == std::set<int>{10, 11, 12});
}

TEST_CASE("a single node elects itself and commits only what it has persisted") {
  MemoryStorage storage;
  auto node = Node::create(single(), storage);
  REQUIRE(node);
  node->campaign();
  CHECK(node->role() == pb::LEADER);
  auto index = node->propose("x");
  REQUIRE(index);
  CHECK(*index == 2);                   // after the leader's no-op
  CHECK(node->log().committed() == 0);  // nothing is on disk yet

  auto rd = node->ready();
  CHECK(rd.entries.size() == 2);
  CHECK(rd.committed_entries.empty());
  storage.append(rd.entries);
  storage.set_hard_state(*rd.hard_state);
  REQUIRE(node->advance(rd.number));
  CHECK(node->log().committed() == 2);  // persisted: the leader counts itself now

  auto next = node->ready();
  REQUIRE(next.committed_entries.size() == 2);
  CHECK(next.committed_entries[1].data() == "x");
}

TEST_CASE("advance must name the outstanding Ready") {
  MemoryStorage storage;
  auto node = Node::create(single(), storage);
  REQUIRE(node);
  node->campaign();
  CHECK_FALSE(node->has_ready() == false);
  auto rd = node->ready();
  CHECK_FALSE(node->has_ready());  // one at a time
  auto wrong = node->advance(rd.number + 1);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == Error::Code::kReadyMismatch);
  CHECK(node->advance(rd.number));
  CHECK(node->advance(rd.number).error().message == "no Ready is outstanding");
}

TEST_CASE("a follower refuses proposals and names the leader it knows") {
  etcetera::sim::Cluster c({}, nullptr);
  c.node(1).campaign();
  c.stabilize();
  REQUIRE(c.leader() == 1u);
  auto refused = c.node(2).propose("x");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Error::Code::kNotLeader);
  CHECK(refused.error().leader_hint == 1);
  CHECK(refused.error().message == "node 2 is not the leader; the leader is node 1");
}

TEST_CASE("votes and append acknowledgements wait for persistence; leader appends do not") {
  etcetera::sim::Cluster c({}, nullptr);
  c.node(1).campaign();
  c.stabilize();
  REQUIRE(c.node(1).propose("x"));
  auto leader_rd = c.process_ready(1);
  REQUIRE(leader_rd);
  CHECK(leader_rd->persisted_messages.empty());
  REQUIRE(leader_rd->messages.size() == 2);
  CHECK(leader_rd->messages[0].type() == pb::APPEND_ENTRIES_REQUEST);
  c.deliver(c.take([](const pb::Message& m) { return m.to() == 2; }).front());
  auto follower_rd = c.process_ready(2);
  REQUIRE(follower_rd);
  CHECK(follower_rd->messages.empty());
  REQUIRE(follower_rd->persisted_messages.size() == 1);
  CHECK(follower_rd->persisted_messages[0].type() == pb::APPEND_ENTRIES_RESPONSE);
}

TEST_CASE("while a Ready is written, heartbeats and appends can be taken; acknowledgements wait") {
  etcetera::sim::Cluster c({}, nullptr);
  c.node(1).campaign();
  c.stabilize();
  REQUIRE(c.node(1).propose("x"));
  // The leader's disk is slow: its Ready stays outstanding.
  auto writing = c.node(1).ready();
  REQUIRE(writing.entries.size() == 1);
  CHECK(c.node(1).take_messages().empty());  // the Ready took the appends already
  REQUIRE(c.node(1).propose("y"));
  c.tick(1);  // a heartbeat is due
  CHECK_FALSE(c.node(1).has_ready());
  auto early = c.node(1).take_messages();
  int heartbeats = 0;
  for (const auto& m : early) {
    heartbeats += m.type() == pb::HEARTBEAT_REQUEST;
    // "y" may go to the followers before the leader has it on disk (thesis 10.2.1).
    CHECK((m.type() == pb::HEARTBEAT_REQUEST || m.type() == pb::APPEND_ENTRIES_REQUEST));
  }
  CHECK(heartbeats == 2);
  CHECK(c.node(1).take_messages().empty());

  // A follower's acknowledgement of an append promises the disk: it stays.
  for (auto& m : writing.messages)
    if (m.to() == 2) c.deliver(m);
  for (auto& m : early)
    if (m.to() == 2) c.deliver(m);
  auto follower = c.node(2).ready();
  for (const auto& m : c.node(2).take_messages())
    CHECK(m.type() != pb::APPEND_ENTRIES_RESPONSE);
  CHECK_FALSE(follower.persisted_messages.empty());
  REQUIRE(c.node(1).advance(writing.number));
  CHECK(c.node(1).has_ready());
}

TEST_CASE("the same seed gives the same trace, byte for byte; another seed does not") {
  const std::string a = traced_run(42);
  CHECK(a == traced_run(42));
  CHECK(a != traced_run(43));
  CHECK(a.size() > 1000);
}

TEST_CASE("trace events are JSON lines with numbers as numbers and names for enums") {
  pb::Event e;
  e.set_node(3);
  e.set_action("HandleRequestVoteRequest");
  e.mutable_state()->set_role(pb::CANDIDATE);
  e.mutable_state()->set_term(7);
  auto* m = e.mutable_message_received()->mutable_message();
  m->set_type(pb::APPEND_ENTRIES_REQUEST);
  m->set_context("a\"b");
  m->add_entries()->set_data("x1");
  CHECK(
      etcetera::raft::to_json_line(e) ==
      R"({"node":3,"action":"HandleRequestVoteRequest","state":{"role":"CANDIDATE","term":7},)"
      R"("message_received":{"message":{"type":"APPEND_ENTRIES_REQUEST","entries":[{"data":"eDE="}],)"
      R"("context":"YSJi"}}})");
}

TEST_CASE("undecodable bytes are refused with a reason, never a crash") {
  MemoryStorage storage;
  etcetera::raft::TraceBuffer trace;
  Config c = single();
  c.trace = &trace;
  auto node = Node::create(c, storage);
  REQUIRE(node);
  auto r = node->step_encoded("\xff\xff\xff");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Error::Code::kInvalidMessage);
  REQUIRE(trace.events().back().has_input_refused());
  CHECK(trace.events().back().input_refused().reason() ==
        "a payload of 3 bytes does not decode as a raft message");
}

TEST_CASE("trace strings that are not UTF-8 are escaped so every line stays JSON") {
  pb::Event e;
  e.set_action("caf\xc3\xa9");  // valid UTF-8 passes through
  CHECK(etcetera::raft::to_json_line(e) == "{\"action\":\"caf\xc3\xa9\"}");
  e.set_action("a\xff");
  CHECK(etcetera::raft::to_json_line(e) == R"({"action":"a\u00ff"})");
}

TEST_CASE("a forged answer about an index past the leader's log is refused, not fatal") {
  etcetera::sim::Cluster c({}, nullptr);
  c.node(1).campaign();
  c.stabilize();
  pb::Message m;
  m.set_type(pb::APPEND_ENTRIES_RESPONSE);
  m.set_from(2);
  m.set_to(1);
  m.set_term(c.node(1).term());
  m.set_reject(true);
  m.set_index(1000);
  m.set_conflict_index(2000);
  CHECK(c.node(1).step(m));
  c.node(1).tick();
  c.stabilize();
  CHECK(c.node(1).role() == pb::LEADER);
}
