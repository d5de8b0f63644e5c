// A write applies at most once (kv/applied_requests.h, kv/proposer.h): the
// state machine applies a copy of a request as nothing and answers with the
// first result; a copy that comes after its proposer moved on is refused;
// the memory travels in snapshots; and a proposer sends the same id again
// after a leader change, and tells its client "no leader" only when no copy
// can be in a log.
#include <catch2/catch.hpp>

#include "kv/proposer.h"
#include "kv/state_machine.h"

namespace etcetera::kv {
namespace {

constexpr std::uint64_t kMember = 7;

pb::Request put(std::uint64_t id, const std::string& key, const std::string& value,
                std::uint64_t settled_below = 0) {
  pb::Request r;
  r.set_proposer(kMember);
  r.set_id(id);
  r.set_settled_below(settled_below);
  r.mutable_put()->set_key(key);
  r.mutable_put()->set_value(value);
  return r;
}

raft::pb::Entry entry(std::uint64_t index, const pb::Request& r) {
  raft::pb::Entry e;
  e.set_index(index);
  e.set_term(1);
  e.set_data(encode(r));
  return e;
}

std::string value_of(const StateMachine& sm, const std::string& key) {
  etcdserverpb::RangeRequest get;
  get.set_key(key);
  auto got = sm.store().range(get);
  REQUIRE(got.has_value());
  return got->kvs_size() == 0 ? "(none)" : got->kvs(0).value();
}

TEST_CASE("a copy of an applied request changes nothing and answers the first result",
          "[kv][at-most-once]") {
  StateMachine sm;
  auto first = sm.apply(entry(1, put(5, "k", "a")));
  REQUIRE(first.has_value());
  CHECK_FALSE(first->duplicate());
  CHECK(first->put().header().revision() == 2);
  (void)sm.apply(entry(2, put(6, "k", "b")));  // another request in between

  auto copy = sm.apply(entry(3, put(5, "k", "a")));
  REQUIRE(copy.has_value());
  CHECK(copy->duplicate());
  CHECK(copy->proposer() == kMember);
  CHECK(copy->id() == 5);
  CHECK(copy->put().header().revision() == 2);  // the first application's answer
  CHECK(sm.store().revision() == 3);            // and no new revision
  CHECK(value_of(sm, "k") == "b");              // the copy did not write a again
}

TEST_CASE("a copy that arrives after its proposer moved past it is refused", "[kv][at-most-once]") {
  StateMachine sm;
  // Request 5 is sent, then given up by its proposer (its client told
  // "timed out"); request 8 carries the floor 8 past it.
  (void)sm.apply(entry(1, put(8, "k", "later", 8)));
  auto late = sm.apply(entry(2, put(5, "k", "stale")));
  REQUIRE(late.has_value());
  CHECK(late->duplicate());
  REQUIRE(late->has_error());
  CHECK(late->error().code() == static_cast<int>(Error::Code::kSettled));
  CHECK(value_of(sm, "k") == "later");
}

TEST_CASE("results below the floor are forgotten, those above are kept", "[kv][at-most-once]") {
  StateMachine sm;
  (void)sm.apply(entry(1, put(3, "a", "1")));
  (void)sm.apply(entry(2, put(4, "b", "2")));
  CHECK(sm.applied_requests().size() == 2);
  (void)sm.apply(entry(3, put(5, "c", "3", 4)));  // 3 is settled; 4 and 5 are not
  CHECK(sm.applied_requests().find(kMember, 3) == nullptr);
  CHECK(sm.applied_requests().find(kMember, 4) != nullptr);
  CHECK(sm.applied_requests().settled_below(kMember) == 4);
  // A request never settles itself, whatever floor it claims.
  (void)sm.apply(entry(4, put(9, "d", "4", 100)));
  CHECK(sm.applied_requests().settled_below(kMember) == 9);
}

TEST_CASE("what was applied travels in the snapshot", "[kv][at-most-once]") {
  StateMachine sm;
  (void)sm.apply(entry(1, put(5, "k", "a", 2)));
  StateMachine restored;
  REQUIRE(restored.restore(sm.snapshot()).has_value());
  CHECK(restored.applied_requests().settled_below(kMember) == 2);
  auto copy = restored.apply(entry(2, put(5, "k", "a")));
  REQUIRE(copy.has_value());
  CHECK(copy->duplicate());
  CHECK(restored.store().revision() == 2);
  CHECK(restored.snapshot() == [&] {
    (void)sm.apply(entry(2, put(5, "k", "a")));
    return sm.snapshot();
  }());
}

TEST_CASE("a lease grant sent twice grants one lease, and both copies name it",
          "[kv][at-most-once]") {
  StateMachine sm;
  pb::Request grant;
  grant.set_proposer(kMember);
  grant.set_id(11);
  grant.mutable_lease_grant()->set_ttl(30);
  auto first = sm.apply(entry(1, grant));
  auto copy = sm.apply(entry(2, grant));
  REQUIRE(first.has_value());
  REQUIRE(copy.has_value());
  CHECK(copy->duplicate());
  CHECK(copy->lease_grant().id() == first->lease_grant().id());
  CHECK(sm.store().lessor().leases().size() == 1);
}

TEST_CASE("requests nobody waits on apply as they come", "[kv][at-most-once]") {
  StateMachine sm;
  pb::Request r = put(0, "k", "x");
  r.set_proposer(0);
  (void)sm.apply(entry(1, r));
  auto again = sm.apply(entry(2, r));
  REQUIRE(again.has_value());
  CHECK_FALSE(again->duplicate());
  CHECK(sm.store().revision() == 3);
}

Proposer proposer() {
  return Proposer(kMember, 100, Proposer::Options{/*resend_after=*/10});
}

TEST_CASE("a proposer sends a request again, with the same id, once its leader is deposed",
          "[kv][at-most-once]") {
  Proposer p = proposer();
  const auto id = p.add(put(0, "k", "a"), /*deadline=*/50);
  auto sent = p.take_due(/*term=*/2, /*now=*/0);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].id() == id);
  CHECK(sent[0].proposer() == kMember);
  p.accepted(id, 2);
  CHECK(p.take_due(2, 1).empty());  // the leader of term 2 has it
  auto again = p.take_due(3, 2);    // a new term: that leader may be gone
  REQUIRE(again.size() == 1);
  CHECK(again[0].id() == id);
  CHECK(p.resends() == 1);
}

