// Restarts of server::Member from its data dir: the WAL and snapshots bring
// back exactly what it had, and raft brings it up to date with the rest.
#include <catch2/catch.hpp>

#include "tests/server/member/loopback_cluster.h"

namespace etcetera::server::testing {

namespace {

Backend::Hash hash_at(Backend& b, std::int64_t revision) {
  auto h = call<Backend::Hash>([&](auto reply) { b.hash_kv(revision, reply); });
  REQUIRE(h);
  return *h;
}

}  // namespace

TEST_CASE("a member stopped and restarted keeps its data and catches up on what it missed") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int follower = (leader + 1) % c.size();
  REQUIRE(put(c[leader], "before", "1"));
  REQUIRE(get(c[follower], "before").value_or("") == "1");
  const std::int64_t revision = c[follower].header().revision();
  const auto hash_before = hash_at(c[follower], revision);

  c.stop(follower);
  REQUIRE(put(c[leader], "while-down", "2"));
  c.start(follower);

  // Its own data first: the same store, hash for hash, at the old revision.
  REQUIRE(eventually([&] { return c[follower].header().revision() >= revision; }));
  CHECK(hash_at(c[follower], revision).hash == hash_before.hash);
  // Then what it missed, from the leader.
  CHECK(eventually([&] { return get(c[follower], "while-down", true).value_or("") == "2"; }));
  CHECK(get(c[follower], "before", true).value_or("") == "1");
}

TEST_CASE("the whole cluster stopped and restarted comes back with its data") {
  LoopbackCluster c;
  REQUIRE(c.wait_leader() >= 0);
  for (int k = 0; k < 10; ++k)
    REQUIRE(put(c[0], "k" + std::to_string(k), std::to_string(k)));
  REQUIRE(get(c[2], "k9").value_or("") == "9");
  const auto hash = hash_at(c[2], 0);
  for (int i = 0; i < c.size(); ++i)
    c.stop(i);
  for (int i = 0; i < c.size(); ++i)
    c.start(i);
  REQUIRE(c.wait_leader() >= 0);
  for (int i = 0; i < c.size(); ++i) {
    CHECK(get(c[i], "k3").value_or("") == "3");
    CHECK(hash_at(c[i], hash.revision).hash == hash.hash);
  }
}

TEST_CASE("with a small snapshot count, a member recovers from snapshot and WAL") {
  LoopbackCluster c(3, /*snapshot_count=*/5);
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int follower = (leader + 1) % c.size();
  for (int k = 0; k < 30; ++k)
    REQUIRE(put(c[leader], "a" + std::to_string(k), std::to_string(k)));
  REQUIRE(get(c[follower], "a29").value_or("") == "29");
  const std::filesystem::path snap_dir = c[follower].options().data_dir / "member" / "snap";
  CHECK_FALSE(std::filesystem::is_empty(snap_dir));

  // While it is down, the leader compacts past what it has: it gets the
  // leader's snapshot, with its file, over Peer.Snapshot when it is back.
  c.stop(follower);
  for (int k = 0; k < 30; ++k)
    REQUIRE(put(c[leader], "b" + std::to_string(k), std::to_string(k)));
  c.start(follower);
  CHECK(eventually([&] { return get(c[follower], "b29", true).value_or("") == "29"; }));
  CHECK(c[follower].snapshots_installed() >= 1);
  CHECK(get(c[follower], "a7", true).value_or("") == "7");
  const auto leader_hash = hash_at(c[leader], 0);
  CHECK(eventually([&] { return hash_at(c[follower], 0).hash == leader_hash.hash; }));

  // And again from its own disk alone (snapshot + WAL), with nobody to help.
  c.stop(follower);
  c.stop(leader);
  c.stop(3 - leader - follower);
  c.start(follower);
  std::this_thread::sleep_for(300ms);  // the driver replays the log after the snapshot
  CHECK(get(c[follower], "b29", true).value_or("") == "29");
  CHECK(get(c[follower], "a0", true).value_or("") == "0");
  CHECK(hash_at(c[follower], 0).hash == leader_hash.hash);
}

}  // namespace etcetera::server::testing
