// Each invariant checker must hold on a healthy history and catch the
// violation it exists for: a checker that cannot fail checks nothing.
#include <catch2/catch.hpp>

#include "spec/raft_invariants.h"

namespace {

using etcetera::raft::pb::Event;
using etcetera::raft::pb::Role;
using etcetera::spec::ClusterView;
namespace pb = etcetera::raft::pb;

struct State {
  Role role = pb::FOLLOWER;
  std::uint64_t term = 0, vote = 0, commit = 0;
};

Event event(std::uint64_t node, State s) {
  Event e;
  e.set_node(node);
  e.mutable_state()->set_role(s.role);
  e.mutable_state()->set_term(s.term);
  e.mutable_state()->set_vote(s.vote);
  e.mutable_state()->set_commit(s.commit);
  return e;
}

// The node's log becomes exactly these terms.
void set_log(ClusterView& v, std::uint64_t node, State s, std::vector<std::uint64_t> terms) {
  Event e = event(node, s);
  auto* a = e.mutable_entries_appended();
  a->set_first_index(1);
  for (auto t : terms)
    a->add_terms(t);
  v.apply(e);
}

void receive(ClusterView& v, std::uint64_t node, State s, pb::MessageType type, std::uint64_t from,
             std::uint64_t index, bool reject = false) {
  Event e = event(node, s);
  auto* m = e.mutable_message_received()->mutable_message();
  m->set_type(type);
  m->set_from(from);
  m->set_to(node);
  m->set_term(s.term);
  m->set_index(index);
  m->set_reject(reject);
  v.apply(e);
}

const State leader2{pb::LEADER, 2, 1, 0};

pb::ConfState voters(std::vector<std::uint64_t> incoming,
                     std::vector<std::uint64_t> outgoing = {}) {
  pb::ConfState cs;
  for (auto id : incoming)
    cs.add_voters(id);
  for (auto id : outgoing)
    cs.add_voters_outgoing(id);
  return cs;
}

// The node starts with voters (1 2 3), its persisted log holding entries
// first_index.. with these terms, the ones in `conf` membership changes.
void start(ClusterView& v, std::uint64_t node, State s, std::vector<std::uint64_t> terms,
           std::uint64_t first_index = 1, std::vector<std::uint64_t> conf = {}) {
  Event e = event(node, s);
  auto* st = e.mutable_started();
  st->set_first_index(first_index);
  for (auto t : terms)
    st->add_terms(t);
  for (auto k : conf)
    st->add_conf_indexes(k);
  *st->mutable_conf_state() = voters({1, 2, 3});
  v.apply(e);
}

// Membership entry `index` applied: with a change it enters `to`, without
// one it leaves the joint configuration for `to`.
void apply_conf(ClusterView& v, std::uint64_t node, State s, std::uint64_t index, bool enter,
                pb::ConfState to) {
  Event e = event(node, s);
  auto* c = e.mutable_conf_changed();
  c->set_index(index);
  if (enter) c->mutable_change()->add_changes()->set_node(4);
  *c->mutable_conf_state() = to;
  v.apply(e);
}

ClusterView healthy() {
  ClusterView v;
  set_log(v, 1, {pb::LEADER, 2, 1, 3}, {1, 2, 2});
  set_log(v, 2, {pb::FOLLOWER, 2, 1, 3}, {1, 2, 2});
  set_log(v, 3, {pb::FOLLOWER, 2, 1, 1}, {1});
  return v;
}

}  // namespace

TEST_CASE("every state invariant holds on a healthy cluster") {
  // A state built by hand, not reached by steps: the step check ("Next",
  // tests/spec/raft_steps_test.cc) does not apply to it.
  const ClusterView v = healthy();
  for (const auto& inv : etcetera::spec::raft_invariants()) {
    if (std::string(inv.name) == "Next") continue;
    INFO(inv.name);
    CHECK_FALSE(inv.check(v).has_value());
  }
}

TEST_CASE("ElectionSafetyInv catches two leaders of one term, even at different times") {
  ClusterView v = healthy();
  set_log(v, 1, {pb::FOLLOWER, 2, 1, 3}, {1, 2, 2});
  set_log(v, 3, {pb::LEADER, 2, 3, 1}, {1, 2});
  auto why = etcetera::spec::check_election_safety_inv(v);
  REQUIRE(why);
  CHECK(*why == "nodes 1 and 3 both led term 2");
}