TEST_CASE("a proposer waits for an answer, then takes silence as a loss", "[kv][at-most-once]") {
  Proposer p = proposer();
  const auto id = p.add(put(0, "k", "a"), 50);
  REQUIRE(p.take_due(2, 0).size() == 1);
  CHECK(p.take_due(2, 9).empty());
  CHECK(p.take_due(2, 10).size() == 1);
  p.refused(id);
  p.refused(id);
  // Given up: one attempt went unanswered, so a copy may be in a log.
  auto given_up = p.expire(50);
  REQUIRE(given_up.size() == 1);
  CHECK(given_up[0].maybe_applied);
}

TEST_CASE("a proposer says a request cannot have applied only when no copy can be in a log",
          "[kv][at-most-once]") {
  Proposer p = proposer();
  const auto refused = p.add(put(0, "k", "a"), 50);
  const auto lost = p.add(put(0, "k", "b"), 50);
  const auto never_sent = p.add(put(0, "k", "c"), 50);
  const auto in_flight = p.add(put(0, "k", "d"), 50);
  for (const auto& r : p.take_due(2, 0)) {
    if (r.id() == refused) p.refused(r.id());
    if (r.id() == lost) p.lost(r.id());
  }
  (void)never_sent;
  auto all = p.give_up_all();
  std::map<Proposer::Id, bool> maybe;
  for (const auto& g : all)
    maybe[g.id] = g.maybe_applied;
  CHECK_FALSE(maybe.at(refused));
  CHECK(maybe.at(lost));
  CHECK(maybe.at(in_flight));
}

TEST_CASE("a proposer's floor trails its oldest outstanding request", "[kv][at-most-once]") {
  Proposer p = proposer();
  const auto a = p.add(put(0, "k", "a"), 50);
  const auto b = p.add(put(0, "k", "b"), 50);
  CHECK(p.settled_below() == a);
  pb::Response done;
  done.set_proposer(kMember);
  done.set_id(a);
  CHECK(p.settle(done) == a);
  CHECK(p.settled_below() == b);
  auto sent = p.take_due(2, 0);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].settled_below() == b);
  done.set_id(b);
  CHECK(p.settle(done) == b);
  CHECK(p.settled_below() == b + 1);
  CHECK_FALSE(p.settle(done).has_value());  // settled once
}

TEST_CASE("a proposer finds in a snapshot the requests whose entries it skipped",
          "[kv][at-most-once]") {
  Proposer p = proposer();
  const auto id = p.add(put(0, "k", "a"), 50);
  auto sent = p.take_due(2, 0);
  StateMachine elsewhere;
  (void)elsewhere.apply(entry(1, sent.at(0)));
  StateMachine here;
  REQUIRE(here.restore(elsewhere.snapshot()).has_value());
  auto settled = p.settle_from(here.applied_requests());
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].first == id);
  CHECK(settled[0].second.put().header().revision() == 2);
  CHECK(p.outstanding() == 0);
}

TEST_CASE("the repropose-as-new mutant gives a resent request a new id", "[kv][at-most-once]") {
  Proposer p(kMember, 100, Proposer::Options{10, Mutant::kReproposeAsNew});
  const auto id = p.add(put(0, "k", "a"), 50);
  p.lost(p.take_due(2, 0).at(0).id());
  auto again = p.take_due(2, 1);
  REQUIRE(again.size() == 1);
  CHECK(again[0].id() != id);
  // Both copies apply: the state machine cannot tell them apart.
  StateMachine sm;
  (void)sm.apply(entry(1, put(id, "k", "a")));
  auto second = sm.apply(entry(2, again[0]));
  CHECK_FALSE(second->duplicate());
  CHECK(sm.store().revision() == 3);
  // The proposer answers its client from whichever applies first.
  CHECK(p.settle(*second) == id);
}

}  // namespace
}  // namespace etcetera::kv
