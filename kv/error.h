// Errors of the key-value layer, as values. Each code is one of etcd's
// errors; its message starts with etcd's own text (so that a user who knows
// etcd recognises it, and the server can map it onto etcd's gRPC status) and
// goes on with what this request did wrong.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace etcetera::kv {

struct Error {
  enum class Code {
    kEmptyKey = 1,      // etcdserver: key is not provided
    kRequestTooLarge,   // etcdserver: request is too large
    kTooManyOps,        // etcdserver: too many operations in txn request
    kDuplicateKey,      // etcdserver: duplicate key given in txn request
    kCompacted,         // mvcc: required revision has been compacted
    kFutureRevision,    // mvcc: required revision is a future revision
    kKeyNotFound,       // etcdserver: key not found (ignore_value / ignore_lease)
    kValueProvided,     // etcdserver: value is provided (with ignore_value)
    kLeaseProvided,     // etcdserver: lease is provided (with ignore_lease)
    kLeaseNotFound,     // etcdserver: requested lease not found
    kLeaseExists,       // etcdserver: lease already exists
    kLeaseTtlTooLarge,  // etcdserver: too large lease TTL
    kNotPrimary,        // etcdserver: not primary (lease clocks run on the leader only)
    kWatchNotFound,     // no watch with that id
    kInvalidArgument,   // anything else the caller can fix
    kCorrupt,           // bytes that do not decode (an entry or a snapshot)
    kSettled,           // a copy of a request its proposer has already answered (kv/applied_requests.h)
  };

  Code code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

// etcd's text for a code, without detail ("etcdserver: key is not provided").
const char* etcd_text(Error::Code code);

// `return fail(Error::Code::kEmptyKey)` or with detail: "<etcd text> (<detail>)".
std::unexpected<Error> fail(Error::Code code, const std::string& detail = "");

}  // namespace etcetera::kv