TEST_CASE("LogMatchingInv catches logs that agree on an entry but differ before it") {
  ClusterView v;
  set_log(v, 1, {}, {1, 1, 3});
  set_log(v, 2, {}, {1, 2, 3});
  CHECK(etcetera::spec::check_log_matching_inv(v));
  set_log(v, 2, {}, {1, 1, 2});  // differs only at the end: allowed
  CHECK_FALSE(etcetera::spec::check_log_matching_inv(v));
}

TEST_CASE("LeaderCompletenessInv catches a leader missing a committed entry") {
  ClusterView v;
  set_log(v, 1, {pb::FOLLOWER, 1, 0, 2}, {1, 1});
  set_log(v, 2, {pb::LEADER, 2, 2, 0}, {1, 2});
  auto why = etcetera::spec::check_leader_completeness_inv(v);
  REQUIRE(why);
  CHECK(*why == "leader 2 of term 2 lacks committed entry 2/1");
}

TEST_CASE("StateMachineSafetyInv catches one index committed with two terms") {
  ClusterView v;
  set_log(v, 1, {pb::FOLLOWER, 3, 0, 2}, {1, 1});
  set_log(v, 2, {pb::FOLLOWER, 3, 0, 2}, {1, 3});
  CHECK(etcetera::spec::check_state_machine_safety_inv(v));
}

TEST_CASE("CommittedInHistoryInv catches a node whose committed entry was overwritten") {
  ClusterView v;
  set_log(v, 1, {pb::FOLLOWER, 1, 0, 1}, {1});
  set_log(v, 1, {pb::FOLLOWER, 2, 0, 1}, {2});  // the committed entry replaced
  CHECK(etcetera::spec::check_committed_in_history_inv(v));
}

TEST_CASE("LogTermsMonotonicInv catches terms going down along a log") {
  ClusterView v;
  set_log(v, 1, {pb::FOLLOWER, 3, 0, 0}, {1, 3, 2});
  CHECK(etcetera::spec::check_log_terms_monotonic_inv(v));
}

TEST_CASE("CurrentTermAtLeastLogTermInv catches an entry from the future") {
  ClusterView v;
  set_log(v, 1, {pb::FOLLOWER, 1, 0, 0}, {1, 2});
  CHECK(etcetera::spec::check_current_term_at_least_log_term_inv(v));
}

TEST_CASE("CommitIndexInLogInv catches a commit index past the log") {
  ClusterView v;
  set_log(v, 1, {pb::FOLLOWER, 1, 0, 3}, {1});
  CHECK(etcetera::spec::check_commit_index_in_log_inv(v));
}

TEST_CASE("VotedForLeaderInv catches a leader that did not vote for itself") {
  ClusterView v;
  set_log(v, 1, {pb::LEADER, 2, 2, 0}, {2});
  CHECK(etcetera::spec::check_voted_for_leader_inv(v));
}

TEST_CASE("LeaderLogHasNoopInv catches a leader with no entry of its term") {
  ClusterView v;
  set_log(v, 1, {pb::LEADER, 2, 1, 0}, {1});
  CHECK(etcetera::spec::check_leader_log_has_noop_inv(v));
}

TEST_CASE("CandidateVotesInv catches a vote counted from a node that voted for another") {
  ClusterView v;
  const State candidate{pb::CANDIDATE, 2, 1, 0};
  set_log(v, 1, candidate, {1});
  set_log(v, 2, {pb::FOLLOWER, 2, 3, 0}, {1});
  receive(v, 1, candidate, pb::REQUEST_VOTE_RESPONSE, 2, 0);
  CHECK(etcetera::spec::check_candidate_votes_inv(v));
}

TEST_CASE("MatchIndexInv catches a leader that believes a follower matches where it does not") {
  ClusterView v;
  set_log(v, 1, leader2, {1, 2});
  set_log(v, 2, {pb::FOLLOWER, 2, 1, 0}, {1, 1});
  receive(v, 1, leader2, pb::APPEND_ENTRIES_RESPONSE, 2, 1);
  CHECK_FALSE(etcetera::spec::check_match_index_inv(v));
  receive(v, 1, leader2, pb::APPEND_ENTRIES_RESPONSE, 2, 2);
  CHECK(etcetera::spec::check_match_index_inv(v));
}

