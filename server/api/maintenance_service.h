// etcd's Maintenance service over a Backend. A memory store has less to
// maintain than etcd's bolt file: Defragment has nothing to do and answers
// success; there are never alarms (no space quota, no corruption check), so
// Alarm lists none; Hash answers with the hash of the key-value store.
// Snapshot streams the state machine's snapshot in etcd's framing: padded
// to a multiple of 512 bytes (server/api/snapshot_padding.h), in chunks of
// 32 KiB, each with the bytes still to come, then the SHA-256 of it all,
// which etcd's clients look for when they save and check when they restore. It is etcetera's
// snapshot, not a bolt database: `etcdctl snapshot save` stores it, but etcd's `snapshot
// status/restore` cannot read it. Thread-safe: gRPC calls it from any number of threads.
#pragma once

#include "server/api/etcd_services.grpc.pb.h"
#include "server/backend.h"

namespace etcetera::server::api {

class MaintenanceService final : public etcdserverpb::Maintenance::Service {
 public:
  // REQUIRES: backend outlives the service.
  explicit MaintenanceService(Backend& backend) : backend_(backend) {}

  grpc::Status Alarm(grpc::ServerContext* context, const etcdserverpb::AlarmRequest* request,
                     etcdserverpb::AlarmResponse* response) override;
  grpc::Status Status(grpc::ServerContext* context, const etcdserverpb::StatusRequest* request,
                      etcdserverpb::StatusResponse* response) override;
  grpc::Status Defragment(grpc::ServerContext* context,
                          const etcdserverpb::DefragmentRequest* request,
                          etcdserverpb::DefragmentResponse* response) override;
  grpc::Status Hash(grpc::ServerContext* context, const etcdserverpb::HashRequest* request,
                    etcdserverpb::HashResponse* response) override;
  grpc::Status HashKV(grpc::ServerContext* context, const etcdserverpb::HashKVRequest* request,
                      etcdserverpb::HashKVResponse* response) override;
  grpc::Status Snapshot(grpc::ServerContext* context, const etcdserverpb::SnapshotRequest* request,
                        grpc::ServerWriter<etcdserverpb::SnapshotResponse>* writer) override;
  grpc::Status MoveLeader(grpc::ServerContext* context,
                          const etcdserverpb::MoveLeaderRequest* request,
                          etcdserverpb::MoveLeaderResponse* response) override;

 private:
  Backend& backend_;
};

// The chunk size of a Snapshot stream, etcd's.
inline constexpr std::size_t kSnapshotChunkBytes = 32 * 1024;

}  // namespace etcetera::server::api
