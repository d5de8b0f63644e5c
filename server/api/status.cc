#include "server/api/status.h"

#include <array>
#include <string_view>

#include "kv/state_machine.h"

namespace etcetera::server::api {
namespace {

using Code = ApiError::Code;
using KvCode = kv::Error::Code;

// etcd's texts that clients match exactly (etcd's rpctypes), so that a
// message carrying detail after one of them can be cut back to it.
constexpr std::array<std::string_view, 22> kEtcdTexts = {
    "etcdserver: key is not provided",
    "etcdserver: key not found",
    "etcdserver: value is provided",
    "etcdserver: lease is provided",
    "etcdserver: too many operations in txn request",
    "etcdserver: duplicate key given in txn request",
    "etcdserver: mvcc: required revision has been compacted",
    "etcdserver: mvcc: required revision is a future revision",
    "etcdserver: requested lease not found",
    "etcdserver: lease already exists",
    "etcdserver: too large lease TTL",
    "etcdserver: member ID already exist",
    "etcdserver: Peer URLs already exists",
    "etcdserver: given member URLs are invalid",
    "etcdserver: member not found",
    "etcdserver: can only promote a learner member",
    "etcdserver: request is too large",
    "etcdserver: no leader",
    "etcdserver: not leader",
    "etcdserver: leader changed",
    "etcdserver: request timed out",
    "etcdserver: bad leader transferee",
};

ApiError error(Code code, std::string_view text) {
  return ApiError{code, std::string(text)};
}

}  // namespace

ApiError to_api_error(const kv::Error& e) {
  switch (e.code) {
    case KvCode::kEmptyKey:
    case KvCode::kRequestTooLarge:
    case KvCode::kTooManyOps:
    case KvCode::kDuplicateKey:
    case KvCode::kKeyNotFound:
    case KvCode::kValueProvided:
    case KvCode::kLeaseProvided:
      return error(Code::kInvalidArgument, kv::etcd_text(e.code));
    // kv/ names these as etcd's mvcc package does; etcd's server prefixes them.
    case KvCode::kCompacted:
    case KvCode::kFutureRevision:
      return error(Code::kOutOfRange, std::string("etcdserver: ") + kv::etcd_text(e.code));
    case KvCode::kLeaseNotFound:
      return error(Code::kNotFound, kv::etcd_text(e.code));
    case KvCode::kLeaseExists:
      return error(Code::kFailedPrecondition, kv::etcd_text(e.code));
    case KvCode::kLeaseTtlTooLarge:
      return error(Code::kOutOfRange, kv::etcd_text(e.code));
    // Only the leader keeps lease clocks: this member is not (or no longer) it.
    case KvCode::kNotPrimary:
      return error(Code::kFailedPrecondition, "etcdserver: not leader");
    case KvCode::kWatchNotFound:
    case KvCode::kInvalidArgument:
      return error(Code::kInvalidArgument, e.message);
    case KvCode::kCorrupt:
      return error(Code::kInternal, e.message);
  }
  return error(Code::kInternal, e.message);
}

ApiError to_api_error(const kv::pb::Failure& failure) {
  return to_api_error(kv::to_error(failure));
}

grpc::Status to_status(const ApiError& e) {
  std::string_view message = e.message;
  for (std::string_view text : kEtcdTexts) {
    if (message.starts_with(text) && message.substr(text.size()).starts_with(" (")) {
      message = text;
      break;
    }
  }
  return grpc::Status(static_cast<grpc::StatusCode>(e.code), std::string(message));
}

ApiError no_leader() {
  return error(Code::kUnavailable, "etcdserver: no leader");
}
ApiError member_not_found() {
  return error(Code::kNotFound, "etcdserver: member not found");
}
ApiError bad_member_urls() {
  return error(Code::kInvalidArgument, "etcdserver: given member URLs are invalid");
}

}  // namespace etcetera::server::api
