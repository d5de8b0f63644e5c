// server::refuse_shared_port — how every etcetera gRPC server listens.
//
// gRPC sets SO_REUSEPORT on its listening sockets by default on Linux, so a
// second server started on a port already in use binds as well, and the
// kernel then splits new connections between the two: a client of one
// reaches the other (a member's client port shared with another member's
// peer port answers UNIMPLEMENTED). etcd refuses a port in use; so does
// etcetera, and the member says which address it could not listen on.
#pragma once

#include <grpcpp/server_builder.h>

namespace etcetera::server {

inline void refuse_shared_port(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace etcetera::server
