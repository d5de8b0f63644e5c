#include "server/api_error.h"

namespace etcetera::server {

ApiError to_api_error(const kv::Error& error) {
  using K = kv::Error::Code;
  using C = ApiError::Code;
  C code = C::kInternal;
  switch (error.code) {
    case K::kEmptyKey:
    case K::kRequestTooLarge:
    case K::kTooManyOps:
    case K::kDuplicateKey:
    case K::kKeyNotFound:
    case K::kValueProvided:
    case K::kLeaseProvided:
    case K::kInvalidArgument:
      code = C::kInvalidArgument;
      break;
    case K::kCompacted:
    case K::kFutureRevision:
    case K::kLeaseTtlTooLarge:
      code = C::kOutOfRange;
      break;
    case K::kLeaseNotFound:
    case K::kWatchNotFound:
      code = C::kNotFound;
      break;
    case K::kLeaseExists:
      code = C::kFailedPrecondition;
      break;
    case K::kNotPrimary:
      code = C::kUnavailable;
      break;
    case K::kCorrupt:
      code = C::kInternal;
      break;
  }
  return ApiError{code, error.message};
}

ApiError no_leader() {
  return {ApiError::Code::kUnavailable, "etcdserver: no leader"};
}

ApiError not_leader() {
  return {ApiError::Code::kFailedPrecondition, "etcdserver: not leader"};
}

ApiError timed_out(const std::string& detail) {
  return {ApiError::Code::kUnavailable, "etcdserver: request timed out (" + detail + ")"};
}

ApiError stopping() {
  return {ApiError::Code::kUnavailable, "etcdserver: server stopped"};
}

ApiError unimplemented(const std::string& detail) {
  return {ApiError::Code::kUnimplemented, detail};
}

}  // namespace etcetera::server
