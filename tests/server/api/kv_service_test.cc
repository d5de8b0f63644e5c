// The KV service over gRPC: etcd's range options, writes, transactions,
// compaction, and etcd's errors for requests it refuses.
#include <catch2/catch.hpp>

#include "kv/store.h"
#include "tests/server/api/test_server.h"

using namespace etcdserverpb;
using etcetera::server::testing::FakeBackend;
using etcetera::server::testing::TestServer;

namespace {

RangeResponse range(TestServer& s, RangeRequest r, grpc::Status* status = nullptr) {
  RangeResponse response;
  grpc::Status st = s.kv->Range(TestServer::context().get(), r, &response);
  if (status)
    *status = st;
  else
    REQUIRE(st.ok());
  return response;
}

RangeRequest prefix(const std::string& p) {
  RangeRequest r;
  r.set_key(p);
  r.set_range_end(etcetera::kv::prefix_end(p));
  return r;
}

}  // namespace

TEST_CASE("put then range: one key, a prefix, limit, count_only, keys_only, sort") {
  TestServer s;
  PutResponse put = s.put("a/1", "one");
  REQUIRE(s.last.ok());
  CHECK(put.header().revision() == 2);
  CHECK(put.header().cluster_id() == FakeBackend::kClusterId);
  CHECK(put.header().member_id() == FakeBackend::kMemberId);
  s.put("a/2", "two");
  s.put("a/3", "three");
  s.put("b", "other");

  RangeRequest one;
  one.set_key("a/2");
  auto got = range(s, one);
  REQUIRE(got.kvs_size() == 1);
  CHECK(got.kvs(0).value() == "two");
  CHECK(got.header().revision() == 5);

  auto all = range(s, prefix("a/"));
  CHECK(all.count() == 3);
  CHECK(all.kvs_size() == 3);

  auto limited = prefix("a/");
  limited.set_limit(2);
  auto two = range(s, limited);
  CHECK(two.kvs_size() == 2);
  CHECK(two.more());
  CHECK(two.count() == 3);

  auto counting = prefix("a/");
  counting.set_count_only(true);
  auto counted = range(s, counting);
  CHECK(counted.count() == 3);
  CHECK(counted.kvs_size() == 0);

  auto keys = prefix("a/");
  keys.set_keys_only(true);
  auto only_keys = range(s, keys);
  REQUIRE(only_keys.kvs_size() == 3);
  CHECK(only_keys.kvs(0).value().empty());

  auto sorted = prefix("a/");
  sorted.set_sort_order(RangeRequest::DESCEND);
  sorted.set_sort_target(RangeRequest::KEY);
  auto descending = range(s, sorted);
  REQUIRE(descending.kvs_size() == 3);
  CHECK(descending.kvs(0).key() == "a/3");
}

TEST_CASE("a range at a past revision sees the value then") {
  TestServer s;
  s.put("k", "v1");  // revision 2
  s.put("k", "v2");  // revision 3
  RangeRequest r;
  r.set_key("k");
  r.set_revision(2);
  auto old = range(s, r);
  REQUIRE(old.kvs_size() == 1);
  CHECK(old.kvs(0).value() == "v1");
}

TEST_CASE("delete a range, with the previous values") {
  TestServer s;
  s.put("d/1", "x");
  s.put("d/2", "y");
  DeleteRangeRequest r;
  r.set_key("d/");
  r.set_range_end(etcetera::kv::prefix_end("d/"));
  r.set_prev_kv(true);
  DeleteRangeResponse response;
  REQUIRE(s.kv->DeleteRange(TestServer::context().get(), r, &response).ok());
  CHECK(response.deleted() == 2);
  CHECK(response.prev_kvs_size() == 2);
  CHECK(range(s, prefix("d/")).count() == 0);
}

TEST_CASE("txn: a compare picks the branch") {
  TestServer s;
  s.put("t", "1");
  TxnRequest txn;
  Compare* c = txn.add_compare();
  c->set_key("t");
  c->set_target(Compare::VALUE);
  c->set_result(Compare::EQUAL);
  c->set_value("1");
  txn.add_success()->mutable_request_put()->set_key("t");
  txn.mutable_success(0)->mutable_request_put()->set_value("2");
  txn.add_failure()->mutable_request_range()->set_key("t");
  TxnResponse response;
  REQUIRE(s.kv->Txn(TestServer::context().get(), txn, &response).ok());
  CHECK(response.succeeded());
  REQUIRE(response.responses_size() == 1);
  CHECK(response.responses(0).has_response_put());

  TxnResponse again;
  REQUIRE(s.kv->Txn(TestServer::context().get(), txn, &again).ok());
  CHECK_FALSE(again.succeeded());
  REQUIRE(again.responses_size() == 1);
  CHECK(again.responses(0).response_range().kvs(0).value() == "2");
}

TEST_CASE("compact, then a range at a compacted revision is OUT_OF_RANGE") {
  TestServer s;
  s.put("c", "1");  // 2
  s.put("c", "2");  // 3
  s.put("c", "3");  // 4
  CompactionRequest compact;
  compact.set_revision(3);
  CompactionResponse compacted;
  REQUIRE(s.kv->Compact(TestServer::context().get(), compact, &compacted).ok());
  CHECK(compacted.header().revision() == 4);

  RangeRequest r;
  r.set_key("c");
  r.set_revision(2);
  grpc::Status status;
  range(s, r, &status);
  CHECK(status.error_code() == grpc::StatusCode::OUT_OF_RANGE);
  CHECK(status.error_message() == "etcdserver: mvcc: required revision has been compacted");
}

TEST_CASE("a range at a future revision is OUT_OF_RANGE") {
  TestServer s;
  s.put("f", "1");
  RangeRequest r;
  r.set_key("f");
  r.set_revision(100);
  grpc::Status status;
  range(s, r, &status);
  CHECK(status.error_code() == grpc::StatusCode::OUT_OF_RANGE);
  CHECK(status.error_message() == "etcdserver: mvcc: required revision is a future revision");
}

TEST_CASE("a txn with too many operations is refused") {
  TestServer s;
  TxnRequest txn;
  for (int i = 0; i < 129; ++i) {
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key("k" + std::to_string(i));
    put->set_value("v");
  }
  TxnResponse response;
  auto status = s.kv->Txn(TestServer::context().get(), txn, &response);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "etcdserver: too many operations in txn request");
}

TEST_CASE("a put with an empty key is refused") {
  TestServer s;
  s.put("", "v");
  CHECK(s.last.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(s.last.error_message() == "etcdserver: key is not provided");
}

TEST_CASE("oversized requests are refused, never crash the server") {
  TestServer s;
  // Past etcd's 1.5 MiB limit but within gRPC's: the member refuses it.
  s.put("big", std::string(1600 * 1024, 'x'));
  CHECK(s.last.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(s.last.error_message() == "etcdserver: request is too large");
  // Past gRPC's limit: gRPC refuses it before it is decoded.
  s.put("bigger", std::string(3 * 1024 * 1024, 'x'));
  CHECK(s.last.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The server still serves.
  s.put("small", "ok");
  CHECK(s.last.ok());
}

TEST_CASE("a member that does not answer in time: DEADLINE_EXCEEDED, and it serves after") {
  TestServer s;
  s.backend.stall(true);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  RangeRequest r;
  r.set_key("k");
  RangeResponse response;
  auto status = s.kv->Range(&context, r, &response);
  CHECK(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  s.backend.stall(false);  // the late answer finds nobody waiting, and is dropped
  s.put("k", "v");
  CHECK(s.last.ok());
}
