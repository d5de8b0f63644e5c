// How every etcetera gRPC server listens: refuse_shared_port, and
// keep_handler_threads.
//
// server::refuse_shared_port
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

// gRPC's synchronous server runs each call on a thread of its pool, and by
// default keeps at most two idle: under load, a thread that answered a call
// exits and another is created for the next one. Each unary call here waits
// for its write to apply, so 64 clients meant thread creation on nearly
// every request; the profile of a loaded leader showed it (page faults of
// new stacks, futex wake-ups), and keeping up to 256 idle threads took 64
// clients' puts from 2,470 to 3,825 a second (docs/performance.md).
inline void keep_handler_threads(grpc::ServerBuilder& builder) {
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 256);
}

}  // namespace etcetera::server
