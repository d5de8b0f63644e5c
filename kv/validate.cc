#include "kv/validate.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace etcetera::kv {

using etcdserverpb::RequestOp;
using etcdserverpb::TxnRequest;
using Ops = google::protobuf::RepeatedPtrField<RequestOp>;

Result<void> validate_range(const etcdserverpb::RangeRequest& r) {
  if (r.key().empty()) return fail(Error::Code::kEmptyKey, "range");
  if (!etcdserverpb::RangeRequest::SortOrder_IsValid(r.sort_order())) {
    return fail(Error::Code::kInvalidArgument,
                "unknown sort order " + std::to_string(r.sort_order()));
  }
  if (!etcdserverpb::RangeRequest::SortTarget_IsValid(r.sort_target())) {
    return fail(Error::Code::kInvalidArgument,
                "unknown sort target " + std::to_string(r.sort_target()));
  }
  return {};
}

Result<void> validate_put(const etcdserverpb::PutRequest& r) {
  if (r.key().empty()) return fail(Error::Code::kEmptyKey, "put");
  if (r.ignore_value() && !r.value().empty()) {
    return fail(Error::Code::kValueProvided, "a put with ignore_value must not carry a value");
  }
  if (r.ignore_lease() && r.lease() != 0) {
    return fail(Error::Code::kLeaseProvided, "a put with ignore_lease must not name a lease");
  }
  if (r.lease() < 0) return fail(Error::Code::kLeaseNotFound, "lease " + std::to_string(r.lease()));
  return {};
}

Result<void> validate_delete_range(const etcdserverpb::DeleteRangeRequest& r) {
  if (r.key().empty()) return fail(Error::Code::kEmptyKey, "delete");
  return {};
}

namespace {

// A deleted range [key, end): end "" is the key alone, "\0" every key after it.
struct Span {
  std::string key, end;
  bool covers(const std::string& k) const {
    if (end.empty()) return k == key;
    return k >= key && (end == std::string(1, '\0') || k < end);
  }
};

// What one branch may write: the keys it puts and the ranges it deletes.
struct Writes {
  std::set<std::string> puts;
  std::vector<Span> deletes;
  bool deleted(const std::string& k) const {
    for (const auto& span : deletes) {
      if (span.covers(k)) return true;
    }
    return false;
  }
};

std::unexpected<Error> duplicate(const std::string& key) {
  return fail(Error::Code::kDuplicateKey, "key \"" + key + "\" is written twice");
}

// etcd's rule for a transaction: along any path, a key is put at most once
// and never inside a range the same path deletes. The two branches of a
// nested transaction never both run, so they may put the same key.
Result<Writes> branch_writes(const Ops& ops) {
  Writes writes;
  for (const RequestOp& op : ops) {
    if (op.has_request_delete_range()) {
      writes.deletes.push_back(
          {op.request_delete_range().key(), op.request_delete_range().range_end()});
    }
  }
  for (const RequestOp& op : ops) {
    if (!op.has_request_txn()) continue;
    auto then_writes = branch_writes(op.request_txn().success());
    if (!then_writes) return then_writes;
    auto else_writes = branch_writes(op.request_txn().failure());
    if (!else_writes) return else_writes;
    for (const auto& key : then_writes->puts) {
      if (writes.puts.contains(key) || writes.deleted(key)) return duplicate(key);
    }
    for (const auto& key : else_writes->puts) {
      if ((writes.puts.contains(key) && !then_writes->puts.contains(key)) || writes.deleted(key)) {
        return duplicate(key);
      }
    }
    writes.puts.insert(then_writes->puts.begin(), then_writes->puts.end());
    writes.puts.insert(else_writes->puts.begin(), else_writes->puts.end());
    for (auto* branch : {&*then_writes, &*else_writes}) {
      writes.deletes.insert(writes.deletes.end(), branch->deletes.begin(), branch->deletes.end());
    }
  }
  for (const RequestOp& op : ops) {
    if (!op.has_request_put()) continue;
    const std::string& key = op.request_put().key();
    if (writes.puts.contains(key) || writes.deleted(key)) return duplicate(key);
    writes.puts.insert(key);
  }
  return writes;
}

// etcd's op budget: a transaction may hold as many compares, and as many
// operations in each branch, as the budget allows, and a transaction nested
// in it has what is left once the largest of those lists is taken off. So a
// chain of one-operation transactions may be 128 deep (with the default of
// 128), and no deeper.
Result<void> validate_ops(const TxnRequest& r, int budget, int depth) {
  const int largest = std::max({r.compare_size(), r.success_size(), r.failure_size()});
  if (largest > budget) {
    return fail(Error::Code::kTooManyOps,
                std::to_string(largest) + " compares or operations in one list, at depth " +
                    std::to_string(depth) + " where " + std::to_string(budget) +
                    " are left of the limit");
  }
  for (const auto* ops : {&r.success(), &r.failure()}) {
    for (const RequestOp& op : *ops) {
      Result<void> ok;
      switch (op.request_case()) {
        case RequestOp::kRequestRange:
          ok = validate_range(op.request_range());
          break;
        case RequestOp::kRequestPut:
          ok = validate_put(op.request_put());
          break;
        case RequestOp::kRequestDeleteRange:
          ok = validate_delete_range(op.request_delete_range());
          break;
        case RequestOp::kRequestTxn:
          ok = validate_ops(op.request_txn(), budget - largest, depth + 1);
          break;
        default:
          ok = fail(Error::Code::kInvalidArgument, "a transaction operation with no request");
      }
      if (!ok) return ok;
    }
  }
  return {};
}

}  // namespace

Result<void> validate_txn(const TxnRequest& r, const Limits& limits) {
  if (auto ok = validate_ops(r, limits.max_txn_ops, 1); !ok) return ok;
  if (auto writes = branch_writes(r.success()); !writes) return std::unexpected(writes.error());
  if (auto writes = branch_writes(r.failure()); !writes) return std::unexpected(writes.error());
  return {};
}

Result<void> validate_lease_grant(const etcdserverpb::LeaseGrantRequest& r) {
  if (r.ttl() > kMaxLeaseTtl) {
    return fail(Error::Code::kLeaseTtlTooLarge,
                std::to_string(r.ttl()) + " s, the limit is " + std::to_string(kMaxLeaseTtl));
  }
  if (r.id() < 0) return fail(Error::Code::kInvalidArgument, "lease id must not be negative");
  return {};
}

Result<void> validate_request(const pb::Request& request, const Limits& limits) {
  const std::size_t size = request.ByteSizeLong();
  if (size > limits.max_request_bytes) {
    return fail(Error::Code::kRequestTooLarge, std::to_string(size) + " bytes, the limit is " +
                                                   std::to_string(limits.max_request_bytes));
  }
  switch (request.op_case()) {
    case pb::Request::kPut:
      return validate_put(request.put());
    case pb::Request::kDeleteRange:
      return validate_delete_range(request.delete_range());
    case pb::Request::kTxn:
      return validate_txn(request.txn(), limits);
    case pb::Request::kCompaction:
      if (request.compaction().revision() <= 0) {
        return fail(Error::Code::kInvalidArgument, "compaction needs a revision above 0");
      }
      return {};
    case pb::Request::kLeaseGrant:
      return validate_lease_grant(request.lease_grant());
    case pb::Request::kLeaseRevoke:
      return {};
    default:
      return fail(Error::Code::kInvalidArgument, "a request with no operation");
  }
}

}  // namespace etcetera::kv
