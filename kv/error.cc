#include "kv/error.h"

namespace etcetera::kv {

const char* etcd_text(Error::Code code) {
  using C = Error::Code;
  switch (code) {
    case C::kEmptyKey:
      return "etcdserver: key is not provided";
    case C::kRequestTooLarge:
      return "etcdserver: request is too large";
    case C::kTooManyOps:
      return "etcdserver: too many operations in txn request";
    case C::kDuplicateKey:
      return "etcdserver: duplicate key given in txn request";
    case C::kCompacted:
      return "mvcc: required revision has been compacted";
    case C::kFutureRevision:
      return "mvcc: required revision is a future revision";
    case C::kKeyNotFound:
      return "etcdserver: key not found";
    case C::kValueProvided:
      return "etcdserver: value is provided";
    case C::kLeaseProvided:
      return "etcdserver: lease is provided";
    case C::kLeaseNotFound:
      return "etcdserver: requested lease not found";
    case C::kLeaseExists:
      return "etcdserver: lease already exists";
    case C::kLeaseTtlTooLarge:
      return "etcdserver: too large lease TTL";
    case C::kNotPrimary:
      return "etcdserver: not primary";
    case C::kWatchNotFound:
      return "watch not found";
    case C::kInvalidArgument:
      return "invalid argument";
    case C::kCorrupt:
      return "corrupt data";
    case C::kSettled:
      return "request already settled";
  }
  return "unknown error";
}

std::unexpected<Error> fail(Error::Code code, const std::string& detail) {
  std::string message = etcd_text(code);
  if (!detail.empty()) message += " (" + detail + ")";
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace etcetera::kv
