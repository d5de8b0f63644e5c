#include "server/api/api_server.h"

#include <chrono>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "server/listen.h"

namespace etcetera::server::api {

ApiServer::ApiServer(Backend& backend)
    : kv_(backend),
      watch_(backend),
      lease_(backend),
      cluster_(backend),
      maintenance_(backend),
      recipes_(backend),
      lock_(recipes_),
      election_(recipes_) {}

ApiServer::~ApiServer() {
  shutdown();
  // The recipes' thread ends before the services whose recipes it runs.
  recipes_.stop();
}

bool ApiServer::start(const std::string& address) {
  grpc::ServerBuilder builder;
  refuse_shared_port(builder);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  keep_handler_threads(builder);
  builder.RegisterService(&kv_);
  builder.RegisterService(&watch_);
  builder.RegisterService(&lease_);
  builder.RegisterService(&cluster_);
  builder.RegisterService(&maintenance_);
  builder.RegisterService(&lock_);
  builder.RegisterService(&election_);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    server_.reset();
    port_ = 0;
    return false;
  }
  return true;
}

void ApiServer::shutdown() {
  if (!server_) return;
  // Streams (watches, keep-alives) never end on their own: a short grace
  // period, then every call is cancelled, which ends their Read()s.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  server_->Wait();
  server_.reset();
}

}  // namespace etcetera::server::api
