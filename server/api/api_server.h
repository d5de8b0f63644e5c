// server::api::ApiServer — etcd's v3 gRPC API on a listening address: the
// KV, Watch, Lease, Cluster and Maintenance services over one Backend, and
// the Lock and Election services over lock/'s recipes, which run on one
// thread of their own over the same Backend (server/api/backend_kv_port.h).
//
// Requests larger than etcd's default limit (--max-request-bytes, 1.5 MiB,
// plus room for gRPC's framing) are refused by gRPC itself with
// RESOURCE_EXHAUSTED, before they are decoded.
//
// Thread-safety: start() and shutdown() from one thread; the services run on
// gRPC's threads.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/server.h>

#include "server/api/backend_kv_port.h"
#include "server/api/cluster_service.h"
#include "server/api/election_service.h"
#include "server/api/kv_service.h"
#include "server/api/lease_service.h"
#include "server/api/lock_service.h"
#include "server/api/maintenance_service.h"
#include "server/api/watch_service.h"
#include "server/backend.h"

namespace etcetera::server::api {

// etcd's limit on a request (its --max-request-bytes default), and the
// largest gRPC message accepted: that plus etcd's allowance for framing.
inline constexpr int kMaxRequestBytes = 1536 * 1024;
inline constexpr int kMaxReceiveBytes = kMaxRequestBytes + 512 * 1024;

class ApiServer {
 public:
  // REQUIRES: backend outlives the server.
  explicit ApiServer(Backend& backend);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Listens on `address` ("127.0.0.1:2379"; port 0 picks a free port) without
  // TLS. Returns false when the address cannot be bound.
  // REQUIRES: not started yet (a server starts once).
  [[nodiscard]] bool start(const std::string& address);
  // The port bound by start(); 0 before it.
  int port() const { return port_; }
  // Ends every call (open watch and keep-alive streams too) and stops
  // listening. Idempotent; the destructor calls it.
  void shutdown();

 private:
  KvService kv_;
  WatchService watch_;
  LeaseService lease_;
  ClusterService cluster_;
  MaintenanceService maintenance_;
  BackendKvPort recipes_;  // before the services that use it: it outlives them
  LockApiService lock_;
  ElectionApiService election_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace etcetera::server::api
