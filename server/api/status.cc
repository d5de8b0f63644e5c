#include "server/api/status.h"

#include <array>
#include <string_view>

namespace etcetera::server::api {
namespace {

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

}  // namespace

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

}  // namespace etcetera::server::api
