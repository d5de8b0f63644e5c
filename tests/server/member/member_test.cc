// server::Member end to end: three members in this process over loopback
// gRPC, each on its own data dir.
#include <catch2/catch.hpp>

#include "tests/server/member/loopback_cluster.h"

namespace etcetera::server::testing {

namespace {

std::string show(const ApiError& e) {
  return std::to_string(int(e.code)) + " " + e.message;
}

}  // namespace

TEST_CASE("three members elect one leader") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  for (int i = 0; i < c.size(); ++i)
    CHECK(c[i].leader() == c[leader].id());
  auto header = c[0].header();
  CHECK(header.cluster_id() == c[1].header().cluster_id());
  CHECK(header.member_id() == c[0].id());
  CHECK(header.raft_term() > 0);
}

TEST_CASE("a put through the leader is read linearizably through every member") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  auto put_result = put(c[leader], "greeting", "hello");
  INFO((put_result ? "" : show(put_result.error())));
  REQUIRE(put_result);
  for (int i = 0; i < c.size(); ++i) {
    auto value = get(c[i], "greeting");
    INFO("member " << i << ": " << (value ? "" : show(value.error())));
    REQUIRE(value);
    CHECK(*value == "hello");
  }
}

TEST_CASE("a put on a follower is forwarded to the leader") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int follower = (leader + 1) % c.size();
  auto put_result = put(c[follower], "k", "from a follower");
  INFO((put_result ? "" : show(put_result.error())));
  REQUIRE(put_result);
  CHECK(put_result->header().revision() >= 2);  // the leader's revision, applied
  for (int i = 0; i < c.size(); ++i)
    CHECK(get(c[i], "k").value_or("?") == "from a follower");
  CHECK(c[follower].header().revision() >= 2);
}

TEST_CASE("member_list names the initial cluster; an unknown member is not found") {
  LoopbackCluster c;
  REQUIRE(c.wait_leader() >= 0);
  auto list = call<std::vector<MemberInfo>>([&](auto reply) { c[0].member_list(reply); });
  REQUIRE(list);
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].name == "m1");
  CHECK((*list)[0].id == c[0].id());
  auto removed =
      call<std::vector<MemberInfo>>([&](auto reply) { c[0].member_remove(1234, reply); });
  REQUIRE_FALSE(removed);
  CHECK(removed.error().code == ApiError::Code::kNotFound);
  CHECK(removed.error().message == "etcdserver: member not found");
}

TEST_CASE("move_leader hands leadership to another member") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int target = (leader + 1) % c.size();
  auto moved = call<void>([&](auto reply) { c[leader].move_leader(c[target].id(), reply); });
  INFO((moved ? "" : show(moved.error())));
  REQUIRE(moved);
  CHECK(c.wait_leader() == target);
}

TEST_CASE("hash_kv agrees across members and status reports the leader") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  for (int k = 0; k < 5; ++k)
    REQUIRE(put(c[leader], "key" + std::to_string(k), "v"));
  for (int i = 0; i < c.size(); ++i)
    REQUIRE(get(c[i], "key4").value_or("") == "v");  // every member has applied it
  auto h0 = call<Backend::Hash>([&](auto reply) { c[0].hash_kv(0, reply); });
  REQUIRE(h0);
  for (int i = 1; i < c.size(); ++i) {
    auto h = call<Backend::Hash>([&](auto reply) { c[i].hash_kv(0, reply); });
    REQUIRE(h);
    CHECK(h->hash == h0->hash);
    CHECK(h->revision == h0->revision);
  }
  auto s = call<StatusInfo>([&](auto reply) { c[0].status(reply); });
  REQUIRE(s);
  CHECK(s->leader == c[leader].id());
  CHECK(s->raft_applied_index >= 6);
}

}  // namespace etcetera::server::testing

namespace etcetera::server::testing {

TEST_CASE("a write without a quorum is answered UNAVAILABLE, not left waiting") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int survivor = (leader + 1) % c.size();
  for (int i = 0; i < c.size(); ++i)
    if (i != survivor) c.stop(i);
  const auto started = std::chrono::steady_clock::now();
  auto result = put(c[survivor], "k", "v");
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ApiError::Code::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - started < 7s);  // the request deadline, at most
}

}  // namespace etcetera::server::testing

namespace etcetera::server::testing {

TEST_CASE("a single member leads alone, and after stop() every call is answered at once") {
  LoopbackCluster c(1);
  REQUIRE(c.wait_leader() == 0);
  REQUIRE(put(c[0], "k", "v"));
  CHECK(get(c[0], "k").value_or("") == "v");
  const WatchStreamId stream = c[0].open_watch_stream([](const auto&) {});
  c[0].stop();
  auto after = put(c[0], "k", "w");
  REQUIRE_FALSE(after);
  CHECK(after.error().code == ApiError::Code::kUnavailable);
  CHECK(after.error().message == "etcdserver: server stopped");
  c[0].close_watch_stream(stream);  // returns: nobody is left to call the sink
}

}  // namespace etcetera::server::testing
