#include "server/grpc_decode.h"

#include "kv/decode.h"

namespace etcetera::server {

namespace {

thread_local std::optional<std::string> decode_failure;

}  // namespace

std::optional<std::string> take_decode_failure() {
  return std::exchange(decode_failure, std::nullopt);
}

grpc::Status end_of_stream_status() {
  if (auto failure = take_decode_failure())
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "grpc: failed to unmarshal the received message " + *failure);
  return grpc::Status::OK;
}

namespace detail {

grpc::Status decode_request(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* message) {
  if (buffer == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "No payload");
  grpc::Status result;
  decode_failure.reset();
  {
    grpc::ProtoBufferReader reader(buffer);
    if (!reader.status().ok()) return reader.status();
    google::protobuf::io::CodedInputStream in(&reader);
    in.SetRecursionLimit(kv::kDecodeDepth);
    if (!message->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
      decode_failure = "the bytes do not decode as " + message->GetTypeName() +
                       " (or nest deeper than " + std::to_string(kv::kDecodeDepth) + " levels)";
      result = grpc::Status(grpc::StatusCode::INTERNAL,
                            "grpc: error unmarshalling request: " + *decode_failure);
    }
  }
  buffer->Clear();
  return result;
}

}  // namespace detail

}  // namespace etcetera::server
