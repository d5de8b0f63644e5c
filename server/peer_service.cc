#include "server/peer_service.h"

#include <chrono>
#include <iostream>

#include "server/api_error.h"
#include "server/disk/snapshot_stream.h"

namespace etcetera::server {

grpc::Status to_status(const ApiError& e) {
  return grpc::Status(static_cast<grpc::StatusCode>(e.code), e.message);
}

ApiError from_status(const grpc::Status& s) {
  return ApiError{static_cast<ApiError::Code>(s.error_code()), s.error_message()};
}

ApiError from_leader_status(const grpc::Status& s) {
  // Every answer the leader itself gives is in etcd's words (api_error.h);
  // gRPC's own failures are not.
  if (s.error_message().starts_with("etcdserver: ")) return from_status(s);
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED: {
      ApiError e = no_leader();
      e.message += " (the leader cannot be reached: " + s.error_message() + ")";
      return e;
    }
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return timed_out("the leader did not answer in time: " + s.error_message());
    default:
      return from_status(s);
  }
}

ApiError from_leader_status_ambiguous(const grpc::Status& s) {
  if (s.error_message().starts_with("etcdserver: ")) return from_status(s);
  return timed_out("the leader's answer was lost: " + s.error_message());
}

namespace {

template <class T, class Out>
grpc::Status answer(ApiResult<T> result, Out* out) {
  if (!result) return to_status(result.error());
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status PeerService::Send(grpc::ServerContext*, grpc::ServerReader<raft::pb::Message>* reader,
                               pb::SendAck*) {
  // A removed member that never applied its own removal (it was down, or
  // cut off, when the entry went round) learns it here, from the answer
  // that ends its stream; it cannot learn it from raft, which no longer
  // sends to it.
  (void)take_decode_failure();  // another call's, on this thread
  for (raft::pb::Message m; reader->Read(&m);) {
    if (handler_.was_removed(m.from())) return to_status(removed_member());
    // A snapshot that names a file comes with its file, over Peer.Snapshot;
    // on this stream the name would be of a file this member does not have.
    if (m.type() == raft::pb::INSTALL_SNAPSHOT_REQUEST && snapshot_file_of(m.snapshot().data()))
      continue;
    handler_.receive(std::move(m));
  }
  return end_of_stream_status();
}

grpc::Status PeerService::Snapshot(grpc::ServerContext*,
                                   grpc::ServerReader<pb::SnapshotChunk>* reader, pb::SendAck*) {
  pb::SnapshotChunk first;
  if (!reader->Read(&first) || first.message().type() != raft::pb::INSTALL_SNAPSHOT_REQUEST)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "etcetera: a snapshot transfer starts with an InstallSnapshot message");
  raft::pb::Message m = std::move(*first.mutable_message());
  if (handler_.was_removed(m.from())) return to_status(removed_member());
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t bytes = first.data().size();
  std::optional<std::string> pending = std::move(*first.mutable_data());
  auto received = receive_snapshot(
      handler_.snapshot_dir(), m.snapshot().metadata(),
      [&]() -> DiskResult<std::optional<std::string>> {
        if (pending) return std::exchange(pending, std::nullopt);
        pb::SnapshotChunk chunk;
        if (!reader->Read(&chunk)) return std::nullopt;
        bytes += chunk.data().size();
        return std::move(*chunk.mutable_data());
      });
  if (!received) {
    std::cerr << "etcetera: snapshot " << m.snapshot().metadata().index() << " from member "
              << std::hex << m.from() << std::dec << " refused: " << received.error().message
              << "\n";
    return grpc::Status(grpc::StatusCode::DATA_LOSS,
                        "etcetera: snapshot not received: " + received.error().message);
  }
  std::cerr << "etcetera: received snapshot " << m.snapshot().metadata().index()
            << " from member " << std::hex << m.from() << std::dec << ": " << (bytes >> 20)
            << " MiB in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count()
            << " ms\n";
  m.mutable_snapshot()->set_data(snapshot_file_ref(*received));
  handler_.receive(std::move(m));
  return grpc::Status::OK;
}

grpc::Status PeerService::Forward(grpc::ServerContext*, const kv::pb::Request* r,
                                  pb::ForwardAck* out) {
  pb::ForwardBatch batch;
  *batch.add_requests() = *r;
  auto acks = handler_.forwarded(std::move(batch));
  if (!acks) return to_status(acks.error());
  if (acks->acks_size() != 1) return to_status(ApiError{ApiError::Code::kInternal, "no ack"});
  *out = acks->acks(0);
  return grpc::Status::OK;
}

grpc::Status PeerService::ForwardMany(grpc::ServerContext*, const pb::ForwardBatch* batch,
                                      pb::ForwardAcks* out) {
  return answer(handler_.forwarded(*batch), out);
}

grpc::Status PeerService::KeepAlive(grpc::ServerContext*,
                                    const etcdserverpb::LeaseKeepAliveRequest* r,
                                    etcdserverpb::LeaseKeepAliveResponse* out) {
  return answer(handler_.forwarded_keep_alive(*r), out);
}

grpc::Status PeerService::TimeToLive(grpc::ServerContext*,
                                     const etcdserverpb::LeaseTimeToLiveRequest* r,
                                     etcdserverpb::LeaseTimeToLiveResponse* out) {
  return answer(handler_.forwarded_time_to_live(*r), out);
}

grpc::Status PeerService::Change(grpc::ServerContext*, const pb::ChangeRequest* r,
                                 pb::ChangeResponse* out) {
  return answer(handler_.forwarded_change(*r), out);
}

grpc::Status PeerService::Members(grpc::ServerContext*, const pb::MembersRequest*,
                                  pb::MembersResponse* out) {
  return answer(handler_.members_for_joining(), out);
}

}  // namespace etcetera::server
