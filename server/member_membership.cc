// Membership changes: member add, remove, promote and update, and the
// attributes (name, client URLs) a member publishes once it has started.
// Each is proposed at the leader (a follower hands it over with
// Peer.Change) and answered once applied there; the registry changes on
// every member as the entry applies (member_registry.h, docs/server.md,
// "Membership").
#include <iostream>
#include <sstream>

#include "server/member.h"

namespace etcetera::server {

namespace {

ApiError peer_urls_exist() {
  return ApiError{ApiError::Code::kFailedPrecondition, "etcdserver: Peer URLs already exists"};
}

std::uint64_t fnv1a(const std::string& text, std::uint64_t hash) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::vector<std::string> urls_of(const pb::MemberRecord& r) {
  return {r.peer_urls().begin(), r.peer_urls().end()};
}

}  // namespace

// etcd's id for a new member: a hash of its peer URLs, the cluster and the
// time, here the commit index, so that a member added again gets a new id.
std::uint64_t Member::new_member_id(const std::vector<std::string>& peer_urls) const {
  std::uint64_t h = fnv1a("etcetera-member", 14695981039346656037ULL);
  for (const auto& u : peer_urls)
    h = fnv1a(u + ",", h);
  h = fnv1a(std::to_string(cluster_id_) + "/" + std::to_string(node_->log().committed()), h);
  while (h == 0 || registry_.find(h) != nullptr || h == id_)
    h = fnv1a("again", h);
  return h;
}

std::vector<MemberInfo> Member::members() const {
  return registry_.list();
}

void Member::member_list(Reply<std::vector<MemberInfo>> reply) {
  run([this, reply] { reply(members()); }, reply);
}

// The Backend's calls become one ChangeRequest each, answered with the list.
void Member::member_add(std::vector<std::string> peer_urls, bool is_learner,
                        Reply<std::pair<MemberInfo, std::vector<MemberInfo>>> reply) {
  pb::ChangeRequest r;
  r.set_kind(pb::ChangeRequest::ADD);
  for (const auto& u : peer_urls)
    r.mutable_member()->add_peer_urls(u);
  r.mutable_member()->set_is_learner(is_learner);
  run(
      [this, r, reply] {
        change(r, [reply](ApiResult<pb::ChangeResponse> c) {
          if (!c) return reply(std::unexpected(c.error()));
          std::vector<MemberInfo> list;
          for (const auto& m : c->members())
            list.push_back(to_info(m));
          reply(std::make_pair(to_info(c->member()), std::move(list)));
        });
      },
      reply);
}

namespace {

Reply<pb::ChangeResponse> list_of(Reply<std::vector<MemberInfo>> reply) {
  return [reply](ApiResult<pb::ChangeResponse> c) {
    if (!c) return reply(std::unexpected(c.error()));
    std::vector<MemberInfo> list;
    for (const auto& m : c->members())
      list.push_back(to_info(m));
    reply(std::move(list));
  };
}

}  // namespace

void Member::member_remove(std::uint64_t id, Reply<std::vector<MemberInfo>> reply) {
  pb::ChangeRequest r;
  r.set_kind(pb::ChangeRequest::REMOVE);
  r.mutable_member()->set_id(id);
  run([this, r, reply] { change(r, list_of(reply)); }, reply);
}

void Member::member_update(std::uint64_t id, std::vector<std::string> peer_urls,
                           Reply<std::vector<MemberInfo>> reply) {
  pb::ChangeRequest r;
  r.set_kind(pb::ChangeRequest::UPDATE);
  r.mutable_member()->set_id(id);
  for (const auto& u : peer_urls)
    r.mutable_member()->add_peer_urls(u);
  run([this, r, reply] { change(r, list_of(reply)); }, reply);
}

void Member::member_promote(std::uint64_t id, Reply<std::vector<MemberInfo>> reply) {
  pb::ChangeRequest r;
  r.set_kind(pb::ChangeRequest::PROMOTE);
  r.mutable_member()->set_id(id);
  run([this, r, reply] { change(r, list_of(reply)); }, reply);
}

void Member::heard_from(std::uint64_t peer) {
  const auto now = Clock::now();
  auto last = heard_.find(peer);
  // A silence longer than an election timeout is a broken connection.
  if (last == heard_.end() ||
      now - last->second > std::chrono::milliseconds(options_.election_timeout_ms))
    active_since_[peer] = now;
  heard_[peer] = now;
}

// etcd's strict reconfiguration check for a new member: for a voter, enough
// started members for the larger quorum; for any, every voter connected for
// the last 5 s (an added member not started yet never is).
std::optional<ApiError> Member::may_add_member(bool is_learner) const {
  const auto& voters = node_->configuration().voters;
  std::size_t started = 0, total = 0;
  for (const auto& m : registry_.list()) {
    if (m.is_learner) continue;
    ++total;
    if (!m.name.empty()) ++started;
  }
  if (!is_learner && started < (total + 1) / 2 + 1)
    return ApiError{ApiError::Code::kFailedPrecondition,
                    "etcdserver: re-configuration failed due to not enough started members"};
  const auto now = Clock::now();
  const auto gap = std::chrono::milliseconds(options_.election_timeout_ms);
  for (std::uint64_t id : voters.ids()) {
    if (id == id_) continue;
    auto heard = heard_.find(id);
    auto since = active_since_.find(id);
    if (heard == heard_.end() || now - heard->second > gap ||
        now - since->second < std::chrono::seconds(5))
      return ApiError{ApiError::Code::kUnavailable, "etcdserver: unhealthy cluster"};
  }
  return std::nullopt;
}

// On the driver: at the leader, proposed here; elsewhere handed to the
// leader, and answered once this member has applied as far as the leader
// had (so that a `member list` here right after shows the change).
void Member::change(pb::ChangeRequest r, Reply<pb::ChangeResponse> reply) {
  if (node_->role() == raft::pb::LEADER) return change_local(std::move(r), std::move(reply));
  const std::uint64_t leader = node_->leader();
  if (leader == raft::kNoNode || leader == id_) return reply(std::unexpected(no_leader()));
  transport_->change(leader, r, [this, reply](grpc::Status s, pb::ChangeResponse resp) {
    run(
        [this, reply, s = std::move(s), resp = std::move(resp)] {
          // A call that broke on the way may have reached the leader, and
          // the change may apply: the answer must not say it failed.
          if (!s.ok()) return reply(std::unexpected(from_leader_status_ambiguous(s)));
          catch_ups_.push_back(CatchUp{resp.index(), [reply, resp] { reply(resp); }, deadline()});
          check_changes();
        },
        [reply] { reply(std::unexpected(stopping())); });
  });
}

ApiResult<pb::ChangeResponse> Member::forwarded_change(const pb::ChangeRequest& r) {
  return wait_on_driver<pb::ChangeResponse>(
      [this, r](Reply<pb::ChangeResponse> reply) { change_local(r, reply); });
}

// At the leader: checks the request against the registry, then proposes it.
// A change refused because the previous one is still in progress (raft
// allows one at a time) waits for it, until the request's deadline.
void Member::change_local(pb::ChangeRequest r, Reply<pb::ChangeResponse> reply,
                          std::optional<Clock::time_point> give_up) {
  if (node_->role() != raft::pb::LEADER) return reply(std::unexpected(not_leader()));
  const pb::MemberRecord& want = r.member();
  const MemberInfo* known = registry_.find(want.id());
  raft::pb::ConfChange cc;
  pb::ServerEntry entry;
  pb::MemberRecord added;
  switch (r.kind()) {
    case pb::ChangeRequest::ADD: {
      if (auto refused = may_add_member(want.is_learner())) return reply(std::unexpected(*refused));
      if (registry_.with_peer_url(urls_of(want))) return reply(std::unexpected(peer_urls_exist()));
      added = want;
      added.set_id(new_member_id(urls_of(want)));
      auto* c = cc.add_changes();
      c->set_type(want.is_learner() ? raft::pb::ADD_LEARNER : raft::pb::ADD_VOTER);
      c->set_node(added.id());
      cc.set_context(added.SerializeAsString());
      break;
    }
    case pb::ChangeRequest::REMOVE: {
      if (known == nullptr) return reply(std::unexpected(member_not_found()));
      auto* c = cc.add_changes();
      c->set_type(raft::pb::REMOVE_NODE);
      c->set_node(want.id());
      break;
    }
    case pb::ChangeRequest::PROMOTE: {
      if (known == nullptr) return reply(std::unexpected(member_not_found()));
      if (!known->is_learner)
        return reply(std::unexpected(ApiError{ApiError::Code::kFailedPrecondition,
                                              "etcdserver: can only promote a learner member"}));
      // etcd's rule: the learner has 90% of the leader's log.
      const auto& progress = node_->tracker().all_progress();
      const auto it = progress.find(want.id());
      const raft::Index match = it == progress.end() ? 0 : it->second.match;
      if (match * 10 < node_->log().last_index() * 9)
        return reply(std::unexpected(ApiError{
            ApiError::Code::kFailedPrecondition,
            "etcdserver: can only promote a learner member which is in sync with leader"}));
      auto* c = cc.add_changes();
      c->set_type(raft::pb::ADD_VOTER);
      c->set_node(want.id());
      break;
    }
    case pb::ChangeRequest::UPDATE: {
      if (known == nullptr) return reply(std::unexpected(member_not_found()));
      if (auto other = registry_.with_peer_url(urls_of(want)); other && *other != want.id())
        return reply(std::unexpected(peer_urls_exist()));
      *entry.mutable_peer_urls() = want;
      break;
    }
    case pb::ChangeRequest::PUBLISH:
      *entry.mutable_attributes() = want;
      break;
    default:
      return reply(std::unexpected(
          ApiError{ApiError::Code::kInvalidArgument, "etcetera: unknown membership change"}));
  }
  const bool conf = cc.changes_size() > 0;
  auto index = conf ? node_->propose_conf_change(cc) : node_->propose(encode_server_entry(entry));
  if (!index) {
    const auto until = give_up.value_or(deadline());
    if (index.error().code == raft::Error::Code::kConfChangeInProgress && Clock::now() < until) {
      queued_changes_.push_back(QueuedChange{std::move(r), std::move(reply), until});
      return;
    }
    return reply(
        std::unexpected(ApiError{ApiError::Code::kUnavailable,
                                 "etcdserver: leader changed (" + index.error().message + ")"}));
  }
  changes_[*index] = PendingChange{node_->term(), conf, std::move(added), std::move(reply),
                                   give_up.value_or(deadline())};
  schedule_ready();
}

// Each tick: changes that waited for the previous one try again.
void Member::retry_queued_changes() {
  auto queued = std::move(queued_changes_);
  queued_changes_.clear();
  for (auto& q : queued)
    change_local(std::move(q.request), std::move(q.reply), q.deadline);
}

// After each Ready: answers the changes now applied. A conf change is
// answered once the joint configuration it entered has been left too, so
// that the next change can follow at once, as etcd's can.
void Member::check_changes() {
  const raft::Index applied = kv_.applied_index();
  const bool joint = node_->configuration().voters.joint();
  const auto now = Clock::now();
  for (auto it = changes_.begin(); it != changes_.end();) {
    PendingChange& p = it->second;
    const bool expired = p.deadline <= now;
    if (!expired && (it->first > applied || (p.conf && joint))) {
      ++it;
      continue;
    }
    auto reply = std::move(p.reply);
    pb::ChangeResponse resp;
    if (expired) {
      it = changes_.erase(it);
      reply(std::unexpected(timed_out("the membership change was not applied in time")));
      continue;
    }
    if (p.lost) {
      it = changes_.erase(it);
      reply(std::unexpected(ApiError{ApiError::Code::kUnavailable, "etcdserver: leader changed"}));
      continue;
    }
    if (p.added.id() != 0) {
      *resp.mutable_member() = p.added;
      if (const MemberInfo* m = registry_.find(p.added.id()))
        *resp.mutable_member() = to_record(*m);
    }
    for (const auto& m : registry_.list())
      *resp.add_members() = to_record(m);
    resp.set_index(applied);
    it = changes_.erase(it);
    reply(std::move(resp));
  }
  for (auto it = catch_ups_.begin(); it != catch_ups_.end();) {
    if (it->index > applied && it->deadline > now) {
      ++it;
      continue;
    }
    auto fn = std::move(it->done);
    it = catch_ups_.erase(it);
    fn();
  }
}

// A committed membership entry (the driver's apply): the registry, raft's
// configuration and the peer connections change together.
void Member::apply_conf_change_entry(const raft::pb::Entry& e) {
  raft::pb::ConfChange cc;
  if (!cc.ParseFromString(e.data())) return;
  (void)node_->apply_conf_change(e.index(), cc);
  registry_.apply_conf_change(e.index(), cc);
  connect_peers();
}

// The transport follows the registry: a sender for every other member, none
// for one removed.
void Member::connect_peers() {
  if (!transport_) return;
  std::map<std::uint64_t, std::string> wanted;
  for (const auto& m : registry_.list()) {
    if (m.id == id_ || m.peer_urls.empty()) continue;
    if (auto target = host_port_of(m.peer_urls.front())) wanted[m.id] = *target;
  }
  for (const auto& [id, target] : connected_) {
    auto it = wanted.find(id);
    if (it == wanted.end() || it->second != target) transport_->remove_peer(id);
  }
  for (const auto& [id, target] : wanted)
    transport_->add_peer(id, target);  // no-op when already connected
  connected_ = std::move(wanted);
  std::lock_guard lock(removed_peers_mu_);
  removed_peers_ = registry_.removed();
}

bool Member::was_removed(std::uint64_t member) {
  std::lock_guard lock(removed_peers_mu_);
  return removed_peers_.contains(member);
}

// Once a leader is known, a member publishes its name and client URLs
// through raft (etcd's publish), unless the registry already has them.
void Member::maybe_publish() {
  if (publishing_ || node_->leader() == raft::kNoNode || removed_) return;
  const MemberInfo* self = registry_.find(id_);
  if (self == nullptr) return;
  if (self->name == options_.name && self->client_urls == options_.advertise_client_urls) {
    published_.store(true);
    return;
  }
  if (kv_.applied_index() < node_->log().committed()) return;  // not caught up yet
  publishing_ = true;
  pb::ChangeRequest r;
  r.set_kind(pb::ChangeRequest::PUBLISH);
  r.mutable_member()->set_id(id_);
  r.mutable_member()->set_name(options_.name);
  for (const auto& u : options_.advertise_client_urls)
    r.mutable_member()->add_client_urls(u);
  change(r, [this](ApiResult<pb::ChangeResponse>) { publishing_ = false; });
}

// A member removed from the configuration stops serving, as etcd's does:
// once it is out of raft's configuration (a leader once the joint
// configuration is left, so that it commits that first). Removed, not
// absent: a member that joined catches up from a snapshot the leader took
// before it was added, and does not find itself in that registry until it
// applies its own addition after it.
void Member::check_removed() {
  if (removed_ || !registry_.removed().contains(id_)) return;
  if (node_->role() == raft::pb::LEADER && node_->configuration().voters.joint()) return;
  removed_ = true;
  stop_serving("this member has been removed from the cluster", removed_member());
}

// The removal's entry never reached this member: a peer that applied it
// refused its messages (Peer.Send). etcd's removed member stops the same way.
void Member::told_removed(std::uint64_t by) {
  run(
      [this, by] {
        if (removed_) return;
        removed_ = true;
        std::ostringstream who;
        if (const MemberInfo* peer = registry_.find(by); peer != nullptr && !peer->name.empty())
          who << peer->name;
        else
          who << "id " << std::hex << by;
        stop_serving("member " + who.str() +
                         " answered that this member has been removed from the cluster",
                     removed_member());
      },
      [] {});
}

pb::MembersResponse Member::membership_for_joining() const {
  pb::MembersResponse out;
  out.set_cluster_id(cluster_id_);
  *out.mutable_registry() = registry_.to_proto();
  const auto cs = node_->configuration().to_conf_state();
  out.mutable_voters()->CopyFrom(cs.voters());
  out.mutable_learners()->CopyFrom(cs.learners());
  out.set_conf_index(node_->conf_index());
  return out;
}

ApiResult<pb::MembersResponse> Member::members_for_joining() {
  return wait_on_driver<pb::MembersResponse>([this](Reply<pb::MembersResponse> reply) {
    if (node_->configuration().voters.joint())
      return reply(std::unexpected(
          ApiError{ApiError::Code::kUnavailable, "etcetera: a membership change is in progress"}));
    reply(membership_for_joining());
  });
}

}  // namespace etcetera::server
