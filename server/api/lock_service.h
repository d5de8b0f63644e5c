// etcd's Lock service (v3lockpb.Lock) over lock::LockService, which runs on
// the recipes' thread of a BackendKvPort.
//
//   Lock    blocks the call until the lease holds the lock. A client that
//           cancels, or whose deadline passes, while waiting leaves the
//           queue: its key is deleted (lock::LockService::cancel), as
//           etcd's mutex deletes it when its context ends.
//   Unlock  deletes the key, whoever holds it, as etcd's does.
// Thread-safe: gRPC calls it from any number of threads.
#pragma once

#include "lock/lock_service.h"
#include "server/api/backend_kv_port.h"
#include "server/api/v3lock.grpc.pb.h"

namespace etcetera::server::api {

class LockApiService final : public v3lockpb::Lock::Service {
 public:
  // REQUIRES: port outlives the service, and is stopped before it goes.
  explicit LockApiService(BackendKvPort& port) : port_(port), locks_(port) {}

  grpc::Status Lock(grpc::ServerContext* context, const v3lockpb::LockRequest* request,
                    v3lockpb::LockResponse* response) override;
  grpc::Status Unlock(grpc::ServerContext* context, const v3lockpb::UnlockRequest* request,
                      v3lockpb::UnlockResponse* response) override;

 private:
  BackendKvPort& port_;
  lock::LockService locks_;  // only on the port's thread
};

}  // namespace etcetera::server::api
