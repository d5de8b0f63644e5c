// server::MemberOptions — how one member is set up, with etcd's names for
// each knob (docs/server.md, "The flags"), and the small parsers that turn
// etcd's flag syntax (URLs, "name=url,..." cluster lists) into it.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace etcetera::server {

class InProcessNetwork;

struct MemberOptions {
  std::string name = "default";
  std::filesystem::path data_dir = "default.etcetera";
  std::string listen_peer = "127.0.0.1:2380";  // host:port the Peer service binds
  std::vector<std::string> advertise_client_urls = {"http://127.0.0.1:2379"};
  // name -> peer URL of every member of the initial cluster, this one included.
  std::map<std::string, std::string> initial_cluster = {{"default", "http://127.0.0.1:2380"}};
  bool initial_cluster_state_new = true;  // "new"; false: "existing"
  int heartbeat_interval_ms = 100;
  int election_timeout_ms = 1000;
  std::uint64_t snapshot_count = 10000;  // applied entries between two snapshots
  std::filesystem::path trace_file;      // empty: no trace
  // Not a flag: a seam for tests that stall the log writer's WAL sync
  // (DurableOptions::before_sync).
  std::function<void()> before_wal_sync = {};
  // Not a flag: for tests, the members reach each other in this process
  // instead of over gRPC (server/in_process_peers.h); no peer port is bound.
  InProcessNetwork* in_process = nullptr;
};

// A member's id is a stable hash (64-bit FNV-1a) of its name: the same name
// gives the same id on every member and across restarts, with no exchange
// needed. etcd hashes the peer URLs and the cluster token instead; names are
// unique in an initial cluster, which is all this needs. Never 0 (raft's
// "no node").
std::uint64_t member_id_of(const std::string& name);
// The cluster's id: a hash of the sorted initial cluster, the same on every member.
std::uint64_t cluster_id_of(const std::map<std::string, std::string>& initial_cluster);

// "http://host:port" -> "host:port". Refuses other schemes and a missing port.
std::expected<std::string, std::string> host_port_of(const std::string& url);
// "a=http://h:1,b=http://h:2" -> {a: http://h:1, b: http://h:2}.
std::expected<std::map<std::string, std::string>, std::string> parse_initial_cluster(
    const std::string& text);
// "http://a:1,http://b:2" -> the list, each checked by host_port_of.
std::expected<std::vector<std::string>, std::string> parse_urls(const std::string& text);

// The whole set checked together: this member in the cluster, timings sane.
std::expected<void, std::string> validate(const MemberOptions& options);

}  // namespace etcetera::server
