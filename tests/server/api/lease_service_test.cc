// The Lease service over gRPC: grant, keep-alive stream, time to live,
// list, revoke, and etcd's answers for a lease that does not exist.
#include <catch2/catch.hpp>

#include "tests/server/api/test_server.h"

using namespace etcdserverpb;
using etcetera::server::testing::TestServer;

namespace {

std::int64_t grant(TestServer& s, std::int64_t ttl) {
  LeaseGrantRequest r;
  r.set_ttl(ttl);
  LeaseGrantResponse response;
  REQUIRE(s.lease->LeaseGrant(TestServer::context().get(), r, &response).ok());
  CHECK(response.ttl() == ttl);
  return response.id();
}

}  // namespace

TEST_CASE("grant, keep alive, time to live, list, revoke") {
  TestServer s;
  const std::int64_t id = grant(s, 60);
  CHECK(id != 0);
  s.put("leased", "v", id);
  REQUIRE(s.last.ok());

  auto context = TestServer::context();
  auto stream = s.lease->LeaseKeepAlive(context.get());
  LeaseKeepAliveRequest keep;
  keep.set_id(id);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(stream->Write(keep));
    LeaseKeepAliveResponse answer;
    REQUIRE(stream->Read(&answer));
    CHECK(answer.id() == id);
    CHECK(answer.ttl() == 60);
    CHECK(answer.header().revision() > 0);
  }
  stream->WritesDone();
  CHECK(stream->Finish().ok());

  LeaseTimeToLiveRequest ttl;
  ttl.set_id(id);
  ttl.set_keys(true);
  LeaseTimeToLiveResponse left;
  REQUIRE(s.lease->LeaseTimeToLive(TestServer::context().get(), ttl, &left).ok());
  CHECK(left.grantedttl() == 60);
  CHECK(left.ttl() > 0);
  REQUIRE(left.keys_size() == 1);
  CHECK(left.keys(0) == "leased");

  LeaseLeasesResponse leases;
  REQUIRE(s.lease->LeaseLeases(TestServer::context().get(), {}, &leases).ok());
  REQUIRE(leases.leases_size() == 1);
  CHECK(leases.leases(0).id() == id);

  LeaseRevokeRequest revoke;
  revoke.set_id(id);
  LeaseRevokeResponse revoked;
  REQUIRE(s.lease->LeaseRevoke(TestServer::context().get(), revoke, &revoked).ok());
  RangeRequest r;
  r.set_key("leased");
  RangeResponse gone;
  REQUIRE(s.kv->Range(TestServer::context().get(), r, &gone).ok());
  CHECK(gone.count() == 0);
}

TEST_CASE("an unknown lease: revoke is NOT_FOUND, a keep-alive answers TTL 0") {
  TestServer s;
  LeaseRevokeRequest revoke;
  revoke.set_id(12345);
  LeaseRevokeResponse revoked;
  auto status = s.lease->LeaseRevoke(TestServer::context().get(), revoke, &revoked);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(status.error_message() == "etcdserver: requested lease not found");

  s.put("k", "v", 12345);
  CHECK(s.last.error_code() == grpc::StatusCode::NOT_FOUND);

  auto context = TestServer::context();
  auto stream = s.lease->LeaseKeepAlive(context.get());
  LeaseKeepAliveRequest keep;
  keep.set_id(12345);
  REQUIRE(stream->Write(keep));
  LeaseKeepAliveResponse answer;
  REQUIRE(stream->Read(&answer));
  CHECK(answer.id() == 12345);
  CHECK(answer.ttl() == 0);
  stream->WritesDone();
  CHECK(stream->Finish().ok());
}
