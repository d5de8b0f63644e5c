// Stable one-line descriptions of the core's messages, entries, events and
// Ready batches: the text of the interaction scripts and the demo. Changing a
// format here changes the expected output of every script, on purpose.
#pragma once

#include <cstdint>
#include <string>

#include "raft/raft.pb.h"
#include "raft/ready.h"
#include "raft/trace.pb.h"

namespace etcetera::raft {

std::string role_name(pb::Role role);              // "Follower", "PreCandidate", ...
// A lease id as etcd's tools print it, in hex (the lock keys carry it so).
std::string lease_hex(std::int64_t lease);
std::string message_type_name(pb::MessageType t);  // "AppendEntriesRequest", ...

// "1->2 AppendEntriesRequest term=2 prev=1/1 entries=[2/2 3/2:x] commit=1"
std::string describe(const pb::Message& m);
// "3/2:x" (index/term, then the data if there is any: as text when it is
// printable, else as its size, "3/2:(14 bytes)")
std::string describe(const pb::Entry& e);
// "Timeout: role Follower -> PreCandidate" — without the node id.
std::string describe(const pb::Event& e);
// Several lines, one per non-empty part of the Ready, each indented by `indent`.
std::string describe(const Ready& rd, const std::string& indent);

}  // namespace etcetera::raft
