// The errors a Backend answers with (server/backend.h), in etcd's words: the
// key-value layer's errors (kv::Error, or a kv::pb::Failure that crossed
// raft) as the gRPC code and exact text etcd answers them with, and the
// member's own ("etcdserver: no leader", ...). etcd's Go client recognises
// errors by their text, so the text is etcd's; detail kv/ adds for humans
// follows it in parentheses, and server/api/status.h cuts it off the wire.
// Shared by the member (server/member.h) and the services (server/api/).
#pragma once

#include <string>

#include "kv/error.h"
#include "kv/kv.pb.h"
#include "server/backend.h"

namespace etcetera::server {

ApiError to_api_error(const kv::Error& error);
ApiError to_api_error(const kv::pb::Failure& failure);

ApiError no_leader();                               // UNAVAILABLE "etcdserver: no leader"
ApiError not_leader();                              // FAILED_PRECONDITION "etcdserver: not leader"
ApiError timed_out(const std::string& detail);      // UNAVAILABLE "etcdserver: request timed out"
ApiError stopping();                                // UNAVAILABLE "etcdserver: server stopped"
ApiError member_not_found();                        // NOT_FOUND "etcdserver: member not found"
// FAILED_PRECONDITION "etcdserver: the member has been permanently removed from the cluster":
// what a removed member answers its clients, and what its peers answer its messages.
ApiError removed_member();
ApiError bad_member_urls();  // INVALID_ARGUMENT "etcdserver: given member URLs are invalid"
ApiError unimplemented(const std::string& detail);  // UNIMPLEMENTED

}  // namespace etcetera::server
