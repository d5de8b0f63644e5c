// Transactions: compare, then one branch of operations, as one revision.
//
// As in etcd, every compare along the way — the top-level ones and those of
// nested transactions in the chosen branches — is judged against the store as
// it was before the transaction, and the whole path is checked before the
// first write, so a refused transaction changes nothing.
#include <vector>

#include "kv/store.h"
#include "kv/validate.h"

namespace etcetera::kv {

using etcdserverpb::Compare;
using etcdserverpb::RequestOp;
using etcdserverpb::TxnRequest;

namespace {

// Which branch each transaction on the path takes: the outer one first, then
// the nested transactions of the chosen branch, in order, depth first.
struct TxnPath {
  bool succeeded = false;
  std::vector<TxnPath> nested;
};

template <class T>
bool compare_values(const T& actual, const T& wanted, Compare::CompareResult result) {
  switch (result) {
    case Compare::EQUAL:
      return actual == wanted;
    case Compare::NOT_EQUAL:
      return actual != wanted;
    case Compare::GREATER:
      return actual > wanted;
    case Compare::LESS:
      return actual < wanted;
    default:
      return false;
  }
}

bool compare_key_value(const Compare& c, const mvccpb::KeyValue& kv) {
  switch (c.target()) {
    case Compare::VERSION:
      return compare_values(kv.version(), c.version(), c.result());
    case Compare::CREATE:
      return compare_values(kv.create_revision(), c.create_revision(), c.result());
    case Compare::MOD:
      return compare_values(kv.mod_revision(), c.mod_revision(), c.result());
    case Compare::VALUE:
      return compare_values(kv.value(), c.value(), c.result());
    case Compare::LEASE:
      return compare_values(kv.lease(), c.lease(), c.result());
    default:
      return false;
  }
}

}  // namespace

bool Store::compare(const Compare& c) const {
  // Every key of the range must pass. An absent key compares as version,
  // revisions and lease 0, but a value compare on it fails: no value is not
  // the empty value (etcd's rule).
  std::vector<mvccpb::KeyValue> kvs;
  for_each_key(c.key(), c.range_end(), [&](const std::string&, const KeyIndex& index) {
    if (auto rev = index.visible_at(revision_)) kvs.push_back(key_value(*rev, records_.at(*rev)));
  });
  if (kvs.empty()) {
    return c.target() != Compare::VALUE && compare_key_value(c, mvccpb::KeyValue{});
  }
  for (const auto& kv : kvs) {
    if (!compare_key_value(c, kv)) return false;
  }
  return true;
}

namespace {

template <class CompareFn>
TxnPath choose_path(const TxnRequest& r, const CompareFn& compare) {
  TxnPath path;
  path.succeeded = true;
  for (const auto& c : r.compare()) {
    if (!compare(c)) {
      path.succeeded = false;
      break;
    }
  }
  for (const auto& op : path.succeeded ? r.success() : r.failure()) {
    if (op.has_request_txn()) path.nested.push_back(choose_path(op.request_txn(), compare));
  }
  return path;
}

}  // namespace

Result<etcdserverpb::TxnResponse> Store::txn(const TxnRequest& r) {
  if (auto ok = validate_txn(r, limits_); !ok) return std::unexpected(ok.error());
  const TxnPath path = choose_path(r, [this](const Compare& c) { return compare(c); });

  // Check every operation the path will run, against the store as it is,
  // in etcd's order: depth first, in the order of the operations, so that a
  // transaction with several faults reports the same one etcd does.
  auto check = [this](auto& self, const TxnRequest& txn, const TxnPath& p) -> Result<void> {
    std::size_t nested = 0;
    for (const RequestOp& op : p.succeeded ? txn.success() : txn.failure()) {
      Result<void> ok;
      if (op.has_request_put()) ok = check_put(op.request_put());
      if (op.has_request_range()) {
        if (auto at = check_range(op.request_range()); !at) ok = std::unexpected(at.error());
      }
      if (op.has_request_txn()) ok = self(self, op.request_txn(), p.nested[nested++]);
      if (!ok) return ok;
    }
    return {};
  };
  if (auto ok = check(check, r, path); !ok) return std::unexpected(ok.error());

  begin_write();
  auto run = [this](auto& self, const TxnRequest& txn,
                    const TxnPath& p) -> etcdserverpb::TxnResponse {
    etcdserverpb::TxnResponse response;
    response.set_succeeded(p.succeeded);
    std::size_t nested = 0;
    for (const RequestOp& op : p.succeeded ? txn.success() : txn.failure()) {
      etcdserverpb::ResponseOp* out = response.add_responses();
      if (op.has_request_range()) {
        auto read = range(op.request_range());  // checked above: cannot fail
        *out->mutable_response_range() = std::move(*read);
        out->mutable_response_range()->clear_header();
      } else if (op.has_request_put()) {
        *out->mutable_response_put() = do_put(op.request_put());
      } else if (op.has_request_delete_range()) {
        *out->mutable_response_delete_range() = do_delete_range(op.request_delete_range());
      } else if (op.has_request_txn()) {
        *out->mutable_response_txn() = self(self, op.request_txn(), p.nested[nested++]);
      }
    }
    return response;
  };
  auto response = run(run, r, path);
  end_write();
  response.mutable_header()->set_revision(revision_);
  return response;
}

}  // namespace etcetera::kv
