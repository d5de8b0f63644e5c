// kv::Store — etcd's data model: a multi-version key space with leases.
//
// Every write request that changes something takes the next main revision;
// a key's versions stay readable at past revisions until compaction. Two
// structures hold it, as in etcd's mvcc package:
//   - records_: every stored version (and every delete, as a tombstone),
//     ordered by revision (main, sub). Watch history is a scan of it.
//   - index_:   key -> KeyIndex (kv/key_index.h), the revisions of that key,
//     by generation. A read at revision R asks each key's index which
//     revision was visible at R and fetches that record.
// Leases (kv/lessor.h) live here too, because revoking one deletes its keys
// in one revision, like any other write.
//
// Requests and responses are etcd's messages (kv/rpc.proto). Errors are
// values named after etcd's (kv/error.h). A request is checked in full
// before anything is written, so a refused request changes nothing.
//
// Deterministic and free of I/O, like raft/: the same requests in the same
// order give the same store, byte for byte (see to_snapshot()).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kv/error.h"
#include "kv/key_index.h"
#include "kv/kv.pb.h"
#include "kv/lessor.h"
#include "kv/revision.h"
#include "kv/rpc.pb.h"

namespace etcetera::kv {

// etcd's limits (its defaults), checked before a request is applied.
struct Limits {
  std::size_t max_request_bytes = 1536 * 1024;  // --max-request-bytes: 1.5 MiB
  int max_txn_ops = 128;                        // --max-txn-ops, per compare / then / else list
  std::int64_t min_lease_ttl = 1;               // shorter TTLs are raised to this (seconds)
};

// The end of the range of every key starting with `prefix`: the prefix with
// its last byte incremented (trailing 0xff bytes dropped first); "\0" (every
// key >= prefix) when there is no such end.
std::string prefix_end(std::string prefix);

class Store {
 public:
  explicit Store(Limits limits = {}) : limits_(limits) {}

  const Limits& limits() const { return limits_; }
  Revision revision() const { return revision_; }
  Revision compact_revision() const { return compact_revision_; }

  Result<etcdserverpb::RangeResponse> range(const etcdserverpb::RangeRequest& r) const;
  Result<etcdserverpb::PutResponse> put(const etcdserverpb::PutRequest& r);
  Result<etcdserverpb::DeleteRangeResponse> delete_range(const etcdserverpb::DeleteRangeRequest& r);
  Result<etcdserverpb::TxnResponse> txn(const etcdserverpb::TxnRequest& r);
  // Compaction through `revision`: reads below it fail with kCompacted.
  Result<etcdserverpb::CompactionResponse> compact(const etcdserverpb::CompactionRequest& r);

  // Grants a lease; `generated` is its id when the request names none.
  Result<etcdserverpb::LeaseGrantResponse> lease_grant(const etcdserverpb::LeaseGrantRequest& r,
                                                       LeaseId generated);
  // Revokes a lease and deletes every key it holds, in one revision.
  Result<etcdserverpb::LeaseRevokeResponse> lease_revoke(const etcdserverpb::LeaseRevokeRequest& r);
  const Lessor& lessor() const { return lessor_; }

  // The changes made since the last call, in revision order, each with the
  // version it replaced as prev_kv (when that version existed). Watches
  // (kv/watch.h) are fed from here.
  std::vector<mvccpb::Event> take_events();
  // The stored changes with main revision >= `from` to keys in [key,
  // range_end) (the same range rules as a RangeRequest), with prev_kv when
  // it is still stored. kCompacted when `from` is below the compact revision.
  Result<std::vector<mvccpb::Event>> history(Revision from, const std::string& key,
                                             const std::string& range_end) const;

  // The store as a snapshot message, and back. restore() refuses a snapshot
  // whose records contradict each other (out of order, past its revision).
  pb::Snapshot to_snapshot() const;
  static Result<Store> restore(const pb::Snapshot& snapshot, Limits limits = {});

