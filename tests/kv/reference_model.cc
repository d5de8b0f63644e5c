#include "tests/kv/reference_model.h"

#include <algorithm>
#include <compare>
#include <utility>

namespace etcetera::kv::reference {

using etcdserverpb::Compare;
using etcdserverpb::RangeRequest;
using etcdserverpb::RequestOp;
using etcdserverpb::TxnRequest;

namespace {

mvccpb::KeyValue key_value(const std::string& key, const Version& v) {
  mvccpb::KeyValue kv;
  kv.set_key(key);
  kv.set_create_revision(v.create_revision);
  kv.set_mod_revision(v.revision);
  kv.set_version(v.version);
  kv.set_value(v.value);
  kv.set_lease(v.lease);
  return kv;
}

// The outcome of one compare on one key-value.
bool holds(std::strong_ordering actual_vs_wanted, Compare::CompareResult result) {
  switch (result) {
    case Compare::EQUAL:
      return actual_vs_wanted == 0;
    case Compare::NOT_EQUAL:
      return actual_vs_wanted != 0;
    case Compare::GREATER:
      return actual_vs_wanted > 0;
    case Compare::LESS:
      return actual_vs_wanted < 0;
    default:
      return false;
  }
}

bool holds(const Compare& c, const mvccpb::KeyValue& kv) {
  switch (c.target()) {
    case Compare::VERSION:
      return holds(kv.version() <=> c.version(), c.result());
    case Compare::CREATE:
      return holds(kv.create_revision() <=> c.create_revision(), c.result());
    case Compare::MOD:
      return holds(kv.mod_revision() <=> c.mod_revision(), c.result());
    case Compare::VALUE:
      return holds(kv.value() <=> c.value(), c.result());
    case Compare::LEASE:
      return holds(kv.lease() <=> c.lease(), c.result());
    default:
      return false;
  }
}

// What a RangeRequest sorts on, for one key-value: a number or bytes.
std::pair<std::int64_t, std::string> sort_field(const mvccpb::KeyValue& kv,
                                                RangeRequest::SortTarget target) {
  switch (target) {
    case RangeRequest::VERSION:
      return {kv.version(), ""};
    case RangeRequest::CREATE:
      return {kv.create_revision(), ""};
    case RangeRequest::MOD:
      return {kv.mod_revision(), ""};
    case RangeRequest::VALUE:
      return {0, kv.value()};
    default:
      return {0, kv.key()};
  }
}

}  // namespace

const Version* Model::visible(const std::string& key, Revision at) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return nullptr;
  const Version* seen = nullptr;
  for (const Version& v : it->second) {
    if (v.revision <= at) seen = &v;  // versions are kept in the order they were written
  }
  return seen && !seen->deleted ? seen : nullptr;
}

bool Model::covers(const std::string& key, const std::string& range_end, const std::string& k) {
  if (range_end.empty()) return k == key;
  if (range_end == std::string(1, '\0')) return k >= key;
  return k >= key && k < range_end;
}

std::vector<std::string> Model::lease_keys(LeaseId id) const {
  std::vector<std::string> keys;
  for (const auto& [key, versions] : keys_) {
    const Version* now = visible(key, revision_);
    if (now && now->lease == id) keys.push_back(key);
  }
  return keys;
}

Result<void> Model::check_read_revision(std::int64_t requested) const {
  if (requested <= 0) return {};
  if (requested > revision_) return fail(Error::Code::kFutureRevision);
  if (requested < compact_revision_) return fail(Error::Code::kCompacted);
  return {};
}

// ---- Range -----------------------------------------------------------------

