// Progress and Inflights: the flow control of a leader toward one follower.
#include <catch2/catch.hpp>

#include "raft/progress.h"

using etcetera::raft::Progress;

TEST_CASE("a probing follower gets one append until it answers") {
  Progress pr(5, 3);
  CHECK_FALSE(pr.is_paused());
  pr.sent_append(7);
  CHECK(pr.is_paused());
  CHECK(pr.next == 5);  // probing does not advance next optimistically
  CHECK(pr.maybe_update(7));
  CHECK_FALSE(pr.is_paused());
  CHECK(pr.describe() == "match=7 next=8 probe");
}

TEST_CASE("a replicating follower gets at most max_inflight appends in flight") {
  Progress pr(1, 2);
  pr.maybe_update(0);
  pr.become_replicate();
  pr.sent_append(3);
  pr.sent_append(5);
  CHECK(pr.next == 6);
  CHECK(pr.is_paused());
  CHECK(pr.describe() == "match=0 next=6 replicate inflight=2");
  pr.maybe_update(3);
  pr.inflights.free_to(3);
  CHECK_FALSE(pr.is_paused());
}

TEST_CASE("a stale acknowledgement tells nothing new") {
  Progress pr(1, 2);
  CHECK(pr.maybe_update(4));
  CHECK_FALSE(pr.maybe_update(2));
  CHECK(pr.match == 4);
}
