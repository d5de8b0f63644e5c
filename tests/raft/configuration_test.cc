// Joint consensus arithmetic (raft/configuration.h): entering and leaving the
// joint configuration, and every change it refuses, with the reason.
#include <catch2/catch.hpp>

#include "raft/configuration.h"

namespace {

using etcetera::raft::Configuration;
using etcetera::raft::JointConfig;
using etcetera::raft::MajorityConfig;
using etcetera::raft::VoteResult;
namespace pb = etcetera::raft::pb;

Configuration three() {
  pb::ConfState cs;
  for (int id : {1, 2, 3})
    cs.add_voters(id);
  return Configuration::from_conf_state(cs);
}

pb::ConfChange change(std::vector<std::pair<pb::ConfChangeType, std::uint64_t>> steps) {
  pb::ConfChange cc;
  for (auto [type, node] : steps) {
    auto* s = cc.add_changes();
    s->set_type(type);
    s->set_node(node);
  }
  return cc;
}

std::string refusal(const Configuration& c, const pb::ConfChange& cc) {
  auto r = etcetera::raft::apply_conf_change(c, cc);
  return r ? "accepted" : r.error().message;
}

}  // namespace

TEST_CASE("a change enters the joint configuration, and an empty one leaves it") {
  auto joint = etcetera::raft::apply_conf_change(
      three(), change({{pb::ADD_VOTER, 4}, {pb::REMOVE_NODE, 1}}));
  REQUIRE(joint);
  CHECK(joint->describe() == "voters=(2 3 4)&&(1 2 3)");
  auto left = etcetera::raft::apply_conf_change(*joint, pb::ConfChange());
  REQUIRE(left);
  CHECK(left->describe() == "voters=(2 3 4)");
}

TEST_CASE("a demoted voter keeps voting in the outgoing half until the change ends") {
  auto joint = etcetera::raft::apply_conf_change(three(), change({{pb::ADD_LEARNER, 3}}));
  REQUIRE(joint);
  CHECK(joint->describe() == "voters=(1 2)&&(1 2 3) learners_next=(3)");
  CHECK(etcetera::raft::apply_conf_change(*joint, pb::ConfChange())->describe() ==
        "voters=(1 2) learners=(3)");
}

TEST_CASE("while joint, decisions need both majorities") {
  JointConfig j(MajorityConfig({2, 3, 4}), MajorityConfig({1, 2, 3}));
  CHECK(j.vote_result({{2, true}, {4, true}}) == VoteResult::kPending);  // (1 2 3) lacks a majority
  CHECK(j.vote_result({{2, true}, {3, true}}) == VoteResult::kWon);
  CHECK(j.vote_result({{1, false}, {4, false}, {2, false}}) == VoteResult::kLost);
  CHECK(j.committed_index({{1, 9}, {2, 5}, {3, 3}, {4, 9}}) == 5);
  CHECK(j.committed_index({{1, 9}, {2, 3}, {3, 3}, {4, 9}}) == 3);
}

TEST_CASE("changes that cannot be made are refused with a reason") {
  CHECK(refusal(three(),
                change({{pb::REMOVE_NODE, 1}, {pb::REMOVE_NODE, 2}, {pb::REMOVE_NODE, 3}})) ==
        "the change would leave no voter: removing the last voter is refused");
  CHECK(refusal(three(), change({{pb::ADD_VOTER, 2}})) == "node 2 is already a voter");
  CHECK(refusal(three(), change({{pb::REMOVE_NODE, 7}})) == "node 7 is not a member");
  CHECK(refusal(three(), change({{pb::ADD_VOTER, 4}, {pb::REMOVE_NODE, 4}})) ==
        "node 4 appears twice in one change");
  CHECK(refusal(three(), change({{pb::ADD_VOTER, 0}})) == "node id 0 is reserved for 'no node'");
  CHECK(refusal(three(), pb::ConfChange()) ==
        "the configuration is not joint: there is nothing to leave");
  auto joint = etcetera::raft::apply_conf_change(three(), change({{pb::ADD_VOTER, 4}}));
  REQUIRE(joint);
  CHECK(refusal(*joint, change({{pb::ADD_VOTER, 5}})) ==
        "a membership change is already in progress (the configuration is joint)");
}
