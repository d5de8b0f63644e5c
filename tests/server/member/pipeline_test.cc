// The member as a pipeline (docs/server.md, "The pipeline"): the log
// writer syncs the WAL off the driver, and serializable reads never wait
// for it. A disk stalled on purpose (DurableOptions::before_sync) shows it.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>

#include "tests/server/member/loopback_cluster.h"

namespace etcetera::server::testing {

namespace {

// A WAL sync that waits while the gate is closed, as a disk that hangs does.
class SyncGate {
 public:
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      closed_ = false;
    }
    opened_.notify_all();
  }
  // DurableOptions::before_sync.
  void pass() {
    std::unique_lock lock(mu_);
    if (closed_) ++stalled_;
    opened_.wait(lock, [this] { return !closed_; });
  }
  int stalled() {
    std::lock_guard lock(mu_);
    return stalled_;
  }

 private:
  std::mutex mu_;
  std::condition_variable opened_;
  bool closed_ = false;
  int stalled_ = 0;
};

}  // namespace

TEST_CASE("with the leader's WAL sync stalled, it keeps leading and serializable reads are answered") {
  std::vector<std::unique_ptr<SyncGate>> gates;
  for (int i = 0; i < 3; ++i)
    gates.push_back(std::make_unique<SyncGate>());
  LoopbackCluster c(3, 10000, [&](int i, MemberOptions& o) {
    o.before_wal_sync = [gate = gates[i].get()] { gate->pass(); };
    // Roomier than the other tests' timings: on a loaded machine a 200 ms
    // gap in heartbeats can happen for reasons of its own.
    o.heartbeat_interval_ms = 50;
    o.election_timeout_ms = 500;
  });
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  REQUIRE(put(c[leader], "k", "before"));
  const auto term = c[leader].header().raft_term();

  SyncGate& gate = *gates[leader];
  gate.close();
  auto promise = std::make_shared<std::promise<ApiResult<etcdserverpb::PutResponse>>>();
  auto answered = promise->get_future();
  etcdserverpb::PutRequest write;
  write.set_key("k");
  write.set_value("after");
  c[leader].put(write, [promise](auto r) { promise->set_value(std::move(r)); });
  REQUIRE(eventually([&] { return gate.stalled() > 0; }));

  // Reads from the store as applied: not queued behind the sync. The
  // leader has not applied the put; the followers may have, since they
  // made a quorum without it and heard the commit in a heartbeat.
  for (int i = 0; i < 3; ++i) {
    auto value = get(c[i], "k", /*serializable=*/true);
    REQUIRE(value);
    if (i == leader)
      CHECK(*value == "before");
    else
      CHECK((*value == "before" || *value == "after"));
  }
  // The driver goes on while the disk hangs: heartbeats keep the
  // followers from electing anyone for many election timeouts.
  std::this_thread::sleep_for(4 * std::chrono::milliseconds(c.options(leader).election_timeout_ms));
  for (int i = 0; i < 3; ++i) {
    CHECK(c[i].leader() == c[leader].id());
    CHECK(c[i].header().raft_term() == term);
  }
  // Nothing is acknowledged before the leader's own sync.
  CHECK(answered.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);

  gate.open();
  REQUIRE(answered.wait_for(10s) == std::future_status::ready);
  auto result = answered.get();
  REQUIRE(result);
  for (int i = 0; i < 3; ++i)
    CHECK(get(c[i], "k").value_or("?") == "after");
}

TEST_CASE("a hundred writes taken by a follower at once are forwarded and each answered once") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  Member& follower = c[(leader + 1) % c.size()];
  std::vector<std::future<ApiResult<etcdserverpb::PutResponse>>> answers;
  for (int i = 0; i < 100; ++i) {
    auto promise = std::make_shared<std::promise<ApiResult<etcdserverpb::PutResponse>>>();
    answers.push_back(promise->get_future());
    etcdserverpb::PutRequest r;
    r.set_key("k" + std::to_string(i));
    r.set_value("v" + std::to_string(i));
    follower.put(r, [promise](auto answer) { promise->set_value(std::move(answer)); });
  }
  std::set<std::int64_t> revisions;
  for (auto& a : answers) {
    REQUIRE(a.wait_for(10s) == std::future_status::ready);
    auto r = a.get();
    REQUIRE(r);
    revisions.insert(r->header().revision());
  }
  CHECK(revisions.size() == 100);  // each applied once, at a revision of its own
  for (int i = 0; i < 100; i += 9)
    CHECK(get(c[leader], "k" + std::to_string(i)).value_or("?") == "v" + std::to_string(i));
  CHECK(c[leader].header().revision() == 101);
}

}  // namespace etcetera::server::testing
