// A reference model of kv::Store, for the model-based property
// (store_model_test.cc): the same requests, the same etcd responses or the
// same error codes, computed the naive way.
//
// It is deliberately simple and shares nothing with the store's data
// structures: each key has the plain list of every version ever written to
// it (a delete is a version too, flagged deleted), nothing is ever dropped
// (compaction only moves the compact revision, below which reads are
// refused), and every read scans every key. A version visible at revision R
// is the last one written at or before R. Where the store and this model
// disagree, one of them is wrong, and this one is short enough to check by
// reading it against etcd's documentation.
//
// It reuses only what judges a request on its own: kv::prefix_end and the
// validate_* functions of kv/validate.h (empty keys, the operation limit,
// the duplicate-key rule of a transaction). It never calls kv::Store or
// kv::KeyIndex.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kv/error.h"
#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "kv/validate.h"

namespace etcetera::kv::reference {

// One write to a key: a put, or (deleted) the delete that ended a generation.
struct Version {
  Revision revision = 0;  // the main revision of the request that wrote it
  Revision create_revision = 0;
  std::int64_t version = 0;
  std::string value;
  LeaseId lease = 0;
  bool deleted = false;
};

class Model {
 public:
  explicit Model(Limits limits = {}) : limits_(limits) {}

  Revision revision() const { return revision_; }
  Revision compact_revision() const { return compact_revision_; }
  // Lease id -> granted TTL.
  const std::map<LeaseId, std::int64_t>& leases() const { return leases_; }
  // The live keys whose current version names the lease, in key order.
  std::vector<std::string> lease_keys(LeaseId id) const;

  Result<etcdserverpb::RangeResponse> range(const etcdserverpb::RangeRequest& r) const;
  Result<etcdserverpb::PutResponse> put(const etcdserverpb::PutRequest& r);
  Result<etcdserverpb::DeleteRangeResponse> delete_range(const etcdserverpb::DeleteRangeRequest& r);
  Result<etcdserverpb::TxnResponse> txn(const etcdserverpb::TxnRequest& r);
  Result<etcdserverpb::CompactionResponse> compact(const etcdserverpb::CompactionRequest& r);
  Result<etcdserverpb::LeaseGrantResponse> lease_grant(const etcdserverpb::LeaseGrantRequest& r,
                                                       LeaseId generated);
  Result<etcdserverpb::LeaseRevokeResponse> lease_revoke(const etcdserverpb::LeaseRevokeRequest& r);

 private:
  // The version of `key` a read at `at` sees; null if the key did not exist.
  const Version* visible(const std::string& key, Revision at) const;
  // Whether a request's key and range_end cover `k`.
  static bool covers(const std::string& key, const std::string& range_end, const std::string& k);

  // The checks that need the store's state, made before anything is written.
  Result<void> check_put(const etcdserverpb::PutRequest& r) const;
  Result<void> check_read_revision(std::int64_t requested) const;

  // Reads at `now` (a request's revision 0 means `now`).
  Result<etcdserverpb::RangeResponse> read(const etcdserverpb::RangeRequest& r, Revision now) const;
  // Writes at revision `at`; `wrote` is set when something changed.
  etcdserverpb::PutResponse write_put(const etcdserverpb::PutRequest& r, Revision at, bool& wrote);
  etcdserverpb::DeleteRangeResponse write_delete(const etcdserverpb::DeleteRangeRequest& r,
                                                 Revision at, bool& wrote);
  // A transaction's compares, judged at `at`.
  bool succeeds(const etcdserverpb::TxnRequest& r, Revision at) const;
  etcdserverpb::TxnResponse run_txn(const etcdserverpb::TxnRequest& r, Revision at, bool& wrote);

  Limits limits_;
  std::map<std::string, std::vector<Version>> keys_;
  Revision revision_ = 1;
  Revision compact_revision_ = 0;
  std::map<LeaseId, std::int64_t> leases_;
};

}  // namespace etcetera::kv::reference
