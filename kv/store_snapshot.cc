// The store's snapshot, whole (to_snapshot / restore) or in parts
// (write_snapshot_parts / StoreRestorer), which give the same store: restore()
// is a StoreRestorer fed the whole message.
#include "kv/store.h"

#include <cstdint>
#include <string>

namespace etcetera::kv {

namespace {

pb::Record to_record(RevisionId rev, const mvccpb::KeyValue& kv, bool tombstone) {
  pb::Record out;
  out.set_main(rev.main);
  out.set_sub(rev.sub);
  out.set_tombstone(tombstone);
  *out.mutable_kv() = kv;
  return out;
}

}  // namespace

pb::Snapshot Store::snapshot_head() const {
  pb::Snapshot head;
  head.set_revision(revision_);
  head.set_compact_revision(compact_revision_);
  for (const auto& [id, lease] : lessor_.leases()) {
    pb::Lease* out = head.add_leases();
    out->set_id(id);
    out->set_ttl(lease.ttl);
  }
  return head;
}

pb::RecordBatch Store::records_after(RevisionId after, Revision upto,
                                     std::size_t batch_bytes) const {
  pb::RecordBatch batch;
  std::size_t bytes = 0;
  for (auto it = records_.upper_bound(after); it != records_.end() && it->first.main <= upto;
       ++it) {
    const auto& [rev, record] = *it;
    *batch.add_records() = to_record(rev, key_value(rev, record), record.tombstone);
    bytes += record.key.size() + record.value.size() + 32;
    if (bytes >= batch_bytes) break;
  }
  return batch;
}

void Store::write_snapshot_parts(const std::function<void(pb::SnapshotPart)>& emit,
                                 std::size_t batch_bytes) const {
  pb::SnapshotPart head;
  *head.mutable_head() = snapshot_head();
  emit(std::move(head));
  for (RevisionId after{0, 0};;) {
    pb::SnapshotPart batch;
    *batch.mutable_records() = records_after(after, revision_, batch_bytes);
    if (batch.records().records_size() == 0) return;
    const auto& last = *batch.records().records().rbegin();
    after = RevisionId{last.main(), last.sub()};
    emit(std::move(batch));
  }
}

pb::Snapshot Store::to_snapshot() const {
  pb::Snapshot snapshot;
  write_snapshot_parts(
      [&](pb::SnapshotPart part) {
        if (part.has_head()) {
          snapshot = std::move(*part.mutable_head());
          return;
        }
        for (auto& r : *part.mutable_records()->mutable_records())
          *snapshot.add_records() = std::move(r);
      },
      SIZE_MAX);
  return snapshot;
}

Result<StoreRestorer> StoreRestorer::start(const pb::Snapshot& head, Limits limits) {
  StoreRestorer r(limits);
  Store& store = r.store_;
  store.revision_ = head.revision();
  store.compact_revision_ = head.compact_revision();
  if (store.revision_ < 1 || store.compact_revision_ > store.revision_) {
    return fail(Error::Code::kCorrupt, "snapshot at revision " + std::to_string(store.revision_) +
                                           " compacted through " +
                                           std::to_string(store.compact_revision_));
  }
  for (const auto& lease : head.leases()) {
    if (lease.id() <= 0 || store.lessor_.contains(lease.id())) {
      return fail(Error::Code::kCorrupt, "snapshot lease " + std::to_string(lease.id()));
    }
    store.lessor_.grant(lease.id(), lease.ttl());
  }
  for (const auto& record : head.records())
    if (auto ok = r.add(record); !ok) return std::unexpected(ok.error());
  return r;
}

Result<void> StoreRestorer::add(const pb::Record& in) {
  RevisionId rev{in.main(), in.sub()};
  if (rev <= last_ || rev.main > store_.revision_ || in.kv().key().empty()) {
    return fail(Error::Code::kCorrupt, "snapshot record at revision " + std::to_string(rev.main) +
                                           "." + std::to_string(rev.sub) + " out of order");
  }
  last_ = rev;
  const std::string& key = in.kv().key();
  KeyIndex& index = store_.index_[key];
  if (in.tombstone()) {
    index.tombstone(rev);
    store_.records_.emplace(rev, Store::Record{key, "", 0, 0, 0, true});
  } else {
    index.put(rev);
    store_.records_.emplace(rev, Store::Record{key, in.kv().value(), in.kv().create_revision(),
                                        in.kv().version(), in.kv().lease(), false});
  }
  store_.stored_bytes_ += key.size() + (in.tombstone() ? 0 : in.kv().value().size());
  return {};
}

Result<Store> StoreRestorer::finish() && {
  Store& store = store_;
  // Each lease's keys: the live keys whose current version names it.
  for (const auto& [key, index] : store.index_) {
    if (!index.live()) continue;
    const Store::Record* current = store.visible(key, store.revision_);
    if (current && current->lease != 0) {
      if (!store.lessor_.contains(current->lease)) {
        return fail(Error::Code::kCorrupt, "key " + key + " is attached to missing lease " +
                                               std::to_string(current->lease));
      }
      store.lessor_.attach(current->lease, key);
    }
  }
  return std::move(store);
}

Result<Store> Store::restore(const pb::Snapshot& snapshot, Limits limits) {
  auto restorer = StoreRestorer::start(snapshot, limits);
  if (!restorer) return std::unexpected(restorer.error());
  return std::move(*restorer).finish();
}

}  // namespace etcetera::kv
