// The member as a pipeline (docs/server.md, "The pipeline"): the log
// writer syncs the WAL off the driver, and serializable reads never wait
// for it. A disk stalled on purpose (DurableOptions::before_sync) shows it.
// The members talk in this process (server/in_process_peers.h), so that
// ThreadSanitizer sees only their own threads (./run test --tsan runs the
// tests tagged [in-process]).
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

#include "server/in_process_peers.h"
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

// A put through `b` whose answer is awaited later.
std::future<ApiResult<etcdserverpb::PutResponse>> put_later(Backend& b, const std::string& key,
                                                            const std::string& value) {
  auto promise = std::make_shared<std::promise<ApiResult<etcdserverpb::PutResponse>>>();
  auto answer = promise->get_future();
  etcdserverpb::PutRequest r;
  r.set_key(key);
  r.set_value(value);
  b.put(r, [promise](auto result) { promise->set_value(std::move(result)); });
  return answer;
}

}  // namespace

TEST_CASE("with the leader's WAL sync stalled, it keeps leading and serializable reads are answered",
          "[in-process]") {
  std::vector<std::unique_ptr<SyncGate>> gates;
  for (int i = 0; i < 3; ++i)
    gates.push_back(std::make_unique<SyncGate>());
  InProcessNetwork network;
  LoopbackCluster c(3, 10000, [&](int i, MemberOptions& o) {
    o.in_process = &network;
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
  auto answered = put_later(c[leader], "k", "after");
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

TEST_CASE("a hundred writes taken by a follower at once are forwarded and each answered once",
          "[in-process]") {
  InProcessNetwork network;
  LoopbackCluster c(3, 10000, [&](int, MemberOptions& o) { o.in_process = &network; });
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  Member& follower = c[(leader + 1) % c.size()];
  std::vector<std::future<ApiResult<etcdserverpb::PutResponse>>> answers;
  for (int i = 0; i < 100; ++i)
    answers.push_back(put_later(follower, "k" + std::to_string(i), "v" + std::to_string(i)));
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

TEST_CASE("serializable reads on many threads while txns apply never see half a txn",
          "[in-process]") {
  InProcessNetwork network;
  // A small snapshot count: snapshots are written, by their own thread,
  // while the reads and writes go on.
  LoopbackCluster c(3, 50, [&](int, MemberOptions& o) { o.in_process = &network; });
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&, t] {
      Member& m = c[t % c.size()];
      while (!done.load()) {
        etcdserverpb::RangeRequest r;
        r.set_key("a");
        r.set_range_end("c");
        r.set_serializable(true);
        auto got = call<etcdserverpb::RangeResponse>([&](auto reply) { m.range(r, reply); });
        if (!got) continue;
        ++reads;
        if (got->kvs_size() == 2 && got->kvs(0).value() != got->kvs(1).value()) ++torn;
        if (got->kvs_size() == 1) ++torn;
      }
    });
  for (int i = 0; i < 200; ++i) {
    etcdserverpb::TxnRequest txn;
    for (const char* key : {"a", "b"}) {
      auto* put = txn.add_success()->mutable_request_put();
      put->set_key(key);
      put->set_value(std::to_string(i));
    }
    auto r = call<etcdserverpb::TxnResponse>(
        [&](auto reply) { c[i % c.size()].txn(txn, reply); });
    REQUIRE(r);
  }
  done = true;
  for (auto& t : readers)
    t.join();
  CHECK(reads.load() > 0);
  CHECK(torn.load() == 0);
  for (int i = 0; i < 3; ++i)
    CHECK(get(c[i], "b").value_or("?") == "199");
}

}  // namespace etcetera::server::testing
