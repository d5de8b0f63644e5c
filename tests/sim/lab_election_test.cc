// The 6.5840 Raft lab, part 3A: leader election. See docs/labs.md.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "tests/sim/lab.h"

using etcetera::sim::NodeId;
using etcetera::sim::lab::kElectionTick;
using etcetera::sim::lab::Lab;
using etcetera::sim::lab::LabConfig;

TEST_CASE("initial election (3A)", "[lab]") {
  Lab lab(LabConfig{.servers = 3});
  // Is a leader elected?
  lab.check_one_leader();
  // Does everyone agree on the term, and is it a real one?
  const auto term1 = lab.check_terms();
  CHECK(term1 >= 1);
  // With no failures, the leader keeps its place: no new election, no new term.
  lab.run_for(2 * 2 * kElectionTick);
  CHECK(lab.check_terms() == term1);
  // And there is still a leader.
  lab.check_one_leader();
}

TEST_CASE("re-election (3A)", "[lab]") {
  Lab lab(LabConfig{.servers = 3});
  const auto leader1 = lab.check_one_leader();

  // The leader disconnects: a new one is elected.
  lab.disconnect(leader1);
  lab.check_one_leader();

  // The old leader rejoins: that must not disturb the new leader.
  lab.connect(leader1);
  const auto leader2 = lab.check_one_leader();

  // Without a quorum, no new leader is elected.
  lab.disconnect(leader2);
  lab.disconnect(lab.peer(leader2, 1));
  lab.run_for(2 * 2 * kElectionTick);
  lab.check_no_leader();

  // With a quorum again, a leader is elected.
  lab.connect(lab.peer(leader2, 1));
  lab.check_one_leader();

  // The last node rejoins: still one leader.
  lab.connect(leader2);
  lab.check_one_leader();
}

TEST_CASE("many elections (3A)", "[lab]") {
  Lab lab(LabConfig{.servers = 7, .seed = 3});
  lab.check_one_leader();
  for (int round = 0; round < 10; ++round) {
    // Three distinct random nodes lose the network; the four left are a
    // majority of seven, so among them a leader must emerge.
    std::vector<NodeId> away;
    while (away.size() < 3) {
      const auto id = lab.random_node();
      if (std::find(away.begin(), away.end(), id) == away.end()) away.push_back(id);
    }
    for (auto id : away)
      lab.disconnect(id);
    lab.check_one_leader();
    for (auto id : away)
      lab.connect(id);
  }
  lab.check_one_leader();
}
