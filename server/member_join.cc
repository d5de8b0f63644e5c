// Joining a running cluster (--initial-cluster-state existing on an empty
// data dir, after `member add`): the new member asks a running one for the
// cluster's id, configuration and registry over Peer.Members, finds itself
// there by its peer URL, and starts as a member of that configuration with
// an empty log; the leader then sends it the log or a snapshot. What it
// learnt is kept in its data dir (JoinedIdentity), for its restarts.
#include <chrono>
#include <filesystem>
#include <thread>

#include "server/disk/file.h"
#include "server/member.h"

namespace etcetera::server {

namespace {

const char* const kIdentityFile = "joined-identity";

std::expected<pb::MembersResponse, std::string> ask_members(const std::string& target) {
  auto stub = pb::Peer::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  pb::MembersResponse out;
  const grpc::Status s = stub->Members(&context, pb::MembersRequest{}, &out);
  if (!s.ok()) return std::unexpected(target + ": " + s.error_message());
  return out;
}

void set_configuration(raft::Config& config, const pb::JoinedIdentity& j) {
  config.id = j.id();
  config.voters.assign(j.voters().begin(), j.voters().end());
  config.learners.assign(j.learners().begin(), j.learners().end());
  config.conf_index = j.conf_index();
}

}  // namespace

std::expected<raft::Config, std::string> Member::join(raft::Config config) {
  const std::string self_url = options_.initial_cluster.at(options_.name);
  std::string last_error = "no other member in --initial-cluster";
  // The members may be busy with the change that added this one: ask each
  // in turn for a while.
  for (auto until = Clock::now() + std::chrono::seconds(10); Clock::now() < until;) {
    for (const auto& [name, url] : options_.initial_cluster) {
      if (name == options_.name) continue;
      auto resp = ask_members(*host_port_of(url));
      if (!resp) {
        last_error = resp.error();
        continue;
      }
      auto registry = MemberRegistry::from_proto(resp->registry());
      const auto id = registry.with_peer_url({self_url});
      if (!id)
        return std::unexpected("the cluster has no member with peer URL " + self_url +
                               ": add it first with `etcdctl member add " + options_.name +
                               " --peer-urls=" + self_url + "`");
      pb::JoinedIdentity j;
      j.set_id(*id);
      j.set_cluster_id(resp->cluster_id());
      j.mutable_voters()->CopyFrom(resp->voters());
      j.mutable_learners()->CopyFrom(resp->learners());
      j.set_conf_index(resp->conf_index());
      *j.mutable_registry() = resp->registry();
      // On disk before raft starts: a restart must not join again, and a
      // crash must not leave a member with a WAL but no identity.
      if (auto ok = replace_file_durably(options_.data_dir / kIdentityFile, j.SerializeAsString());
          !ok)
        return std::unexpected(ok.error().message);
      id_ = j.id();
      cluster_id_ = j.cluster_id();
      registry_ = std::move(registry);
      set_configuration(config, j);
      return config;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return std::unexpected("cannot join the cluster: " + last_error);
}

// A member that joined once comes back with what it learnt then.
std::expected<void, std::string> Member::load_identity(raft::Config& config) {
  const auto path = options_.data_dir / kIdentityFile;
  if (!std::filesystem::exists(path)) return {};
  auto bytes = read_whole_file(path);
  if (!bytes) return std::unexpected(bytes.error().message);
  pb::JoinedIdentity j;
  if (!j.ParseFromString(*bytes))
    return std::unexpected(path.string() +
                           " does not decode: it names the cluster this member joined; restore "
                           "it from a backup of the data dir, or remove the member and add it "
                           "again with an empty data dir");
  id_ = j.id();
  cluster_id_ = j.cluster_id();
  if (snapshot_index_ == 0) registry_ = MemberRegistry::from_proto(j.registry());
  set_configuration(config, j);
  return {};
}

}  // namespace etcetera::server
