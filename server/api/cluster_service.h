// etcd's Cluster service (member list, add, remove, update, promote) over a
// Backend, whose MemberInfo becomes etcd's Member. Requests the member could
// not make sense of (no peer URLs) are refused here, before they reach it.
// Thread-safe: gRPC calls it from any number of threads.
#pragma once

#include "server/api/etcd_services.grpc.pb.h"
#include "server/backend.h"

namespace etcetera::server::api {

class ClusterService final : public etcdserverpb::Cluster::Service {
 public:
  // REQUIRES: backend outlives the service.
  explicit ClusterService(Backend& backend) : backend_(backend) {}

  grpc::Status MemberAdd(grpc::ServerContext* context,
                         const etcdserverpb::MemberAddRequest* request,
                         etcdserverpb::MemberAddResponse* response) override;
  grpc::Status MemberRemove(grpc::ServerContext* context,
                            const etcdserverpb::MemberRemoveRequest* request,
                            etcdserverpb::MemberRemoveResponse* response) override;
  grpc::Status MemberUpdate(grpc::ServerContext* context,
                            const etcdserverpb::MemberUpdateRequest* request,
                            etcdserverpb::MemberUpdateResponse* response) override;
  grpc::Status MemberList(grpc::ServerContext* context,
                          const etcdserverpb::MemberListRequest* request,
                          etcdserverpb::MemberListResponse* response) override;
  grpc::Status MemberPromote(grpc::ServerContext* context,
                             const etcdserverpb::MemberPromoteRequest* request,
                             etcdserverpb::MemberPromoteResponse* response) override;

 private:
  Backend& backend_;
};

// etcd's Member for a MemberInfo.
etcdserverpb::Member to_member(const MemberInfo& info);

}  // namespace etcetera::server::api
