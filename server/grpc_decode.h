// How gRPC decodes the requests the server takes (included ahead of every
// file that uses etcd's or the peers' gRPC services: server/CMakeLists.txt).
//
// gRPC decodes a request with protobuf's defaults: 100 levels of nesting,
// and an empty message when the bytes are no message at all. etcd accepts a
// transaction nested 128 deep (257 levels), and answers bytes it cannot
// read with INTERNAL "grpc: error unmarshalling request: ...". So each
// request type below is decoded here instead, as kv::decode does, with
// etcd's words on failure. These are full specializations of gRPC's own
// SerializationTraits, which gRPC prefers to its generic one.
//
// A streaming call's handler never sees the status of a request that did
// not decode: its Read() just returns false, as at the end of the stream.
// The reason is kept for the handler's thread: take_decode_failure().
#pragma once

#include <grpcpp/impl/codegen/proto_utils.h>

#include <optional>
#include <string>

#include "kv/rpc.pb.h"
#include "raft/raft.pb.h"

namespace etcetera::server {

// Why the last request this thread tried to decode did not, once; nothing
// if it did. For a stream's handler, after Read() returned false.
std::optional<std::string> take_decode_failure();
// What a stream answers when a request on it did not decode, in etcd's
// words; OK when none failed (the client half-closed, or the call ended).
grpc::Status end_of_stream_status();

namespace detail {
grpc::Status decode_request(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* message);
}  // namespace detail

}  // namespace etcetera::server

#define ETCETERA_DECODE_DEEP(Type)                                                            \
  template <>                                                                                  \
  class grpc::SerializationTraits<Type, void> {                                               \
   public:                                                                                     \
    static grpc::Status Serialize(const grpc::protobuf::MessageLite& message,                 \
                                  grpc::ByteBuffer* buffer, bool* own_buffer) {               \
      return grpc::GenericSerialize<grpc::ProtoBufferWriter, Type>(message, buffer,           \
                                                                   own_buffer);               \
    }                                                                                          \
    static grpc::Status Deserialize(grpc::ByteBuffer* buffer,                                 \
                                    grpc::protobuf::MessageLite* message) {                   \
      return etcetera::server::detail::decode_request(buffer, message);                       \
    }                                                                                          \
  };

// A unary call's request is decoded through its base type (gRPC's
// RpcMethodHandler), so this one covers every unary method of every service
// here; a stream's through its own type, so the clients' streams follow.
ETCETERA_DECODE_DEEP(google::protobuf::MessageLite)
ETCETERA_DECODE_DEEP(etcdserverpb::WatchRequest)
ETCETERA_DECODE_DEEP(etcdserverpb::LeaseKeepAliveRequest)
ETCETERA_DECODE_DEEP(etcetera::raft::pb::Message)  // a peer's Send stream

#undef ETCETERA_DECODE_DEEP
