// Majority arithmetic, checked against a deliberately naive version.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "raft/quorum.h"

using etcetera::raft::MajorityConfig;
using etcetera::raft::VoteResult;

TEST_CASE("committed_index is what a majority has matched") {
  MajorityConfig c({1, 2, 3, 4, 5});
  CHECK(c.committed_index({{1, 5}, {2, 5}, {3, 4}, {4, 1}, {5, 0}}) == 4);
  CHECK(c.committed_index({{1, 9}}) == 0);  // missing voters count as 0
}

TEST_CASE("vote_result: won on a majority, lost when a majority is out of reach") {
  MajorityConfig c({1, 2, 3, 4});
  CHECK(c.vote_result({{1, true}, {2, true}}) == VoteResult::kPending);
  CHECK(c.vote_result({{1, true}, {2, true}, {3, true}}) == VoteResult::kWon);
  CHECK(c.vote_result({{1, true}, {2, false}, {3, false}}) == VoteResult::kLost);
  CHECK(c.vote_result({{9, true}, {8, true}, {7, true}}) == VoteResult::kPending);  // non-voters
}

TEST_CASE("committed_index agrees with the naive definition") {
  rc::prop("largest index some majority is at or above", [] {
    const auto matches = *rc::gen::container<std::vector<std::uint64_t>>(
        *rc::gen::inRange(1, 8), rc::gen::inRange<std::uint64_t>(0, 20));
    std::set<std::uint64_t> voters;
    std::map<std::uint64_t, std::uint64_t> match;
    for (std::size_t i = 0; i < matches.size(); ++i) {
      voters.insert(i + 1);
      match[i + 1] = matches[i];
    }
    MajorityConfig c(voters);
    std::uint64_t naive = 0;
    for (std::uint64_t idx = 0; idx <= 20; ++idx) {
      std::size_t at_or_above = 0;
      for (auto m : matches)
        at_or_above += m >= idx;
      if (at_or_above > matches.size() / 2) naive = idx;
    }
    RC_ASSERT(c.committed_index(match) == naive);
  });
}
