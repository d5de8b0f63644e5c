// etcd's Lock and Election services over a FakeBackend, through real gRPC on
// 127.0.0.1 with the generated stubs: the lock recipes of lock/ serve them on
// the server's recipes' thread.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "lock/requests.h"
#include "server/api/v3election.grpc.pb.h"
#include "server/api/v3lock.grpc.pb.h"
#include "tests/server/api/test_server.h"

namespace etcetera::server::testing {
namespace {

using namespace std::chrono_literals;

struct LockServer : TestServer {
  LockServer() {
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()),
                                       grpc::InsecureChannelCredentials());
    locks = v3lockpb::Lock::NewStub(channel);
    elections = v3electionpb::Election::NewStub(channel);
  }

  std::int64_t grant() {
    etcdserverpb::LeaseGrantRequest r;
    r.set_ttl(60);
    etcdserverpb::LeaseGrantResponse response;
    REQUIRE(lease->LeaseGrant(context().get(), r, &response).ok());
    return response.id();
  }

  // Lock on a thread of its own: it blocks until the lock is held.
  std::future<std::pair<grpc::Status, v3lockpb::LockResponse>> lock_async(
      const std::string& name, std::int64_t lease_id, grpc::ClientContext* ctx) {
    return std::async(std::launch::async, [this, name, lease_id, ctx] {
      v3lockpb::LockRequest r;
      r.set_name(name);
      r.set_lease(lease_id);
      v3lockpb::LockResponse response;
      grpc::Status status = locks->Lock(ctx, r, &response);
      return std::pair{status, response};
    });
  }

  grpc::Status unlock(const std::string& key) {
    v3lockpb::UnlockRequest r;
    r.set_key(key);
    v3lockpb::UnlockResponse response;
    return locks->Unlock(context().get(), r, &response);
  }

  std::int64_t create_revision(const std::string& key) {
    etcdserverpb::RangeRequest r;
    r.set_key(key);
    etcdserverpb::RangeResponse response;
    REQUIRE(kv->Range(context().get(), r, &response).ok());
    return response.kvs().empty() ? 0 : response.kvs(0).create_revision();
  }

  std::unique_ptr<v3lockpb::Lock::Stub> locks;
  std::unique_ptr<v3electionpb::Election::Stub> elections;
};

template <class F>
bool waits(F& f, std::chrono::milliseconds d = 300ms) {
  return f.wait_for(d) == std::future_status::timeout;
}

TEST_CASE("Lock: the second client waits until the first unlocks, with a later create revision",
          "[lock]") {
  LockServer s;
  const auto l1 = s.grant(), l2 = s.grant();
  auto c1 = TestServer::context(), c2 = TestServer::context();
  auto first = s.lock_async("jobs", l1, c1.get());
  auto [status1, held1] = first.get();
  REQUIRE(status1.ok());
  CHECK(held1.key().starts_with("jobs/"));
  CHECK(held1.header().cluster_id() == FakeBackend::kClusterId);

  auto second = s.lock_async("jobs", l2, c2.get());
  CHECK(waits(second));
  REQUIRE(s.unlock(held1.key()).ok());
  auto [status2, held2] = second.get();
  REQUIRE(status2.ok());
  CHECK(held2.key() != held1.key());
  CHECK(s.create_revision(held2.key()) > 0);
  CHECK(s.create_revision(held1.key()) == 0);
  // Unlock of a key that is gone is no error, as etcd's plain delete.
  CHECK(s.unlock(held1.key()).ok());
}

TEST_CASE("Lock with a lease the server does not know is NOT_FOUND", "[lock]") {
  LockServer s;
  auto c = TestServer::context();
  auto [status, held] = s.lock_async("jobs", 0x1234, c.get()).get();
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "etcdserver: requested lease not found");
}

