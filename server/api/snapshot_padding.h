// etcd's snapshots are bolt files, whose size is a multiple of 512 bytes,
// and etcdctl finds the SHA-256 at the end of a snapshot stream by that
// rule: `snapshot save` refuses a stream whose size is not 32 bytes past a
// multiple of 512. etcetera's snapshot is a protobuf of any size, so the
// Snapshot service pads it first, with a field no message of ours uses: the
// padded bytes still parse as the same snapshot (the padding is kept as an
// unknown field).
#pragma once

#include <string>

namespace etcetera::server::api {

// The protobuf field number of the padding: far above any field in use.
inline constexpr int kPaddingField = 2047;

// `bytes` followed by a length-delimited field kPaddingField of zeros, so
// that the result is a multiple of 512 bytes long (unchanged if it is one).
std::string pad_to_512(std::string bytes);

}  // namespace etcetera::server::api
