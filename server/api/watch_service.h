// etcd's Watch service over a Backend. One gRPC Watch call is one Backend
// watch stream: the client's requests (create, cancel, progress) go to the
// member as they arrive; the member's responses (answers and events) come
// back through a sink into a queue, which a writer thread puts on the wire.
// Reading and writing run apart, so a client that stops reading never stops
// the member, and one that stops writing still gets its events.
#pragma once

#include "server/api/etcd_services.grpc.pb.h"
#include "server/backend.h"

namespace etcetera::server::api {

class WatchService final : public etcdserverpb::Watch::Service {
 public:
  // REQUIRES: backend outlives the service.
  explicit WatchService(Backend& backend) : backend_(backend) {}

  grpc::Status Watch(grpc::ServerContext* context,
                     grpc::ServerReaderWriter<etcdserverpb::WatchResponse,
                                              etcdserverpb::WatchRequest>* stream) override;

 private:
  Backend& backend_;
};

}  // namespace etcetera::server::api
