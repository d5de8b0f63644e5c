#include "server/api/lock_service.h"

#include <memory>
#include <optional>
#include <string>

#include "lock/requests.h"
#include "server/api/lock_errors.h"
#include "server/api/unary.h"

namespace etcetera::server::api {

using Held = lock::Result<lock::LockService::LockResponse>;

grpc::Status LockApiService::Lock(grpc::ServerContext* context,
                                  const v3lockpb::LockRequest* request,
                                  v3lockpb::LockResponse* response) {
  const std::string name = request->name();
  const std::int64_t lease = request->lease();
  Waiter<Held> waiter;
  // The key granted, set on the recipes' thread: a client that leaves in
  // the instant it is granted must not keep the lock it never heard of.
  auto granted = std::make_shared<std::optional<lock::LockService::LockResponse>>();
  port_.post([this, name, lease, granted, reply = waiter.reply()] {
    auto answer = [granted, reply](Held held) {
      if (held) *granted = *held;
      reply(ApiResult<Held>(std::in_place, std::move(held)));
    };
    if (auto started = locks_.lock(name, lease, answer); !started) {
      answer(std::unexpected(std::move(started.error())));
    }
  });
  ApiResult<Held> answer = waiter.wait(*context);
  // Granted to a client that has gone meanwhile: it would never unlock.
  if (answer && *answer && context->IsCancelled()) {
    answer = std::unexpected(ApiError{ApiError::Code::kCancelled, "context canceled"});
  }
  if (!answer) {
    port_.post([this, name, lease, granted] {
      if (!*granted) return locks_.cancel(name, lease);
      const auto& held = **granted;
      port_.submit(lock::as_request(lock::delete_if_created_at(held.key, held.fencing_token)),
                   [](const kv::pb::Response&) {});
    });
    return to_status(answer.error());
  }
  if (!*answer) return to_status((*answer).error());
  response->set_key((*answer)->key);
  *response->mutable_header() = (*answer)->header;
  fill_header(port_.backend(), *response);
  return grpc::Status::OK;
}

grpc::Status LockApiService::Unlock(grpc::ServerContext* context,
                                    const v3lockpb::UnlockRequest* request,
                                    v3lockpb::UnlockResponse* response) {
  // etcd's Unlock is a plain delete of the key: no check that it is held,
  // and a key that is gone already is no error.
  etcdserverpb::DeleteRangeRequest del;
  del.set_key(request->key());
  etcdserverpb::DeleteRangeResponse deleted;
  grpc::Status status = answer_unary(*context, port_.backend(), &deleted, [&](auto reply) {
    port_.backend().delete_range(del, std::move(reply));
  });
  if (!status.ok()) return status;
  *response->mutable_header() = deleted.header();
  return grpc::Status::OK;
}

}  // namespace etcetera::server::api
