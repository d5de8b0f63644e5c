// from_leader_status: what a follower answers its client when a call it
// handed to the leader fails. The leader's own answers pass through as they
// are; gRPC's failures on the way become etcd's words, with gRPC's detail.
#include <catch2/catch.hpp>

#include "server/peer_service.h"

namespace etcetera::server::testing {

TEST_CASE("a leader that cannot be reached is 'no leader', not gRPC's connection text") {
  const ApiError e = from_leader_status(grpc::Status(
      grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses; last error: refused"));
  CHECK(e.code == ApiError::Code::kUnavailable);
  CHECK(e.message ==
        "etcdserver: no leader (the leader cannot be reached: failed to connect to all addresses; "
        "last error: refused)");
}

TEST_CASE("a leader that does not answer in time is etcd's 'request timed out'") {
  const ApiError e =
      from_leader_status(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"));
  CHECK(e.code == ApiError::Code::kUnavailable);
  CHECK(e.message.starts_with("etcdserver: request timed out ("));
}

TEST_CASE("the leader's own answers pass through unchanged") {
  const ApiError not_found = from_leader_status(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "etcdserver: member not found"));
  CHECK(not_found.code == ApiError::Code::kNotFound);
  CHECK(not_found.message == "etcdserver: member not found");
  const ApiError no_leader_there = from_leader_status(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: no leader"));
  CHECK(no_leader_there.message == "etcdserver: no leader");
}

}  // namespace etcetera::server::testing

namespace etcetera::server::testing {

// A membership change handed to the leader: a call that broke on the way
// may have reached it, so "no leader" (it did not happen) would be a lie.
TEST_CASE("a change whose call to the leader broke is 'request timed out', never 'no leader'") {
  for (auto code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::CANCELLED,
                    grpc::StatusCode::DEADLINE_EXCEEDED}) {
    const ApiError e = from_leader_status_ambiguous(grpc::Status(code, "Socket closed"));
    CHECK(e.code == ApiError::Code::kUnavailable);
    CHECK(e.message.starts_with("etcdserver: request timed out ("));
  }
  const ApiError refused = from_leader_status_ambiguous(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "etcdserver: not leader"));
  CHECK(refused.message == "etcdserver: not leader");
}

}  // namespace etcetera::server::testing
