// Static checks of a request: what can be judged from the request alone,
// before it is proposed (and again when it is applied, since a proposal may
// come from anywhere). etcd's limits and its names for the errors.
#pragma once

#include "kv/error.h"
#include "kv/kv.pb.h"
#include "kv/rpc.pb.h"
#include "kv/store.h"

namespace etcetera::kv {

Result<void> validate_range(const etcdserverpb::RangeRequest& r);
Result<void> validate_put(const etcdserverpb::PutRequest& r);
Result<void> validate_delete_range(const etcdserverpb::DeleteRangeRequest& r);
// Operation counts (per list, nested too), each operation, and that no key
// is written twice on any path through the transaction.
Result<void> validate_txn(const etcdserverpb::TxnRequest& r, const Limits& limits);
Result<void> validate_lease_grant(const etcdserverpb::LeaseGrantRequest& r);
// A whole request: its encoded size, then its operation.
Result<void> validate_request(const pb::Request& request, const Limits& limits);

}  // namespace etcetera::kv
