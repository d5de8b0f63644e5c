// server::MemberRegistry — who is in the cluster, as etcd's `member list`
// shows it: id -> name, peer URLs, client URLs, learner flag.
//
// It is replicated state: every change comes from a committed raft entry
// (a conf change, whose context carries the new member's record, or a
// ServerEntry a member publishes), applied in log order on every member.
// It is persisted with the store in the server's snapshot data
// (SnapshotData) and rebuilt from the entries replayed after it; `applied`
// makes a replayed entry it already reflects a no-op. A pure type: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "raft/raft.pb.h"
#include "server/backend.h"
#include "server/membership.pb.h"

namespace etcetera::server {

class MemberRegistry {
 public:
  // A new cluster: every member of --initial-cluster, ids by member_id_of,
  // names and peer URLs known, client URLs not yet.
  static MemberRegistry seeded(const std::map<std::string, std::string>& initial_cluster);
  static MemberRegistry from_proto(const pb::Registry& r);
  pb::Registry to_proto() const;

  std::vector<MemberInfo> list() const;
  const MemberInfo* find(std::uint64_t id) const;
  // The member with one of these peer URLs, if any.
  std::optional<std::uint64_t> with_peer_url(const std::vector<std::string>& urls) const;
  std::uint64_t applied() const { return applied_; }
  // Ids a conf change has removed; never reused (member ids are new hashes).
  const std::set<std::uint64_t>& removed() const { return removed_; }

  // The committed entry at `index`; false when `index` is already reflected.
  bool apply_conf_change(std::uint64_t index, const raft::pb::ConfChange& cc);
  bool apply_server_entry(std::uint64_t index, const pb::ServerEntry& e);

 private:
  std::map<std::uint64_t, MemberInfo> members_;
  std::set<std::uint64_t> removed_;
  std::uint64_t applied_ = 0;
};

MemberInfo to_info(const pb::MemberRecord& r);
pb::MemberRecord to_record(const MemberInfo& m);

// Server entries on the log: a 0 byte, which no encoded kv request starts
// with (a protobuf tag is never 0), then the ServerEntry.
std::string encode_server_entry(const pb::ServerEntry& e);
std::optional<pb::ServerEntry> decode_server_entry(const std::string& data);

}  // namespace etcetera::server
