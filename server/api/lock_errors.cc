#include "server/api/lock_errors.h"

#include <array>
#include <optional>
#include <string_view>

#include "server/api/status.h"
#include "server/api_error.h"

namespace etcetera::server::api {
namespace {

using KvCode = kv::Error::Code;

// kv/'s codes that carry an etcd text, in order.
std::optional<KvCode> kv_code_of(std::string_view message) {
  for (int c = static_cast<int>(KvCode::kEmptyKey); c <= static_cast<int>(KvCode::kCorrupt); ++c) {
    const auto code = static_cast<KvCode>(c);
    const std::string_view text = kv::etcd_text(code);
    if (text.empty()) continue;
    // The server prefixes mvcc's texts with "etcdserver: " (server/api_error.cc).
    if (message.starts_with(text) ||
        (message.starts_with("etcdserver: ") && message.substr(12).starts_with(text))) {
      return code;
    }
  }
  return std::nullopt;
}

// The member's own errors (server/api_error.h), by their etcd text.
std::optional<ApiError> member_error(std::string_view message) {
  const std::array known{no_leader(), not_leader(), stopping(), timed_out("")};
  for (const ApiError& e : known) {
    const std::string_view text = std::string_view(e.message).substr(0, e.message.find(" ("));
    if (message.starts_with(text)) return ApiError{e.code, std::string(message)};
  }
  return std::nullopt;
}

}  // namespace

kv::pb::Failure to_failure(const ApiError& error) {
  kv::pb::Failure failure;
  if (auto code = kv_code_of(error.message)) failure.set_code(static_cast<int>(*code));
  failure.set_message(error.message);
  return failure;
}

grpc::Status to_status(const lock::Error& error) {
  using C = lock::Error::Code;
  switch (error.code) {
    case C::kLeaseNotFound:
      return to_status(to_api_error(kv::Error{KvCode::kLeaseNotFound, error.message}));
    case C::kStore:
      if (auto code = kv_code_of(error.message)) {
        return to_status(to_api_error(kv::Error{*code, error.message}));
      }
      if (auto member = member_error(error.message)) return to_status(*member);
      return grpc::Status(grpc::StatusCode::INTERNAL, error.message);
    case C::kInvalidArgument:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, error.message);
    default:
      // etcd's recipes answer their own errors ("election: not leader", a
      // lease that ended) as plain errors, which gRPC sends as UNKNOWN.
      return grpc::Status(grpc::StatusCode::UNKNOWN, error.message);
  }
}

}  // namespace etcetera::server::api
