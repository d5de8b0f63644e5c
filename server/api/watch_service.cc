#include "server/api/watch_service.h"

#include <memory>
#include <thread>

#include "server/api/response_queue.h"
#include "server/api/unary.h"

namespace etcetera::server::api {

using etcdserverpb::WatchRequest;
using etcdserverpb::WatchResponse;

grpc::Status WatchService::Watch(grpc::ServerContext*,
                                 grpc::ServerReaderWriter<WatchResponse, WatchRequest>* stream) {
  // Shared with the sink, which the member may still hold for a moment
  // after close_watch_stream() is called from here.
  auto queue = std::make_shared<ResponseQueue<WatchResponse>>();
  WatchStreamId id =
      backend_.open_watch_stream([queue](const WatchResponse& response) { queue->push(response); });

  // gRPC allows one reader and one writer on a stream at the same time.
  std::thread writer([&] {
    bool open = true;
    while (std::optional<WatchResponse> response = queue->pop()) {
      if (!open) continue;  // the client is gone: drain until closed
      fill_header(backend_, *response);
      open = stream->Write(*response);
    }
  });

  // Read() returns false when the client half-closes or the call ends
  // (cancelled, deadline, server shutdown), or a request does not decode.
  WatchRequest request;
  (void)take_decode_failure();  // another call's, on this thread
  while (stream->Read(&request))
    backend_.watch_request(id, request);
  const grpc::Status end = end_of_stream_status();

  backend_.close_watch_stream(id);
  queue->close();
  writer.join();
  return end;
}

}  // namespace etcetera::server::api
