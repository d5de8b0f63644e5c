#include "kv/store.h"

#include <algorithm>

#include "kv/validate.h"

namespace etcetera::kv {

using etcdserverpb::RangeRequest;

std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

const Store::Record* Store::visible(const std::string& key, Revision at) const {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  auto rev = it->second.visible_at(at);
  return rev ? &records_.at(*rev) : nullptr;
}

mvccpb::KeyValue Store::key_value(RevisionId rev, const Record& record) const {
  mvccpb::KeyValue kv;
  kv.set_key(record.key);
  kv.set_mod_revision(rev.main);
  if (record.tombstone) return kv;
  kv.set_create_revision(record.create_revision);
  kv.set_version(record.version);
  kv.set_value(record.value);
  kv.set_lease(record.lease);
  return kv;
}

Result<Revision> Store::check_read_revision(std::int64_t requested) const {
  if (requested <= 0) return read_revision();
  if (requested > revision_) {
    return fail(Error::Code::kFutureRevision, "revision " + std::to_string(requested) +
                                                  " requested, the store is at " +
                                                  std::to_string(revision_));
  }
  if (requested < compact_revision_) {
    return fail(Error::Code::kCompacted, "revision " + std::to_string(requested) +
                                             " requested, compacted through " +
                                             std::to_string(compact_revision_));
  }
  return requested;
}

// ---- Range -----------------------------------------------------------------

namespace {

// The sort key of a KeyValue for a RangeRequest's sort target, compared
// with the key as the tie-break so that the order is total.
bool sorts_before(const mvccpb::KeyValue& a, const mvccpb::KeyValue& b,
                  RangeRequest::SortTarget target) {
  switch (target) {
    case RangeRequest::VERSION:
      return a.version() < b.version();
    case RangeRequest::CREATE:
      return a.create_revision() < b.create_revision();
    case RangeRequest::MOD:
      return a.mod_revision() < b.mod_revision();
    case RangeRequest::VALUE:
      return a.value() < b.value();
    default:
      return a.key() < b.key();
  }
}

bool passes_filters(const mvccpb::KeyValue& kv, const RangeRequest& r) {
  if (r.min_mod_revision() > 0 && kv.mod_revision() < r.min_mod_revision()) return false;
  if (r.max_mod_revision() > 0 && kv.mod_revision() > r.max_mod_revision()) return false;
  if (r.min_create_revision() > 0 && kv.create_revision() < r.min_create_revision()) return false;
  if (r.max_create_revision() > 0 && kv.create_revision() > r.max_create_revision()) return false;
  return true;
}

}  // namespace

Result<Revision> Store::check_range(const RangeRequest& r) const {
  if (auto ok = validate_range(r); !ok) return std::unexpected(ok.error());
  return check_read_revision(r.revision());
}

Result<etcdserverpb::RangeResponse> Store::range(const RangeRequest& r) const {
  auto at = check_range(r);
  if (!at) return std::unexpected(at.error());

  etcdserverpb::RangeResponse response;
  std::int64_t count = 0;
  std::vector<mvccpb::KeyValue> kvs;
  for_each_key(r.key(), r.range_end(), [&](const std::string&, const KeyIndex& index) {
    auto rev = index.visible_at(*at);
    if (!rev) return;
    ++count;  // counted before the revision filters, as etcd does
    if (r.count_only()) return;
    mvccpb::KeyValue kv = key_value(*rev, records_.at(*rev));
    if (passes_filters(kv, r)) kvs.push_back(std::move(kv));
  });

  // etcd's rule: a sort target other than the key with no order means ascending.
  auto order = r.sort_order();
  if (order == RangeRequest::NONE && r.sort_target() != RangeRequest::KEY)
    order = RangeRequest::ASCEND;
  if (order != RangeRequest::NONE) {
    // Keys come in key order; a stable sort keeps that order among equals.
    std::stable_sort(kvs.begin(), kvs.end(), [&](const auto& a, const auto& b) {
      return order == RangeRequest::ASCEND ? sorts_before(a, b, r.sort_target())
                                           : sorts_before(b, a, r.sort_target());
    });
  }
  if (r.limit() > 0 && kvs.size() > static_cast<std::size_t>(r.limit())) {
    kvs.resize(static_cast<std::size_t>(r.limit()));
    response.set_more(true);
  }
  for (auto& kv : kvs) {
    if (r.keys_only()) kv.clear_value();
    *response.add_kvs() = std::move(kv);
  }
  response.set_count(count);
  response.mutable_header()->set_revision(read_revision());
  return response;
}

// ---- Writes ----------------------------------------------------------------

void Store::begin_write() {
  writing_ = true;
  write_ = RevisionId{revision_ + 1, 0};
}

void Store::end_write() {
  // A request that changed nothing (a delete of absent keys, a read-only
  // transaction) leaves the revision where it was.
  if (write_.sub > 0) revision_ = write_.main;
  writing_ = false;
}

void Store::write_put(const std::string& key, std::string value, LeaseId lease,
                      mvccpb::KeyValue* prev_kv) {
  const Record* prev = visible(key, write_.main);
  auto prev_rev = prev ? index_.at(key).visible_at(write_.main) : std::nullopt;
  Record record{key,
                std::move(value),
                prev ? prev->create_revision : write_.main,
                prev ? prev->version + 1 : 1,
                lease,
                false};

  mvccpb::Event event;
  event.set_type(mvccpb::Event::PUT);
  if (prev) {
    *event.mutable_prev_kv() = key_value(*prev_rev, *prev);
    if (prev_kv) *prev_kv = event.prev_kv();
    lessor_.detach(prev->lease, key);
  }
  lessor_.attach(lease, key);
  index_[key].put(write_);
  *event.mutable_kv() = key_value(write_, record);
  stored_bytes_ += record.key.size() + record.value.size();
  records_.emplace(write_, std::move(record));
  events_.push_back(std::move(event));
  ++write_.sub;
}

bool Store::write_delete(const std::string& key, mvccpb::KeyValue* prev_kv) {
  const Record* prev = visible(key, write_.main);
  if (!prev) return false;
  auto prev_rev = *index_.at(key).visible_at(write_.main);
  mvccpb::Event event;
  event.set_type(mvccpb::Event::DELETE);
  *event.mutable_prev_kv() = key_value(prev_rev, *prev);
  if (prev_kv) *prev_kv = event.prev_kv();
  lessor_.detach(prev->lease, key);

  Record tombstone{key, "", 0, 0, 0, true};
  index_[key].tombstone(write_);
  *event.mutable_kv() = key_value(write_, tombstone);
  stored_bytes_ += key.size();
  records_.emplace(write_, std::move(tombstone));
  events_.push_back(std::move(event));
  ++write_.sub;
  return true;
}

Result<void> Store::check_lease(const etcdserverpb::PutRequest& r) const {
  if (r.lease() != 0 && !lessor_.contains(r.lease())) {
    return fail(Error::Code::kLeaseNotFound, "lease " + std::to_string(r.lease()));
  }
  return {};
}

Result<void> Store::check_put(const etcdserverpb::PutRequest& r) const {
  // etcd's order for a put inside a transaction: the key, then the lease.
  if (auto ok = validate_put(r); !ok) return ok;
  if ((r.ignore_value() || r.ignore_lease()) && !visible(r.key(), read_revision())) {
    return fail(
        Error::Code::kKeyNotFound,
        std::string(r.ignore_value() ? "ignore_value" : "ignore_lease") + " needs an existing key");
  }
  return check_lease(r);
}

etcdserverpb::PutResponse Store::do_put(const etcdserverpb::PutRequest& r) {
  const Record* prev = visible(r.key(), write_.main);
  std::string value = r.ignore_value() ? prev->value : r.value();
  LeaseId lease = r.ignore_lease() ? prev->lease : r.lease();
  etcdserverpb::PutResponse response;
  mvccpb::KeyValue prev_kv;
  write_put(r.key(), std::move(value), lease, &prev_kv);
  if (r.prev_kv() && !prev_kv.key().empty()) *response.mutable_prev_kv() = std::move(prev_kv);
  return response;
}

Result<etcdserverpb::PutResponse> Store::put(const etcdserverpb::PutRequest& r) {
  // A put on its own looks its lease up first, as etcd's Put does.
  if (auto ok = validate_put(r); !ok) return std::unexpected(ok.error());
  if (auto ok = check_lease(r); !ok) return std::unexpected(ok.error());
  if (auto ok = check_put(r); !ok) return std::unexpected(ok.error());
  begin_write();
  auto response = do_put(r);
  end_write();
  response.mutable_header()->set_revision(revision_);
  return response;
}

etcdserverpb::DeleteRangeResponse Store::do_delete_range(
    const etcdserverpb::DeleteRangeRequest& r) {
  std::vector<std::string> keys;
  for_each_key(r.key(), r.range_end(), [&](const std::string& key, const KeyIndex& index) {
    if (index.visible_at(write_.main)) keys.push_back(key);
  });
  etcdserverpb::DeleteRangeResponse response;
  for (const auto& key : keys) {
    mvccpb::KeyValue prev;
    if (!write_delete(key, &prev)) continue;
    response.set_deleted(response.deleted() + 1);
    if (r.prev_kv()) *response.add_prev_kvs() = std::move(prev);
  }
  return response;
}

Result<etcdserverpb::DeleteRangeResponse> Store::delete_range(
    const etcdserverpb::DeleteRangeRequest& r) {
  if (auto ok = validate_delete_range(r); !ok) return std::unexpected(ok.error());
  begin_write();
  auto response = do_delete_range(r);
  end_write();
  response.mutable_header()->set_revision(revision_);
  return response;
}

// ---- Compaction ------------------------------------------------------------

Result<etcdserverpb::CompactionResponse> Store::compact(const etcdserverpb::CompactionRequest& r) {
  const Revision at = r.revision();
  if (at <= compact_revision_) {
    return fail(Error::Code::kCompacted, "compaction through " + std::to_string(at) +
                                             " requested, already compacted through " +
                                             std::to_string(compact_revision_));
  }
  if (at > revision_) {
    return fail(Error::Code::kFutureRevision, "compaction through " + std::to_string(at) +
                                                  " requested, the store is at " +
                                                  std::to_string(revision_));
  }
  std::vector<RevisionId> dropped;
  for (auto it = index_.begin(); it != index_.end();) {
    if (it->second.compact(at, dropped)) {
      ++it;
    } else {
      it = index_.erase(it);
    }
  }
  for (const auto& rev : dropped) {
    auto it = records_.find(rev);
    stored_bytes_ -= it->second.key.size() + it->second.value.size();
    records_.erase(it);
  }
  compact_revision_ = at;
  etcdserverpb::CompactionResponse response;
  response.mutable_header()->set_revision(revision_);
  return response;
}

// ---- Leases ----------------------------------------------------------------

Result<etcdserverpb::LeaseGrantResponse> Store::lease_grant(
    const etcdserverpb::LeaseGrantRequest& r, LeaseId generated) {
  if (auto ok = validate_lease_grant(r); !ok) return std::unexpected(ok.error());
  const LeaseId id = r.id() != 0 ? r.id() : generated;
  if (id <= 0) return fail(Error::Code::kInvalidArgument, "lease id must be positive");
  if (lessor_.contains(id)) return fail(Error::Code::kLeaseExists, "lease " + std::to_string(id));
  const std::int64_t ttl = std::max(r.ttl(), limits_.min_lease_ttl);
  lessor_.grant(id, ttl);
  etcdserverpb::LeaseGrantResponse response;
  response.set_id(id);
  response.set_ttl(ttl);
  response.mutable_header()->set_revision(revision_);
  return response;
}

Result<etcdserverpb::LeaseRevokeResponse> Store::lease_revoke(
    const etcdserverpb::LeaseRevokeRequest& r) {
  if (!lessor_.contains(r.id())) {
    return fail(Error::Code::kLeaseNotFound, "lease " + std::to_string(r.id()));
  }
  begin_write();
  for (const auto& key : lessor_.revoke(r.id()))
    write_delete(key, nullptr);
  end_write();
  etcdserverpb::LeaseRevokeResponse response;
  response.mutable_header()->set_revision(revision_);
  return response;
}

// ---- Watch support ---------------------------------------------------------

std::vector<mvccpb::Event> Store::take_events() {
  return std::exchange(events_, {});
}

Result<std::vector<mvccpb::Event>> Store::history(Revision from, const std::string& key,
                                                  const std::string& range_end) const {
  if (from < compact_revision_) {
    return fail(Error::Code::kCompacted, "history from " + std::to_string(from) +
                                             " requested, compacted through " +
                                             std::to_string(compact_revision_));
  }
  const bool to_the_end = range_end == std::string(1, '\0');
  auto in_range = [&](const std::string& k) {
    if (range_end.empty()) return k == key;
    return k >= key && (to_the_end || k < range_end);
  };
  std::vector<mvccpb::Event> events;
  for (auto it = records_.lower_bound(RevisionId{from, 0}); it != records_.end(); ++it) {
    const auto& [rev, record] = *it;
    if (!in_range(record.key)) continue;
    mvccpb::Event event;
    event.set_type(record.tombstone ? mvccpb::Event::DELETE : mvccpb::Event::PUT);
    *event.mutable_kv() = key_value(rev, record);
    // The version before: the one visible at the previous revision (a
    // request writes a key once), unless compaction dropped it.
    if (auto prev = index_.at(record.key).visible_at(rev.main - 1)) {
      *event.mutable_prev_kv() = key_value(*prev, records_.at(*prev));
    }
    events.push_back(std::move(event));
  }
  return events;
}

// ---- Snapshots -------------------------------------------------------------

}  // namespace etcetera::kv
