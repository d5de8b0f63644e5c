// Errors on the wire: server::ApiError as a grpc::Status, and the key-value
// layer's errors (kv::Error, or a kv::pb::Failure that crossed raft) as the
// ApiError etcd answers with: its gRPC code and its exact text. etcd's Go
// client recognises errors by their text ("etcdserver: mvcc: required
// revision has been compacted"), so the text on the wire is etcd's alone;
// the detail kv/ adds for humans stays on our side.
#pragma once

#include <grpcpp/support/status.h>

#include "kv/error.h"
#include "kv/kv.pb.h"
#include "server/backend.h"

namespace etcetera::server::api {

// etcd's code and text for a key-value error.
ApiError to_api_error(const kv::Error& error);
ApiError to_api_error(const kv::pb::Failure& failure);

// The status a client sees. A message that starts with one of etcd's texts
// followed by detail (" (...)") is cut back to etcd's text.
grpc::Status to_status(const ApiError& error);

// etcd's own errors that are not the key-value layer's.
ApiError no_leader();         // UNAVAILABLE "etcdserver: no leader"
ApiError member_not_found();  // NOT_FOUND "etcdserver: member not found"
ApiError bad_member_urls();   // INVALID_ARGUMENT "etcdserver: given member URLs are invalid"

}  // namespace etcetera::server::api