Result<etcdserverpb::RangeResponse> Model::read(const RangeRequest& r, Revision now) const {
  if (auto ok = validate_range(r); !ok) return std::unexpected(ok.error());
  if (auto ok = check_read_revision(r.revision()); !ok) return std::unexpected(ok.error());
  const Revision at = r.revision() > 0 ? r.revision() : now;

  std::int64_t count = 0;
  std::vector<mvccpb::KeyValue> kvs;
  for (const auto& [key, versions] : keys_) {
    if (!covers(r.key(), r.range_end(), key)) continue;
    const Version* v = visible(key, at);
    if (!v) continue;
    ++count;
    if (r.min_mod_revision() != 0 && v->revision < r.min_mod_revision()) continue;
    if (r.max_mod_revision() != 0 && v->revision > r.max_mod_revision()) continue;
    if (r.min_create_revision() != 0 && v->create_revision < r.min_create_revision()) continue;
    if (r.max_create_revision() != 0 && v->create_revision > r.max_create_revision()) continue;
    kvs.push_back(key_value(key, *v));
  }
  if (r.count_only()) kvs.clear();

  RangeRequest::SortOrder order = r.sort_order();
  if (order == RangeRequest::NONE && r.sort_target() != RangeRequest::KEY) {
    order = RangeRequest::ASCEND;
  }
  if (order != RangeRequest::NONE) {
    // Equal sort fields keep key order, whichever the direction.
    std::sort(kvs.begin(), kvs.end(), [&](const auto& a, const auto& b) {
      auto fa = sort_field(a, r.sort_target());
      auto fb = sort_field(b, r.sort_target());
      if (fa != fb) return order == RangeRequest::DESCEND ? fb < fa : fa < fb;
      return a.key() < b.key();
    });
  }

  etcdserverpb::RangeResponse response;
  for (std::size_t i = 0; i < kvs.size(); ++i) {
    if (r.limit() > 0 && i == static_cast<std::size_t>(r.limit())) {
      response.set_more(true);
      break;
    }
    mvccpb::KeyValue* kv = response.add_kvs();
    *kv = kvs[i];
    if (r.keys_only()) kv->set_value("");
  }
  response.set_count(count);
  return response;
}

Result<etcdserverpb::RangeResponse> Model::range(const RangeRequest& r) const {
  auto response = read(r, revision_);
  if (response) response->mutable_header()->set_revision(revision_);
  return response;
}

// ---- Put and delete --------------------------------------------------------

Result<void> Model::check_put(const etcdserverpb::PutRequest& r) const {
  if ((r.ignore_value() || r.ignore_lease()) && !visible(r.key(), revision_)) {
    return fail(Error::Code::kKeyNotFound);
  }
  if (r.lease() != 0 && !leases_.contains(r.lease())) return fail(Error::Code::kLeaseNotFound);
  return {};
}

etcdserverpb::PutResponse Model::write_put(const etcdserverpb::PutRequest& r, Revision at,
                                           bool& wrote) {
  etcdserverpb::PutResponse response;
  Version next{at, at, 1, r.value(), r.lease(), false};
  if (const Version* prev = visible(r.key(), at)) {
    next.create_revision = prev->create_revision;
    next.version = prev->version + 1;
    if (r.ignore_value()) next.value = prev->value;
    if (r.ignore_lease()) next.lease = prev->lease;
    if (r.prev_kv()) *response.mutable_prev_kv() = key_value(r.key(), *prev);
  }
  keys_[r.key()].push_back(std::move(next));
  wrote = true;
  return response;
}

Result<etcdserverpb::PutResponse> Model::put(const etcdserverpb::PutRequest& r) {
  if (auto ok = validate_put(r); !ok) return std::unexpected(ok.error());
  // etcd's Put looks the lease up first, then (for ignore_*) the key; inside a
  // transaction the order is the other way round (check_put).
  if (r.lease() != 0 && !leases_.contains(r.lease())) return fail(Error::Code::kLeaseNotFound);
  if (auto ok = check_put(r); !ok) return std::unexpected(ok.error());
  bool wrote = false;
  auto response = write_put(r, revision_ + 1, wrote);
  ++revision_;
  response.mutable_header()->set_revision(revision_);
  return response;
}

etcdserverpb::DeleteRangeResponse Model::write_delete(const etcdserverpb::DeleteRangeRequest& r,
                                                      Revision at, bool& wrote) {
  etcdserverpb::DeleteRangeResponse response;
  for (auto& [key, versions] : keys_) {
    if (!covers(r.key(), r.range_end(), key)) continue;
    const Version* v = visible(key, at);
    if (!v) continue;
    if (r.prev_kv()) *response.add_prev_kvs() = key_value(key, *v);
    response.set_deleted(response.deleted() + 1);
    versions.push_back(Version{at, 0, 0, "", 0, true});
    wrote = true;
  }
  return response;
}

Result<etcdserverpb::DeleteRangeResponse> Model::delete_range(
    const etcdserverpb::DeleteRangeRequest& r) {
  if (auto ok = validate_delete_range(r); !ok) return std::unexpected(ok.error());
  bool wrote = false;
  auto response = write_delete(r, revision_ + 1, wrote);
  if (wrote) ++revision_;
  response.mutable_header()->set_revision(revision_);
  return response;
}

// ---- Txn -------------------------------------------------------------------

