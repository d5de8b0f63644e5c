// kv/ errors become etcd's gRPC codes and exact texts; detail after etcd's
// text stays off the wire, because etcd's clients match the text.
#include "server/api/status.h"

#include <catch2/catch.hpp>

using etcetera::kv::Error;
using etcetera::server::ApiError;
using etcetera::server::to_api_error;
using etcetera::server::api::to_status;

namespace {

grpc::Status on_the_wire(Error::Code code) {
  return to_status(to_api_error(etcetera::kv::fail(code, "some detail").error()));
}

}  // namespace

TEST_CASE("compacted and future revisions are OUT_OF_RANGE with etcd's texts") {
  auto compacted = on_the_wire(Error::Code::kCompacted);
  CHECK(compacted.error_code() == grpc::StatusCode::OUT_OF_RANGE);
  CHECK(compacted.error_message() == "etcdserver: mvcc: required revision has been compacted");
  auto future = on_the_wire(Error::Code::kFutureRevision);
  CHECK(future.error_code() == grpc::StatusCode::OUT_OF_RANGE);
  CHECK(future.error_message() == "etcdserver: mvcc: required revision is a future revision");
}

TEST_CASE("request mistakes are INVALID_ARGUMENT with etcd's texts") {
  CHECK(on_the_wire(Error::Code::kEmptyKey).error_message() == "etcdserver: key is not provided");
  CHECK(on_the_wire(Error::Code::kTooManyOps).error_message() ==
        "etcdserver: too many operations in txn request");
  CHECK(on_the_wire(Error::Code::kDuplicateKey).error_message() ==
        "etcdserver: duplicate key given in txn request");
  CHECK(on_the_wire(Error::Code::kRequestTooLarge).error_message() ==
        "etcdserver: request is too large");
  for (auto code : {Error::Code::kEmptyKey, Error::Code::kTooManyOps, Error::Code::kDuplicateKey,
                    Error::Code::kRequestTooLarge, Error::Code::kKeyNotFound,
                    Error::Code::kValueProvided, Error::Code::kLeaseProvided}) {
    CHECK(on_the_wire(code).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_CASE("lease errors have etcd's codes") {
  auto not_found = on_the_wire(Error::Code::kLeaseNotFound);
  CHECK(not_found.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(not_found.error_message() == "etcdserver: requested lease not found");
  auto exists = on_the_wire(Error::Code::kLeaseExists);
  CHECK(exists.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(exists.error_message() == "etcdserver: lease already exists");
  CHECK(on_the_wire(Error::Code::kLeaseTtlTooLarge).error_code() == grpc::StatusCode::OUT_OF_RANGE);
}

TEST_CASE("a failure that crossed raft maps like the error it encodes") {
  etcetera::kv::pb::Failure failure;
  failure.set_code(static_cast<int>(Error::Code::kCompacted));
  failure.set_message("mvcc: required revision has been compacted (revision 3)");
  auto status = to_status(to_api_error(failure));
  CHECK(status.error_code() == grpc::StatusCode::OUT_OF_RANGE);
  CHECK(status.error_message() == "etcdserver: mvcc: required revision has been compacted");
}

TEST_CASE("the member's own errors: no leader, member not found") {
  auto no_leader = to_status(etcetera::server::no_leader());
  CHECK(no_leader.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(no_leader.error_message() == "etcdserver: no leader");
  auto missing = to_status(etcetera::server::member_not_found());
  CHECK(missing.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(missing.error_message() == "etcdserver: member not found");
}

TEST_CASE("detail after etcd's text is cut, other messages pass unchanged") {
  auto cut = to_status(ApiError{ApiError::Code::kUnavailable, "etcdserver: no leader (term 7)"});
  CHECK(cut.error_message() == "etcdserver: no leader");
  auto kept = to_status(ApiError{ApiError::Code::kInvalidArgument, "watch id 4 is in use"});
  CHECK(kept.error_message() == "watch id 4 is in use");
  CHECK(kept.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}
