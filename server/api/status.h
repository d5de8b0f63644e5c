// Errors on the wire: a server::ApiError (server/api_error.h) as the
// grpc::Status a client sees. etcd's Go client recognises errors by their
// text ("etcdserver: mvcc: required revision has been compacted"), so the
// text on the wire is etcd's alone: the detail kv/ adds for humans stays on
// our side.
#pragma once

#include <grpcpp/support/status.h>

#include "server/api_error.h"
#include "server/backend.h"

namespace etcetera::server::api {

// The status a client sees. A message that starts with one of etcd's texts
// followed by detail (" (...)") is cut back to etcd's text.
grpc::Status to_status(const ApiError& error);

}  // namespace etcetera::server::api
