// Leases on a simulated cluster: the leader's clock decides when a lease
// runs out, and the revocation travels through raft, so every replica
// deletes the same keys at the same revision (kv/lease_clock.h).
#include <catch2/catch.hpp>

#include "sim/cluster.h"
#include "sim/kv_run.h"

namespace etcetera::sim {
namespace {

// A client that proposes through the leader and waits for the answer.
class Client final : public KvListener {
 public:
  explicit Client(Cluster& c) : cluster_(c) { cluster_.set_kv_listener(this); }
  ~Client() override { cluster_.set_kv_listener(nullptr); }

  kv::pb::Response request(kv::pb::Request r) {
    r.set_id(++next_id_);
    for (int t = 0; t < 200; ++t) {
      if (auto leader = cluster_.leader()) {
        if (cluster_.node(*leader).propose(kv::encode(r))) {
          proposer_ = *leader;
          break;
        }
      }
      cluster_.advance_time();
    }
    for (int t = 0; t < 200 && !answer_; ++t)
      cluster_.advance_time();
    REQUIRE(answer_.has_value());
    return *std::exchange(answer_, std::nullopt);
  }

  void applied(NodeId node, const kv::pb::Response& response) override {
    if (node == proposer_ && response.id() == next_id_) answer_ = response;
  }

 private:
  Cluster& cluster_;
  std::uint64_t next_id_ = 0;
  NodeId proposer_ = 0;
  std::optional<kv::pb::Response> answer_;
};

kv::pb::Request grant(std::int64_t ttl) {
  kv::pb::Request r;
  r.mutable_lease_grant()->set_ttl(ttl);
  return r;
}

kv::pb::Request put(const std::string& key, kv::LeaseId lease) {
  kv::pb::Request r;
  r.mutable_put()->set_key(key);
  r.mutable_put()->set_value("held");
  r.mutable_put()->set_lease(lease);
  return r;
}

bool exists(const Cluster& c, NodeId id, const std::string& key) {
  etcdserverpb::RangeRequest get;
  get.set_key(key);
  return c.kv(id).store().range(get)->kvs_size() == 1;
}

ClusterOptions options() {
  ClusterOptions o;
  o.kv = true;
  o.seed = 5;
  o.link = LinkFaults{0, 1, 0, 0};
  return o;  // 100 ms per tick: a 2 s lease is 20 ticks
}

void run(Cluster& c, int ticks) {
  for (int t = 0; t < ticks; ++t)
    c.advance_time();
}

TEST_CASE("an expired lease's keys are deleted at one revision on every replica", "[kv-lease]") {
  Cluster c(options(), nullptr);
  run(c, 30);
  Client client(c);
  const auto lease = client.request(grant(2)).lease_grant().id();
  REQUIRE(lease > 0);
  for (const char* key : {"a", "b", "c"})
    client.request(put(key, lease));
  run(c, 3);  // the followers apply the last put too
  auto& watch = c.kv(1).open_watch_stream();
  etcdserverpb::WatchCreateRequest all;
  all.set_key(std::string(1, '\0'));
  all.set_range_end(std::string(1, '\0'));
  REQUIRE(watch.create(all));
  (void)watch.take_responses();

  // 2 s of TTL plus 1 s of election timeout from the leader's election,
  // with no keep-alive: gone within 40 ticks, not before 10.
  run(c, 10);
  for (NodeId id : c.ids())
    CHECK(exists(c, id, "a"));
  run(c, 30);
  for (NodeId id : c.ids()) {
    INFO("node " << id);
    CHECK_FALSE(exists(c, id, "a"));
    CHECK_FALSE(exists(c, id, "c"));
    CHECK_FALSE(c.kv(id).store().lessor().contains(lease));
  }
  auto responses = watch.take_responses();
  REQUIRE(responses.size() == 1);  // one revision, one response
  REQUIRE(responses[0].events_size() == 3);
  for (const auto& e : responses[0].events()) {
    CHECK(e.type() == mvccpb::Event::DELETE);
    CHECK(e.kv().mod_revision() == responses[0].events(0).kv().mod_revision());
  }
  CHECK_FALSE(check_replicas_agree(c).has_value());
}

TEST_CASE("keep-alives at the leader keep a lease and its keys", "[kv-lease]") {
  Cluster c(options(), nullptr);
  run(c, 30);
  Client client(c);
  const auto lease = client.request(grant(2)).lease_grant().id();
  client.request(put("a", lease));
  for (int second = 0; second < 20; ++second) {
    run(c, 10);
    const NodeId leader = *c.leader();
    auto ttl = c.kv(leader).lease_clock().keep_alive(c.kv(leader).store().lessor(), lease,
                                                     c.local_millis(leader));
    REQUIRE(ttl);
    CHECK(*ttl == 2);
  }
  for (NodeId id : c.ids())
    CHECK(exists(c, id, "a"));

  // A follower keeps no lease times: keep-alives must go to the leader.
  const NodeId follower = *c.leader() == 1 ? 2 : 1;
  auto refused = c.kv(follower).lease_clock().keep_alive(c.kv(follower).store().lessor(), lease,
                                                         c.local_millis(follower));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == kv::Error::Code::kNotPrimary);
}

TEST_CASE("a new leader extends every lease, so none expires because of the election",
          "[kv-lease]") {
  Cluster c(options(), nullptr);
  run(c, 30);
  Client client(c);
  const auto lease = client.request(grant(3)).lease_grant().id();
  client.request(put("a", lease));
  run(c, 20);  // 1 s of the lease's 3 s spent
  const NodeId old_leader = *c.leader();
  c.crash(old_leader);
  run(c, 25);  // an election, with no leader to renew the lease at
  REQUIRE(c.leader().has_value());
  const NodeId leader = *c.leader();
  auto left = c.kv(leader).lease_clock().time_to_live(c.kv(leader).store().lessor(), lease,
                                                      c.local_millis(leader));
  REQUIRE(left);
  // The new leader gave the full 3 s plus 1 s of election timeout at its election.
  CHECK(left->granted_ttl == 3);
  CHECK(left->remaining_ttl >= 2);
  CHECK(exists(c, leader, "a"));
}

TEST_CASE("revoking an unknown lease is an error, and changes nothing", "[kv-lease]") {
  Cluster c(options(), nullptr);
  run(c, 30);
  Client client(c);
  kv::pb::Request revoke;
  revoke.mutable_lease_revoke()->set_id(12345);
  auto response = client.request(revoke);
  REQUIRE(response.has_error());
  CHECK(kv::to_error(response.error()).code == kv::Error::Code::kLeaseNotFound);
  CHECK(response.error().message() == "etcdserver: requested lease not found (lease 12345)");
  CHECK(c.kv(1).store().revision() == 1);
}

TEST_CASE("a restarted node replays its log without applying an entry twice", "[kv-lease]") {
  Cluster c(options(), nullptr);
  run(c, 30);
  Client client(c);
  for (int i = 0; i < 5; ++i)
    client.request(put("k" + std::to_string(i), 0));
  run(c, 3);  // the followers apply the last put too
  const NodeId follower = *c.leader() == 3 ? 2 : 3;
  const auto before = c.kv(follower).store().revision();
  c.crash(follower);
  REQUIRE(c.restart(follower));
  run(c, 20);  // the node hands its committed entries out again
  CHECK(c.kv(follower).store().revision() == before);
  CHECK(c.kv(follower).applied_index() == c.kv(*c.leader()).applied_index());
  CHECK_FALSE(check_replicas_agree(c).has_value());
}

}  // namespace
}  // namespace etcetera::sim
