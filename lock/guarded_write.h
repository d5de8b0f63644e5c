// lock::guarded_put — a write that lands only while its lock is still held.
//
// A holder can never be sure it still holds the lock: its lease may have
// expired a moment ago (a long pause, a slow network) and the next waiter
// may be writing already. The fencing token closes that gap when the store
// itself checks it, in the same transaction as the write:
//
//   if create_revision(holder key) == token then put(...)
//
// The holder's key exists with that create revision exactly as long as that
// holder's turn lasts: once the lease ends the key is deleted, and a key the
// same lease makes again has a new create revision. So the compare fails
// after the lock is lost, and the put never happens.
#pragma once

#include <functional>
#include <string>

#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "lock/error.h"
#include "lock/kv_port.h"

namespace etcetera::lock {

// The guarded txn: compare the holder key's create revision with `token`,
// then `put`; nothing on failure. Pure.
etcdserverpb::TxnRequest guarded_put(const std::string& holder_key, kv::Revision token,
                                     etcdserverpb::PutRequest put);

// Sends guarded_put through the port. `done` hears the put's response (its
// header is the txn's), kNotHolder when the compare failed (the lock was
// lost: nothing was written), or the store's error.
using OnGuardedPut = std::function<void(Result<etcdserverpb::PutResponse>)>;
void submit_guarded_put(KvPort& port, const std::string& holder_key, kv::Revision token,
                        etcdserverpb::PutRequest put, OnGuardedPut done);

}  // namespace etcetera::lock