TEST_CASE("a waiting Lock whose client cancels leaves the queue", "[lock]") {
  LockServer s;
  const auto l1 = s.grant(), l2 = s.grant(), l3 = s.grant();
  auto c1 = TestServer::context(), c2 = TestServer::context(), c3 = TestServer::context();
  auto [status1, held1] = s.lock_async("jobs", l1, c1.get()).get();
  REQUIRE(status1.ok());
  auto second = s.lock_async("jobs", l2, c2.get());
  REQUIRE(waits(second));
  auto third = s.lock_async("jobs", l3, c3.get());
  REQUIRE(waits(third));

  c2->TryCancel();
  CHECK(second.get().first.error_code() == grpc::StatusCode::CANCELLED);
  // The client hears CANCELLED at once; the server notices within its poll.
  const std::string key2 = lock::queue_key(lock::queue_prefix("jobs"), l2);
  for (int i = 0; i < 100 && s.create_revision(key2) > 0; ++i)
    std::this_thread::sleep_for(20ms);
  CHECK(s.create_revision(key2) == 0);
  REQUIRE(s.unlock(held1.key()).ok());
  REQUIRE(third.wait_for(5s) == std::future_status::ready);
  auto [status3, held3] = third.get();
  REQUIRE(status3.ok());
  CHECK(s.create_revision(held3.key()) > 0);
}

TEST_CASE("Campaign, Leader, Proclaim, Observe and Resign", "[election]") {
  LockServer s;
  const auto l1 = s.grant(), l2 = s.grant();
  using namespace v3electionpb;

  LeaderRequest which;
  which.set_name("boss");
  LeaderResponse none;
  grpc::Status no_leader = s.elections->Leader(TestServer::context().get(), which, &none);
  CHECK(no_leader.error_code() == grpc::StatusCode::UNKNOWN);
  CHECK(no_leader.error_message() == "election: no leader");

  // Observe from the start: it hears each leader and each proclaimed value.
  auto observing = TestServer::context();
  auto observer = s.elections->Observe(observing.get(), which);

  CampaignRequest a;
  a.set_name("boss");
  a.set_lease(l1);
  a.set_value("a");
  CampaignResponse won_a;
  REQUIRE(s.elections->Campaign(TestServer::context().get(), a, &won_a).ok());
  CHECK(won_a.leader().name() == "boss");
  CHECK(won_a.leader().lease() == l1);
  CHECK(won_a.leader().rev() == s.create_revision(won_a.leader().key()));

  LeaderResponse observed;
  REQUIRE(observer->Read(&observed));
  CHECK(observed.kv().value() == "a");

  // b campaigns and waits behind a.
  auto b_ctx = TestServer::context();
  auto b = std::async(std::launch::async, [&] {
    CampaignRequest r;
    r.set_name("boss");
    r.set_lease(l2);
    r.set_value("b");
    CampaignResponse won;
    grpc::Status status = s.elections->Campaign(b_ctx.get(), r, &won);
    return std::pair{status, won};
  });
  CHECK(waits(b));

  ProclaimRequest proclaim;
  *proclaim.mutable_leader() = won_a.leader();
  proclaim.set_value("a2");
  ProclaimResponse proclaimed;
  REQUIRE(s.elections->Proclaim(TestServer::context().get(), proclaim, &proclaimed).ok());
  LeaderResponse leader;
  REQUIRE(s.elections->Leader(TestServer::context().get(), which, &leader).ok());
  CHECK(leader.kv().value() == "a2");
  REQUIRE(observer->Read(&observed));
  CHECK(observed.kv().value() == "a2");

  ResignRequest resign;
  *resign.mutable_leader() = won_a.leader();
  ResignResponse resigned;
  REQUIRE(s.elections->Resign(TestServer::context().get(), resign, &resigned).ok());
  auto [status_b, won_b] = b.get();
  REQUIRE(status_b.ok());
  CHECK(won_b.leader().rev() > won_a.leader().rev());
  REQUIRE(observer->Read(&observed));
  CHECK(observed.kv().value() == "b");

  // The old leadership can no longer proclaim.
  grpc::Status stale = s.elections->Proclaim(TestServer::context().get(), proclaim, &proclaimed);
  CHECK(stale.error_code() == grpc::StatusCode::UNKNOWN);
  CHECK(stale.error_message() == "election: not leader");

  observing->TryCancel();
  while (observer->Read(&observed)) {
  }
  CHECK(observer->Finish().error_code() == grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace etcetera::server::testing
