// etcd's Lease service over a Backend. LeaseKeepAlive is a stream: each
// request the client sends is one keep-alive, answered in order.
// Thread-safe: gRPC calls it from any number of threads.
#pragma once

#include "server/api/etcd_services.grpc.pb.h"
#include "server/backend.h"

namespace etcetera::server::api {

class LeaseService final : public etcdserverpb::Lease::Service {
 public:
  // REQUIRES: backend outlives the service.
  explicit LeaseService(Backend& backend) : backend_(backend) {}

  grpc::Status LeaseGrant(grpc::ServerContext* context,
                          const etcdserverpb::LeaseGrantRequest* request,
                          etcdserverpb::LeaseGrantResponse* response) override;
  grpc::Status LeaseRevoke(grpc::ServerContext* context,
                           const etcdserverpb::LeaseRevokeRequest* request,
                           etcdserverpb::LeaseRevokeResponse* response) override;
  grpc::Status LeaseKeepAlive(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<etcdserverpb::LeaseKeepAliveResponse,
                               etcdserverpb::LeaseKeepAliveRequest>* stream) override;
  grpc::Status LeaseTimeToLive(grpc::ServerContext* context,
                               const etcdserverpb::LeaseTimeToLiveRequest* request,
                               etcdserverpb::LeaseTimeToLiveResponse* response) override;
  grpc::Status LeaseLeases(grpc::ServerContext* context,
                           const etcdserverpb::LeaseLeasesRequest* request,
                           etcdserverpb::LeaseLeasesResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace etcetera::server::api
