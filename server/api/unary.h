// The shape every unary etcd RPC shares: ask the Backend, wait for its
// answer, and put it on the wire with a response header.
#pragma once

#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "server/api/status.h"
#include "server/api/wait.h"
#include "server/backend.h"

namespace etcetera::server::api {

// Every etcd response carries a header. The Backend fills what it knows
// better (kv/ sets the revision a write took); each field it left at zero is
// taken from the member's current header.
inline void fill_header(const Backend& backend, etcdserverpb::ResponseHeader& header) {
  const etcdserverpb::ResponseHeader current = backend.header();
  if (header.cluster_id() == 0) header.set_cluster_id(current.cluster_id());
  if (header.member_id() == 0) header.set_member_id(current.member_id());
  if (header.revision() == 0) header.set_revision(current.revision());
  if (header.raft_term() == 0) header.set_raft_term(current.raft_term());
}

template <class Response>
void fill_header(const Backend& backend, Response& response) {
  fill_header(backend, *response.mutable_header());
}

// Calls `start(reply)`, waits for the Backend's Response, and stores it in
// `out` with its header; or the error as etcd's status.
template <class Response, class Start>
grpc::Status answer_unary(grpc::ServerContext& context, const Backend& backend, Response* out,
                          Start&& start) {
  ApiResult<Response> result = ask_backend<Response>(context, std::forward<Start>(start));
  if (!result) return to_status(result.error());
  *out = std::move(*result);
  fill_header(backend, *out);
  return grpc::Status::OK;
}

}  // namespace etcetera::server::api