  // The same in parts (kv.proto's SnapshotPart), for a store too large to
  // hold twice: the head (everything but the records), then the records in
  // batches of about `batch_bytes`, in revision order. Only one batch is
  // built at a time.
  void write_snapshot_parts(const std::function<void(pb::SnapshotPart)>& emit,
                            std::size_t batch_bytes) const;
  // The same pieces one at a time, for a snapshot written while the store
  // goes on (server/member_snapshot.cc): the head, then the records after
  // `after` up to main revision `upto` (the head's revision), about
  // `batch_bytes` of them a call, none once they are all given. Writes
  // after the head only add records above `upto`; a compaction removes
  // some below it, so none may happen until the last batch.
  pb::Snapshot snapshot_head() const;
  pb::RecordBatch records_after(RevisionId after, Revision upto, std::size_t batch_bytes) const;
  // StoreRestorer (below) takes the parts back.

  // The bytes of keys and values stored, over every record: what a
  // snapshot of the store weighs, about (etcd's db size), without making one.
  std::uint64_t stored_bytes() const { return stored_bytes_; }

  // Sizes, for tests and benchmarks.
  std::size_t key_count() const { return index_.size(); }
  std::size_t record_count() const { return records_.size(); }

 private:
  struct Record {
    std::string key;
    std::string value;
    Revision create_revision = 0;
    std::int64_t version = 0;
    LeaseId lease = 0;
    bool tombstone = false;
  };

  // The keys of [key, range_end), in order, with the index of each.
  template <class F>
  void for_each_key(const std::string& key, const std::string& range_end, F&& f) const;
  // The version of `key` visible at `at`, if the key existed then.
  const Record* visible(const std::string& key, Revision at) const;
  mvccpb::KeyValue key_value(RevisionId rev, const Record& record) const;
  // The revision reads see: inside a transaction that has written, its own.
  Revision read_revision() const { return writing_ ? write_.main : revision_; }
  Result<Revision> check_read_revision(std::int64_t requested) const;

  // Writes, inside begin_write() .. end_write(): one main revision for all.
  void begin_write();
  void end_write();
  void write_put(const std::string& key, std::string value, LeaseId lease,
                 mvccpb::KeyValue* prev_kv);
  bool write_delete(const std::string& key, mvccpb::KeyValue* prev_kv);

  // The parts of a request (store.cc, store_txn.cc). check_* look, do_* write.
  Result<void> check_lease(const etcdserverpb::PutRequest& r) const;
  Result<void> check_put(const etcdserverpb::PutRequest& r) const;
  // The revision a range reads at, once the request is known to be good.
  Result<Revision> check_range(const etcdserverpb::RangeRequest& r) const;
  etcdserverpb::PutResponse do_put(const etcdserverpb::PutRequest& r);
  etcdserverpb::DeleteRangeResponse do_delete_range(const etcdserverpb::DeleteRangeRequest& r);
  bool compare(const etcdserverpb::Compare& c) const;

  friend class StoreRestorer;

  Limits limits_;
  Revision revision_ = 1;  // the empty store is at revision 1; the first write is 2
  Revision compact_revision_ = 0;
  std::map<std::string, KeyIndex> index_;
  std::map<RevisionId, Record> records_;
  Lessor lessor_;
  std::uint64_t stored_bytes_ = 0;  // key and value bytes of every record
  std::vector<mvccpb::Event> events_;
  bool writing_ = false;
  RevisionId write_;  // the next change's revision while writing_
};

// Rebuilds a store from its snapshot parts (Store::write_snapshot_parts):
// start() with the head, add() each record in order, then finish(). The
// same checks as Store::restore(), which is a StoreRestorer fed the whole
// snapshot.
class StoreRestorer {
 public:
  static Result<StoreRestorer> start(const pb::Snapshot& head, Limits limits);
  Result<void> add(const pb::Record& record);
  Result<Store> finish() &&;

 private:
  explicit StoreRestorer(Limits limits) : store_(limits) {}
  Store store_;
  RevisionId last_{0, 0};
};

template <class F>
inline void Store::for_each_key(const std::string& key, const std::string& range_end, F&& f) const {
  if (range_end.empty()) {
    if (auto it = index_.find(key); it != index_.end()) f(it->first, it->second);
    return;
  }
  const bool to_the_end = range_end == std::string(1, '\0');
  for (auto it = index_.lower_bound(key); it != index_.end(); ++it) {
    if (!to_the_end && it->first >= range_end) break;
    f(it->first, it->second);
  }
}

}  // namespace etcetera::kv
