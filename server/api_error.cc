#include "server/api_error.h"

#include "kv/state_machine.h"

namespace etcetera::server {
namespace {

using Code = ApiError::Code;
using KvCode = kv::Error::Code;

ApiError error(Code code, std::string text) {
  return ApiError{code, std::move(text)};
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
      return not_leader();
    case KvCode::kWatchNotFound:
    case KvCode::kInvalidArgument:
      return error(Code::kInvalidArgument, e.message);
    case KvCode::kCorrupt:
      return error(Code::kInternal, e.message);
    // A late copy of a request whose client was answered already; no client
    // waits on it. Should one ever see it, what it may know is etcd's
    // ambiguous answer: an earlier copy may have applied.
    case KvCode::kSettled:
      return timed_out(e.message);
  }
  return error(Code::kInternal, e.message);
}

ApiError to_api_error(const kv::pb::Failure& failure) {
  return to_api_error(kv::to_error(failure));
}

ApiError no_leader() {
  return error(Code::kUnavailable, "etcdserver: no leader");
}

ApiError not_leader() {
  return error(Code::kFailedPrecondition, "etcdserver: not leader");
}

ApiError timed_out(const std::string& detail) {
  return error(Code::kUnavailable, "etcdserver: request timed out (" + detail + ")");
}

ApiError stopping() {
  return error(Code::kUnavailable, "etcdserver: server stopped");
}

ApiError removed_member() {
  return error(Code::kFailedPrecondition,
               "etcdserver: the member has been permanently removed from the cluster");
}

ApiError member_not_found() {
  return error(Code::kNotFound, "etcdserver: member not found");
}

ApiError bad_member_urls() {
  return error(Code::kInvalidArgument, "etcdserver: given member URLs are invalid");
}

ApiError unimplemented(const std::string& detail) {
  return error(Code::kUnimplemented, detail);
}

}  // namespace etcetera::server
