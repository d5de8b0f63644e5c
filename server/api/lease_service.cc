#include "server/api/lease_service.h"

#include "server/api/unary.h"

namespace etcetera::server::api {

using namespace etcdserverpb;

grpc::Status LeaseService::LeaseGrant(grpc::ServerContext* context,
                                      const LeaseGrantRequest* request,
                                      LeaseGrantResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.lease_grant(*request, std::move(reply)); });
}

grpc::Status LeaseService::LeaseRevoke(grpc::ServerContext* context,
                                       const LeaseRevokeRequest* request,
                                       LeaseRevokeResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.lease_revoke(*request, std::move(reply)); });
}

grpc::Status LeaseService::LeaseKeepAlive(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<LeaseKeepAliveResponse, LeaseKeepAliveRequest>* stream) {
  LeaseKeepAliveRequest request;
  (void)take_decode_failure();  // another call's, on this thread
  while (stream->Read(&request)) {
    ApiResult<LeaseKeepAliveResponse> result = ask_backend<LeaseKeepAliveResponse>(
        *context, [&](auto reply) { backend_.lease_keep_alive(request, std::move(reply)); });
    if (!result && result.error().code != ApiError::Code::kNotFound) {
      return to_status(result.error());
    }
    // As etcd does, a lease that is gone is an answer, not an error: TTL 0
    // tells the client to stop keeping it alive.
    LeaseKeepAliveResponse response;
    if (result) {
      response = std::move(*result);
    } else {
      response.set_id(request.id());
      response.set_ttl(0);
    }
    fill_header(backend_, response);
    if (!stream->Write(response)) break;  // the client went away
  }
  return end_of_stream_status();
}

grpc::Status LeaseService::LeaseTimeToLive(grpc::ServerContext* context,
                                           const LeaseTimeToLiveRequest* request,
                                           LeaseTimeToLiveResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.lease_time_to_live(*request, std::move(reply)); });
}

grpc::Status LeaseService::LeaseLeases(grpc::ServerContext* context, const LeaseLeasesRequest*,
                                       LeaseLeasesResponse* response) {
  return answer_unary(*context, backend_, response,
                      [&](auto reply) { backend_.lease_leases(std::move(reply)); });
}

}  // namespace etcetera::server::api
