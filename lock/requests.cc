#include "lock/requests.h"

#include <cstdio>
#include <utility>

#include "kv/store.h"

namespace etcetera::lock {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;
using etcdserverpb::TxnRequest;

namespace {

RangeRequest read_key(const std::string& key) {
  RangeRequest range;
  range.set_key(key);
  return range;
}

// The keys under `prefix`, sorted by create revision, at most one.
RangeRequest read_by_create(const std::string& prefix, RangeRequest::SortOrder order) {
  RangeRequest range;
  range.set_key(prefix);
  range.set_range_end(kv::prefix_end(prefix));
  range.set_sort_target(RangeRequest::CREATE);
  range.set_sort_order(order);
  range.set_limit(1);
  return range;
}

}  // namespace

std::string queue_prefix(std::string_view name) {
  return std::string(name) + "/";
}

std::string queue_key(std::string_view prefix, kv::LeaseId lease) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(lease));
  return std::string(prefix) + hex;
}

Compare created_at(const std::string& key, kv::Revision revision) {
  Compare c;
  c.set_key(key);
  c.set_target(Compare::CREATE);
  c.set_result(Compare::EQUAL);
  c.set_create_revision(revision);
  return c;
}

TxnRequest enqueue(const std::string& key, const std::string& value, kv::LeaseId lease) {
  TxnRequest txn;
  *txn.add_compare() = created_at(key, 0);
  auto* put = txn.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(value);
  put->set_lease(lease);
  *txn.add_failure()->mutable_request_range() = read_key(key);
  return txn;
}

TxnRequest check_place(const std::string& key, const std::string& prefix, kv::Revision mine) {
  TxnRequest txn;
  *txn.add_success()->mutable_request_range() = read_key(key);
  RangeRequest ahead = read_by_create(prefix, RangeRequest::DESCEND);
  ahead.set_max_create_revision(mine - 1);
  *txn.add_success()->mutable_request_range() = std::move(ahead);
  return txn;
}

TxnRequest read_first(const std::string& prefix) {
  TxnRequest txn;
  *txn.add_success()->mutable_request_range() = read_by_create(prefix, RangeRequest::ASCEND);
  return txn;
}

TxnRequest read_key_and_first(const std::string& key, const std::string& prefix) {
  TxnRequest txn;
  *txn.add_success()->mutable_request_range() = read_key(key);
  *txn.add_success()->mutable_request_range() = read_by_create(prefix, RangeRequest::ASCEND);
  return txn;
}

TxnRequest delete_if_created_at(const std::string& key, kv::Revision revision) {
  TxnRequest txn;
  *txn.add_compare() = created_at(key, revision);
  txn.add_success()->mutable_request_delete_range()->set_key(key);
  return txn;
}

etcdserverpb::WatchCreateRequest watch_delete(const std::string& key, kv::Revision read_at) {
  etcdserverpb::WatchCreateRequest watch;
  watch.set_key(key);
  watch.set_start_revision(read_at + 1);
  watch.add_filters(etcdserverpb::WatchCreateRequest::NOPUT);
  return watch;
}

kv::pb::Request as_request(TxnRequest txn) {
  kv::pb::Request request;
  *request.mutable_txn() = std::move(txn);
  return request;
}

Result<etcdserverpb::TxnResponse> txn_response(const kv::pb::Response& response) {
  if (response.has_error()) return std::unexpected(from_store(response.error()));
  if (!response.has_txn()) {
    return fail(Error::Code::kStore, "the port answered a txn with another kind of response");
  }
  return response.txn();
}

}  // namespace etcetera::lock
