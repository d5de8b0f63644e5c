// etcd's KV service (Range, Put, DeleteRange, Txn, Compact) over a Backend:
// each call is handed to the member as it is and answered when the member
// answers. Thread-safe: gRPC calls it from any number of threads.
#pragma once

#include "server/api/etcd_services.grpc.pb.h"
#include "server/backend.h"

namespace etcetera::server::api {

class KvService final : public etcdserverpb::KV::Service {
 public:
  // REQUIRES: backend outlives the service.
  explicit KvService(Backend& backend) : backend_(backend) {}

  grpc::Status Range(grpc::ServerContext* context, const etcdserverpb::RangeRequest* request,
                     etcdserverpb::RangeResponse* response) override;
  grpc::Status Put(grpc::ServerContext* context, const etcdserverpb::PutRequest* request,
                   etcdserverpb::PutResponse* response) override;
  grpc::Status DeleteRange(grpc::ServerContext* context,
                           const etcdserverpb::DeleteRangeRequest* request,
                           etcdserverpb::DeleteRangeResponse* response) override;
  grpc::Status Txn(grpc::ServerContext* context, const etcdserverpb::TxnRequest* request,
                   etcdserverpb::TxnResponse* response) override;
  grpc::Status Compact(grpc::ServerContext* context, const etcdserverpb::CompactionRequest* request,
                       etcdserverpb::CompactionResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace etcetera::server::api
