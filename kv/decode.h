// kv::decode — parses a protobuf message that may nest as deep as etcd lets
// a transaction go. protobuf stops at 100 levels of nesting by default; a
// transaction inside a transaction is two levels (TxnRequest, RequestOp),
// and etcd accepts 128 of them (its op budget, kv/validate.h), and so do
// its clients. The limit here leaves room for that and for a request or a
// response wrapped around it, and stays far from the stack's end.
#pragma once

#include <string_view>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message_lite.h>

namespace etcetera::kv {

inline constexpr int kDecodeDepth = 2048;

// Parses `bytes` into `m` (cleared first); false if they are not one.
[[nodiscard]] inline bool decode(google::protobuf::MessageLite& m, std::string_view bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetRecursionLimit(kDecodeDepth);
  return m.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

}  // namespace etcetera::kv
