// Bytes that are not the message a method expects: a request that does not
// decode, one cut short, a length running past the end. gRPC hands the
// service nothing it cannot parse, so each is refused, with etcd's INTERNAL
// "grpc: error unmarshalling request: ..." (server/grpc_decode.h), and the
// server goes on serving; none reaches the Backend.
#include <catch2/catch.hpp>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <future>

#include "tests/server/api/test_server.h"

namespace etcetera::server::testing {
namespace {

// Calls `method` with `bytes` as the request, unchecked: what a broken or
// hostile client can send. Returns the call's status.
grpc::Status call_raw(TestServer& s, const std::string& method, const std::string& bytes) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(s.server.port()),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  auto context = TestServer::context();
  std::promise<grpc::Status> done;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

std::string valid_put() {
  etcdserverpb::PutRequest put;
  put.set_key("k");
  put.set_value(std::string(100, 'v'));
  return put.SerializeAsString();
}

}  // namespace

TEST_CASE("a request that does not decode is refused and the server keeps serving") {
  TestServer s;
  const std::string put = valid_put();
  const std::vector<std::pair<std::string, std::string>> broken = {
      {"random bytes", "\xff\xfe\xfd\x01\x02\x03\x80\x80\x80"},
      {"a put cut in the middle of its value", put.substr(0, put.size() / 2)},
      {"a length that runs past the end", std::string("\x0a\x7f", 2) + "abc"},
  };
  for (const auto& method : {"/etcdserverpb.KV/Put", "/etcdserverpb.KV/Range",
                             "/etcdserverpb.KV/Txn", "/etcdserverpb.Lease/LeaseGrant"}) {
    for (const auto& [what, bytes] : broken) {
      INFO(method << ": " << what);
      const grpc::Status status = call_raw(s, method, bytes);
      CHECK(status.error_code() == grpc::StatusCode::INTERNAL);
      CHECK_THAT(status.error_message(), Catch::StartsWith("grpc: error unmarshalling request: "));
    }
  }
  // A field of the wrong wire type is no decoding error: protobuf keeps it
  // as an unknown field. The put then has no key, and is refused for that.
  const grpc::Status no_key =
      call_raw(s, "/etcdserverpb.KV/Put", std::string("\x0d\x01\x02\x03\x04", 5));
  CHECK(no_key.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(no_key.error_message() == "etcdserver: key is not provided");
  // Still serving, and nothing of the above was applied.
  s.put("after", "fine");
  REQUIRE(s.last.ok());
  etcdserverpb::RangeRequest range;
  range.set_key("k");
  etcdserverpb::RangeResponse response;
  REQUIRE(s.kv->Range(TestServer::context().get(), range, &response).ok());
  CHECK(response.kvs().empty());
}

TEST_CASE("a well-formed request sent raw is served like any other") {
  // The control for the test above: the same path with valid bytes works, so
  // the refusals there come from the bytes, not from the raw call.
  TestServer s;
  const grpc::Status status = call_raw(s, "/etcdserverpb.KV/Put", valid_put());
  REQUIRE(status.ok());
  etcdserverpb::RangeRequest range;
  range.set_key("k");
  etcdserverpb::RangeResponse response;
  REQUIRE(s.kv->Range(TestServer::context().get(), range, &response).ok());
  CHECK(response.kvs_size() == 1);
}

}  // namespace etcetera::server::testing
