// The cluster: the member list (from the initial cluster: membership
// changes are not served yet) and leadership transfer.
#include "server/member.h"

namespace etcetera::server {

std::vector<MemberInfo> Member::members() const {
  std::vector<MemberInfo> out;
  for (const auto& [name, url] : options_.initial_cluster) {
    MemberInfo m;
    m.id = member_id_of(name);
    m.name = name;
    m.peer_urls = {url};
    // Only this member's client URLs are known here: etcd learns the others'
    // from the attributes each member publishes through raft, which this
    // build does not do yet.
    if (name == options_.name) m.client_urls = options_.advertise_client_urls;
    out.push_back(std::move(m));
  }
  return out;
}

void Member::member_list(Reply<std::vector<MemberInfo>> reply) {
  run([this, reply] { reply(members()); }, reply);
}

namespace {

// raft::Node has membership changes (propose_conf_change), but a member does
// not yet turn them into peer connections, data dirs of new members and a
// persisted member list; until it does, the cluster is the initial one.
ApiError no_membership_changes(const std::string& what) {
  return unimplemented("etcetera: " + what +
                       " is not supported yet: the cluster is fixed by --initial-cluster");
}

}  // namespace

void Member::member_add(std::vector<std::string>, bool,
                        Reply<std::pair<MemberInfo, std::vector<MemberInfo>>> reply) {
  reply(std::unexpected(no_membership_changes("member add")));
}

void Member::member_remove(std::uint64_t, Reply<std::vector<MemberInfo>> reply) {
  reply(std::unexpected(no_membership_changes("member remove")));
}

void Member::member_update(std::uint64_t, std::vector<std::string>,
                           Reply<std::vector<MemberInfo>> reply) {
  reply(std::unexpected(no_membership_changes("member update")));
}

void Member::member_promote(std::uint64_t, Reply<std::vector<MemberInfo>> reply) {
  reply(std::unexpected(no_membership_changes("member promote")));
}

void Member::move_leader(std::uint64_t target, Reply<void> reply) {
  run(
      [this, target, reply] {
        if (node_->role() != raft::pb::LEADER) return reply(std::unexpected(not_leader()));
        if (target == id_) return reply({});
        if (transfer_)
          return reply(std::unexpected(ApiError{ApiError::Code::kFailedPrecondition,
                                                "etcdserver: a leader transfer is in progress"}));
        if (auto ok = node_->transfer_leadership(target); !ok)
          return reply(std::unexpected(
              ApiError{ApiError::Code::kFailedPrecondition,
                       "etcdserver: bad leader transferee (" + ok.error().message + ")"}));
        transfer_ = Transfer{target, reply, deadline()};
        schedule_ready();
      },
      reply);
}

// Answers a transfer once this member sees the target lead.
void Member::check_transfer() {
  if (!transfer_ || node_->leader() != transfer_->target) return;
  auto t = std::move(*transfer_);
  transfer_.reset();
  t.reply({});
}

}  // namespace etcetera::server
