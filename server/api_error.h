// How the member's own errors become etcd's gRPC errors (server/backend.h):
// the status code etcd answers each kv::Error with, and the few errors of the
// member itself ("etcdserver: no leader", ...), in etcd's words.
#pragma once

#include "kv/error.h"
#include "server/backend.h"

namespace etcetera::server {

ApiError to_api_error(const kv::Error& error);

ApiError no_leader();                               // UNAVAILABLE "etcdserver: no leader"
ApiError not_leader();                              // FAILED_PRECONDITION "etcdserver: not leader"
ApiError timed_out(const std::string& detail);      // UNAVAILABLE "etcdserver: request timed out"
ApiError stopping();                                // UNAVAILABLE "etcdserver: server stopped"
ApiError unimplemented(const std::string& detail);  // UNIMPLEMENTED

}  // namespace etcetera::server