TEST_CASE("ReadIndexInv catches a read served below an index committed before it was asked") {
  ClusterView v;
  set_log(v, 1, {pb::LEADER, 2, 1, 2}, {1, 2});
  Event asked = event(2, {pb::LEADER, 1, 2, 1});
  asked.mutable_read_index_requested()->set_context("r");
  v.apply(asked);
  Event served = event(2, {pb::LEADER, 1, 2, 1});
  served.mutable_read_index_released()->set_context("r");
  served.mutable_read_index_released()->set_index(1);
  v.apply(served);
  auto why = etcetera::spec::check_read_index_inv(v);
  REQUIRE(why);
  CHECK(*why == "node 2 served read 'r' at index 1, but index 2 was committed before it was asked");
}

TEST_CASE("SnapshotCommittedInv catches a snapshot past the commit index") {
  ClusterView v;
  start(v, 1, {pb::FOLLOWER, 1, 0, 2}, {1, 1}, /*first_index=*/3);  // snapshot through 2
  CHECK_FALSE(etcetera::spec::check_snapshot_committed_inv(v));
  start(v, 2, {pb::FOLLOWER, 1, 0, 1}, {1, 1}, /*first_index=*/3);
  auto why = etcetera::spec::check_snapshot_committed_inv(v);
  REQUIRE(why);
  CHECK(*why == "node 2's snapshot through 2 is past its commit index 1");
}

TEST_CASE("ConfigChainInv catches a membership entry that does not follow the one before") {
  ClusterView v;
  const State s{pb::FOLLOWER, 1, 0, 3};
  start(v, 1, s, {1, 1, 1}, 1, {2, 3});
  apply_conf(v, 1, s, 2, /*enter=*/true, voters({1, 2, 3, 4}, {1, 2, 3}));
  apply_conf(v, 1, s, 3, /*enter=*/false, voters({1, 2, 3, 4}));
  CHECK_FALSE(etcetera::spec::check_config_chain_inv(v));

  start(v, 2, s, {1, 1, 1}, 1, {2, 3});
  apply_conf(v, 2, s, 2, /*enter=*/true, voters({1, 2, 3, 4}, {1, 2, 3}));
  apply_conf(v, 2, s, 3, /*enter=*/true, voters({1, 2, 4}, {1, 2, 3, 4}));
  auto why = etcetera::spec::check_config_chain_inv(v);
  REQUIRE(why);
  CHECK(*why ==
        "node 2's membership entry 3 enters a joint configuration from the joint "
        "(1 2 3 4)&&(1 2 3)");

  ClusterView w;
  start(w, 3, s, {1, 1}, 1, {2});
  apply_conf(w, 3, s, 2, /*enter=*/true, voters({1, 2, 4}, {1, 2}));
  why = etcetera::spec::check_config_chain_inv(w);
  REQUIRE(why);
  CHECK(*why ==
        "node 3's membership entry 2 leads from (1 2 3) to (1 2 4)&&(1 2), whose "
        "outgoing voters are not the voters before");
}

TEST_CASE("LeaderOnePendingConfInv catches a leader with two uncommitted membership entries") {
  ClusterView v;
  start(v, 1, {pb::LEADER, 1, 1, 1}, {1, 1, 1}, 1, {2});
  CHECK_FALSE(etcetera::spec::check_leader_one_pending_conf_inv(v));
  start(v, 1, {pb::LEADER, 1, 1, 1}, {1, 1, 1}, 1, {2, 3});
  auto why = etcetera::spec::check_leader_one_pending_conf_inv(v);
  REQUIRE(why);
  CHECK(*why == "leader 1 of term 1 holds uncommitted membership entries 2 and 3");
}

TEST_CASE("LeaderIsVoterInv catches a leader outside its joint configuration") {
  ClusterView v;
  const State leader{pb::LEADER, 1, 3, 0};
  start(v, 3, leader, {1});
  apply_conf(v, 3, leader, 2, /*enter=*/true, voters({1, 2, 4}, {1, 2, 3}));
  CHECK_FALSE(etcetera::spec::check_leader_is_voter_inv(v));  // an outgoing voter
  apply_conf(v, 3, leader, 3, /*enter=*/false, voters({1, 2, 4}));
  CHECK_FALSE(etcetera::spec::check_leader_is_voter_inv(v));  // removed, yet to step down
  apply_conf(v, 3, leader, 4, /*enter=*/true, voters({1, 2}, {1, 2, 4}));
  auto why = etcetera::spec::check_leader_is_voter_inv(v);
  REQUIRE(why);
  CHECK(*why == "leader 3 of term 1 is not a voter of its joint configuration (1 2)&&(1 2 4)");
}
