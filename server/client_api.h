// The client-facing gRPC services (etcd's KV, Watch, Lease, Cluster,
// Maintenance) over a Backend, as main.cc starts them (server/client_api.cc,
// over server/api/api_server.h).
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "server/backend.h"

namespace etcetera::server {

class ClientApi {
 public:
  virtual ~ClientApi() = default;
  virtual void shutdown() = 0;
};

// Starts serving `backend` on `listen` ("host:port"). The error says why not.
std::expected<std::unique_ptr<ClientApi>, std::string> serve_client_api(Backend& backend,
                                                                        const std::string& listen);

}  // namespace etcetera::server
