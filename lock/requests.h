// The requests of the lock and election recipes, built in one place so that
// every recipe asks the store the same questions and a test or a page of
// docs can show each one. Pure functions: no port, no state.
//
// A queue is the set of keys under a prefix. Each client's key is the
// prefix followed by its lease id in hex, so one lease holds at most one
// place in a queue, and the key vanishes with the lease. The store orders
// the queue: a key's create revision is when it joined.
#pragma once

#include <string>
#include <string_view>

#include "kv/kv.pb.h"
#include "kv/revision.h"
#include "kv/rpc.pb.h"
#include "lock/error.h"

namespace etcetera::lock {

// The prefix of a lock or election name: the name and a slash ("jobs/").
std::string queue_prefix(std::string_view name);
// A lease's key in the queue under `prefix`: "jobs/694d7f3c".
std::string queue_key(std::string_view prefix, kv::LeaseId lease);

// Compares the create revision of `key` with `revision`: equal only while
// the key exists in the generation created at that revision (an absent key
// compares as 0).
etcdserverpb::Compare created_at(const std::string& key, kv::Revision revision);

// Joining: if `key` does not exist, put it with the lease; else read it (the
// lease is already in the queue, and keeps its place). Either way the
// answer holds our create revision: the txn's revision, or the key's.
etcdserverpb::TxnRequest enqueue(const std::string& key, const std::string& value,
                                 kv::LeaseId lease);
// One read at one revision: our own key (responses[0]), and the key just
// ahead of ours (responses[1]): the greatest create revision below `mine`
// under the prefix, at most one key. Nobody ahead: our turn.
etcdserverpb::TxnRequest check_place(const std::string& key, const std::string& prefix,
                                     kv::Revision mine);
// The key with the lowest create revision under the prefix: the holder of
// the lock, the leader of the election.
etcdserverpb::TxnRequest read_first(const std::string& prefix);
// One read at one revision: `key` (responses[0]) and the first key under
// the prefix (responses[1]): does `key` exist, and does it hold the lock?
etcdserverpb::TxnRequest read_key_and_first(const std::string& key, const std::string& prefix);
// Deletes `key` if it is still the generation created at `revision`, so a
// late delete can never remove a key the same lease created again.
etcdserverpb::TxnRequest delete_if_created_at(const std::string& key, kv::Revision revision);

// Watches `key` for its delete and nothing else, from the revision after
// `read_at` (the revision the key was last seen at: it existed then, so no
// delete is missed between the read and the watch).
etcdserverpb::WatchCreateRequest watch_delete(const std::string& key, kv::Revision read_at);

kv::pb::Request as_request(etcdserverpb::TxnRequest txn);

// The txn response in a store's answer, or the error it carries. kStore
// when the answer is not a txn's at all (a port that mixed answers up).
Result<etcdserverpb::TxnResponse> txn_response(const kv::pb::Response& response);

}  // namespace etcetera::lock
