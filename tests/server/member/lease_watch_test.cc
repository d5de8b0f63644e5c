// Leases and watches through server::Member: the leader's lease clock,
// keep-alives forwarded from a follower, and watch streams fed after apply.
#include <catch2/catch.hpp>

#include <mutex>

#include "tests/server/member/loopback_cluster.h"

namespace etcetera::server::testing {

namespace {

ApiResult<std::int64_t> grant(Backend& b, std::int64_t ttl) {
  etcdserverpb::LeaseGrantRequest r;
  r.set_ttl(ttl);
  auto out = call<etcdserverpb::LeaseGrantResponse>([&](auto reply) { b.lease_grant(r, reply); });
  if (!out) return std::unexpected(out.error());
  return out->id();
}

ApiResult<std::int64_t> keep_alive(Backend& b, std::int64_t id) {
  etcdserverpb::LeaseKeepAliveRequest r;
  r.set_id(id);
  auto out =
      call<etcdserverpb::LeaseKeepAliveResponse>([&](auto reply) { b.lease_keep_alive(r, reply); });
  if (!out) return std::unexpected(out.error());
  return out->ttl();
}

}  // namespace

TEST_CASE("a lease kept alive survives and one left alone expires and takes its key along") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int follower = (leader + 1) % c.size();
  auto kept = grant(c[follower], 1);
  auto left = grant(c[follower], 1);
  REQUIRE(kept);
  REQUIRE(left);
  REQUIRE(put(c[follower], "kept", "1", *kept));
  REQUIRE(put(c[follower], "left", "1", *left));

  // Keep-alives go through the follower to the leader's clock; 3 s is three
  // TTLs, well past the unrenewed lease's TTL plus the election timeout.
  const auto until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    auto ttl = keep_alive(c[follower], *kept);
    REQUIRE(ttl);
    CHECK(*ttl == 1);
    std::this_thread::sleep_for(200ms);
  }
  CHECK(eventually([&] { return get(c[follower], "left").value_or("?").empty(); }, 3s));
  CHECK(get(c[follower], "kept").value_or("") == "1");
  CHECK(keep_alive(c[follower], *left).value_or(-1) == 0);  // gone: TTL 0, as etcd answers

  etcdserverpb::LeaseTimeToLiveRequest ttl;
  ttl.set_id(*kept);
  ttl.set_keys(true);
  auto t = call<etcdserverpb::LeaseTimeToLiveResponse>(
      [&](auto reply) { c[follower].lease_time_to_live(ttl, reply); });
  REQUIRE(t);
  CHECK(t->grantedttl() == 1);
  REQUIRE(t->keys_size() == 1);
  CHECK(t->keys(0) == "kept");
}

TEST_CASE("a watch stream on a follower receives the events of writes") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int follower = (leader + 1) % c.size();

  std::mutex mu;
  std::vector<etcdserverpb::WatchResponse> got;
  const WatchStreamId stream = c[follower].open_watch_stream([&](const auto& r) {
    std::lock_guard lock(mu);
    got.push_back(r);
  });
  etcdserverpb::WatchRequest create;
  create.mutable_create_request()->set_key("w");
  c[follower].watch_request(stream, create);
  REQUIRE(eventually([&] {
    std::lock_guard lock(mu);
    return !got.empty() && got[0].created();
  }));

  REQUIRE(put(c[leader], "w", "one"));
  REQUIRE(put(c[leader], "other", "not watched"));
  REQUIRE(put(c[leader], "w", "two"));
  auto events = [&] {
    std::lock_guard lock(mu);
    std::vector<std::string> values;
    for (const auto& r : got)
      for (const auto& e : r.events())
        values.push_back(e.kv().key() + "=" + e.kv().value());
    return values;
  };
  REQUIRE(eventually([&] { return events().size() == 2; }));
  CHECK(events() == std::vector<std::string>{"w=one", "w=two"});

  c[follower].close_watch_stream(stream);
  const std::size_t before = got.size();
  REQUIRE(put(c[leader], "w", "three"));
  std::this_thread::sleep_for(200ms);
  std::lock_guard lock(mu);
  CHECK(got.size() == before);  // no calls after close
}

}  // namespace etcetera::server::testing