bool Model::succeeds(const TxnRequest& r, Revision at) const {
  for (const Compare& c : r.compare()) {
    std::vector<mvccpb::KeyValue> kvs;
    for (const auto& [key, versions] : keys_) {
      if (!covers(c.key(), c.range_end(), key)) continue;
      if (const Version* v = visible(key, at)) kvs.push_back(key_value(key, *v));
    }
    if (kvs.empty()) {
      // No key: zeros everywhere, and no value to compare at all.
      if (c.target() == Compare::VALUE) return false;
      kvs.emplace_back();
    }
    for (const auto& kv : kvs) {
      if (!holds(c, kv)) return false;
    }
  }
  return true;
}

etcdserverpb::TxnResponse Model::run_txn(const TxnRequest& r, Revision at, bool& wrote) {
  // Compares, nested ones included, see the store before the transaction
  // (revision_ only moves once it is over); operations see its writes (at).
  etcdserverpb::TxnResponse response;
  response.set_succeeded(succeeds(r, revision_));
  for (const RequestOp& op : response.succeeded() ? r.success() : r.failure()) {
    etcdserverpb::ResponseOp* out = response.add_responses();
    switch (op.request_case()) {
      case RequestOp::kRequestRange:
        *out->mutable_response_range() = *read(op.request_range(), at);
        break;
      case RequestOp::kRequestPut:
        *out->mutable_response_put() = write_put(op.request_put(), at, wrote);
        break;
      case RequestOp::kRequestDeleteRange:
        *out->mutable_response_delete_range() = write_delete(op.request_delete_range(), at, wrote);
        break;
      case RequestOp::kRequestTxn:
        *out->mutable_response_txn() = run_txn(op.request_txn(), at, wrote);
        break;
      default:
        break;
    }
  }
  return response;
}

Result<etcdserverpb::TxnResponse> Model::txn(const TxnRequest& r) {
  if (auto ok = validate_txn(r, limits_); !ok) return std::unexpected(ok.error());
  // etcd checks the operations the transaction will run, depth first in
  // their order, against the store before it: a refused one writes nothing.
  auto check = [this](auto& self, const TxnRequest& t) -> Result<void> {
    for (const RequestOp& op : succeeds(t, revision_) ? t.success() : t.failure()) {
      Result<void> ok;
      if (op.has_request_put()) ok = check_put(op.request_put());
      if (op.has_request_range()) ok = check_read_revision(op.request_range().revision());
      if (op.has_request_txn()) ok = self(self, op.request_txn());
      if (!ok) return ok;
    }
    return {};
  };
  if (auto ok = check(check, r); !ok) return std::unexpected(ok.error());

  bool wrote = false;
  auto response = run_txn(r, revision_ + 1, wrote);
  if (wrote) ++revision_;
  response.mutable_header()->set_revision(revision_);
  return response;
}

// ---- Compaction and leases -------------------------------------------------

Result<etcdserverpb::CompactionResponse> Model::compact(const etcdserverpb::CompactionRequest& r) {
  if (r.revision() <= compact_revision_) return fail(Error::Code::kCompacted);
  if (r.revision() > revision_) return fail(Error::Code::kFutureRevision);
  compact_revision_ = r.revision();  // the history stays; reads below it are refused
  etcdserverpb::CompactionResponse response;
  response.mutable_header()->set_revision(revision_);
  return response;
}

Result<etcdserverpb::LeaseGrantResponse> Model::lease_grant(
    const etcdserverpb::LeaseGrantRequest& r, LeaseId generated) {
  if (auto ok = validate_lease_grant(r); !ok) return std::unexpected(ok.error());
  const LeaseId id = r.id() == 0 ? generated : r.id();
  if (id <= 0) return fail(Error::Code::kInvalidArgument);
  if (leases_.contains(id)) return fail(Error::Code::kLeaseExists);
  const std::int64_t ttl = r.ttl() < limits_.min_lease_ttl ? limits_.min_lease_ttl : r.ttl();
  leases_[id] = ttl;
  etcdserverpb::LeaseGrantResponse response;
  response.set_id(id);
  response.set_ttl(ttl);
  response.mutable_header()->set_revision(revision_);
  return response;
}

Result<etcdserverpb::LeaseRevokeResponse> Model::lease_revoke(
    const etcdserverpb::LeaseRevokeRequest& r) {
  if (!leases_.contains(r.id())) return fail(Error::Code::kLeaseNotFound);
  const std::vector<std::string> keys = lease_keys(r.id());
  for (const auto& key : keys)
    keys_[key].push_back(Version{revision_ + 1, 0, 0, "", 0, true});
  if (!keys.empty()) ++revision_;
  leases_.erase(r.id());
  etcdserverpb::LeaseRevokeResponse response;
  response.mutable_header()->set_revision(revision_);
  return response;
}

}  // namespace etcetera::kv::reference
