#include "server/api/maintenance_service.h"

#include <openssl/sha.h>

#include <algorithm>
#include <string>

#include "server/api/snapshot_padding.h"
#include "server/api/unary.h"

namespace etcetera::server::api {

using namespace etcdserverpb;

grpc::Status MaintenanceService::Alarm(grpc::ServerContext*, const AlarmRequest*,
                                       AlarmResponse* response) {
  // Nothing raises alarms here, so GET lists none and ACTIVATE/DEACTIVATE
  // change nothing.
  fill_header(backend_, *response);
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::Status(grpc::ServerContext* context, const StatusRequest*,
                                        StatusResponse* response) {
  ApiResult<StatusInfo> info =
      ask_backend<StatusInfo>(*context, [&](auto reply) { backend_.status(std::move(reply)); });
  if (!info) return to_status(info.error());
  response->set_version(info->version);
  response->set_dbsize(info->db_size);
  response->set_dbsizeinuse(info->db_size);  // a memory store holds no free pages
  response->set_leader(info->leader);
  response->set_raftindex(info->raft_index);
  response->set_raftterm(info->raft_term);
  response->set_raftappliedindex(info->raft_applied_index);
  response->set_islearner(info->is_learner);
  for (const std::string& e : info->errors)
    response->add_errors(e);
  fill_header(backend_, *response);
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::Defragment(grpc::ServerContext*, const DefragmentRequest*,
                                            DefragmentResponse* response) {
  fill_header(backend_, *response);  // a memory store has nothing to defragment
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::Hash(grpc::ServerContext* context, const HashRequest*,
                                      HashResponse* response) {
  ApiResult<Backend::Hash> hash = ask_backend<Backend::Hash>(
      *context, [&](auto reply) { backend_.hash_kv(0, std::move(reply)); });
  if (!hash) return to_status(hash.error());
  response->set_hash(hash->hash);
  fill_header(backend_, *response);
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::HashKV(grpc::ServerContext* context, const HashKVRequest* request,
                                        HashKVResponse* response) {
  ApiResult<Backend::Hash> hash = ask_backend<Backend::Hash>(
      *context, [&](auto reply) { backend_.hash_kv(request->revision(), std::move(reply)); });
  if (!hash) return to_status(hash.error());
  response->set_hash(hash->hash);
  response->set_compact_revision(hash->compact_revision);
  fill_header(backend_, *response);
  response->mutable_header()->set_revision(hash->revision);  // the revision hashed
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::Snapshot(grpc::ServerContext* context, const SnapshotRequest*,
                                          grpc::ServerWriter<SnapshotResponse>* writer) {
  ApiResult<std::string> bytes =
      ask_backend<std::string>(*context, [&](auto reply) { backend_.snapshot(std::move(reply)); });
  if (!bytes) return to_status(bytes.error());
  *bytes = pad_to_512(std::move(*bytes));

  std::size_t sent = 0;
  while (sent < bytes->size()) {
    std::size_t n = std::min(kSnapshotChunkBytes, bytes->size() - sent);
    SnapshotResponse chunk;
    chunk.set_blob(bytes->substr(sent, n));
    sent += n;
    chunk.set_remaining_bytes(bytes->size() - sent);
    if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "context canceled");
  }
  // etcd ends the stream with the digest of the whole, as one more blob.
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size(), digest);
  SnapshotResponse last;
  last.set_blob(reinterpret_cast<const char*>(digest), sizeof digest);
  last.set_remaining_bytes(0);
  writer->Write(last);
  return grpc::Status::OK;
}

grpc::Status MaintenanceService::MoveLeader(grpc::ServerContext* context,
                                            const MoveLeaderRequest* request,
                                            MoveLeaderResponse* response) {
  ApiResult<void> moved = ask_backend<void>(
      *context, [&](auto reply) { backend_.move_leader(request->targetid(), std::move(reply)); });
  if (!moved) return to_status(moved.error());
  fill_header(backend_, *response);
  return grpc::Status::OK;
}

}  // namespace etcetera::server::api
