// Leases: which leases exist is replicated (granted and revoked through raft);
// when they run out is the leader's alone (kv/lease_clock.h). So keep-alives
// and time-to-live go to the leader, and the leader's clock proposes the
// revocation of expired leases, exactly as sim/cluster_kv.cc does.
#include "server/member.h"

namespace etcetera::server {

void Member::run_lease_clock() {
  kv::LeaseClock& clock = kv_.lease_clock();
  const kv::Lessor& lessor = kv_.store().lessor();
  const bool leader = node_->role() == raft::pb::LEADER;
  // Each lease gets its TTL plus an election timeout from when this member
  // became leader: none expires because nobody could renew it meanwhile.
  const kv::Millis election_timeout = options_.election_timeout_ms;
  if (leader && !clock.primary()) clock.promote(lessor, now_ms(), election_timeout);
  if (!leader && clock.primary()) clock.demote();
  if (!clock.primary()) return;
  for (kv::LeaseId lease : clock.expired(lessor, now_ms(), election_timeout)) {
    kv::pb::Request revoke;
    revoke.mutable_lease_revoke()->set_id(lease);
    // Nobody waits for it (it carries no proposer); if it is lost, the
    // clock offers the lease again, and revoking twice is harmless.
    (void)propose_entry(revoke);
  }
}

ApiResult<etcdserverpb::LeaseKeepAliveResponse> Member::keep_alive_local(
    const etcdserverpb::LeaseKeepAliveRequest& r) {
  if (node_->role() != raft::pb::LEADER) return std::unexpected(not_leader());
  run_lease_clock();
  etcdserverpb::LeaseKeepAliveResponse out;
  *out.mutable_header() = header();
  out.set_id(r.id());
  auto ttl = kv_.lease_clock().keep_alive(kv_.store().lessor(), r.id(), now_ms());
  if (ttl) {
    out.set_ttl(*ttl);
  } else if (ttl.error().code == kv::Error::Code::kLeaseNotFound) {
    out.set_ttl(0);  // etcd's answer for a lease that is gone
  } else {
    return std::unexpected(to_api_error(ttl.error()));
  }
  return out;
}

ApiResult<etcdserverpb::LeaseTimeToLiveResponse> Member::time_to_live_local(
    const etcdserverpb::LeaseTimeToLiveRequest& r) {
  if (node_->role() != raft::pb::LEADER) return std::unexpected(not_leader());
  run_lease_clock();
  const kv::Lessor& lessor = kv_.store().lessor();
  etcdserverpb::LeaseTimeToLiveResponse out;
  *out.mutable_header() = header();
  out.set_id(r.id());
  auto time = kv_.lease_clock().time_to_live(lessor, r.id(), now_ms());
  if (!time) {
    if (time.error().code != kv::Error::Code::kLeaseNotFound)
      return std::unexpected(to_api_error(time.error()));
    out.set_ttl(-1);  // etcd: a lease that does not exist has TTL -1
    return out;
  }
  out.set_ttl(time->remaining_ttl);
  out.set_grantedttl(time->granted_ttl);
  if (r.keys())
    if (const kv::Lease* lease = lessor.find(r.id()))
      for (const auto& key : lease->keys)
        out.add_keys(key);
  return out;
}

namespace {

// Answers at the leader, or asks the leader over the peer transport.
template <class Req, class Resp, class Local, class Remote>
void at_leader(raft::Node& node, Peers& transport, std::uint64_t me, const Req& r,
               Reply<Resp> reply, Local local, Remote remote,
               std::function<void(std::function<void()>, Reply<Resp>)> post) {
  if (node.role() == raft::pb::LEADER) return reply(local(r));
  const std::uint64_t leader = node.leader();
  if (leader == raft::kNoNode || leader == me) return reply(std::unexpected(no_leader()));
  (transport.*remote)(leader, r, [reply, post](grpc::Status s, Resp resp) {
    post(
        [reply, s, resp = std::move(resp)] {
          if (s.ok()) return reply(resp);
          reply(std::unexpected(from_leader_status(s)));
        },
        reply);
  });
}

}  // namespace

void Member::lease_keep_alive(const etcdserverpb::LeaseKeepAliveRequest& r,
                              Reply<etcdserverpb::LeaseKeepAliveResponse> reply) {
  using Resp = etcdserverpb::LeaseKeepAliveResponse;
  auto post = [this](std::function<void()> fn, Reply<Resp> rp) { run<Resp>(std::move(fn), rp); };
  run<Resp>(
      [this, r, reply, post] {
        at_leader<etcdserverpb::LeaseKeepAliveRequest, Resp>(
            *node_, *transport_, id_, r, reply,
            [this](const auto& req) { return keep_alive_local(req); }, &Peers::keep_alive,
            post);
      },
      reply);
}

void Member::lease_time_to_live(const etcdserverpb::LeaseTimeToLiveRequest& r,
                                Reply<etcdserverpb::LeaseTimeToLiveResponse> reply) {
  using Resp = etcdserverpb::LeaseTimeToLiveResponse;
  auto post = [this](std::function<void()> fn, Reply<Resp> rp) { run<Resp>(std::move(fn), rp); };
  run<Resp>(
      [this, r, reply, post] {
        at_leader<etcdserverpb::LeaseTimeToLiveRequest, Resp>(
            *node_, *transport_, id_, r, reply,
            [this](const auto& req) { return time_to_live_local(req); },
            &Peers::time_to_live, post);
      },
      reply);
}

void Member::lease_leases(Reply<etcdserverpb::LeaseLeasesResponse> reply) {
  run(
      [this, reply] {
        etcdserverpb::LeaseLeasesResponse out;
        *out.mutable_header() = header();
        for (const auto& [id, lease] : kv_.store().lessor().leases())
          out.add_leases()->set_id(id);
        reply(out);
      },
      reply);
}

ApiResult<etcdserverpb::LeaseKeepAliveResponse> Member::forwarded_keep_alive(
    const etcdserverpb::LeaseKeepAliveRequest& r) {
  return wait_on_driver<etcdserverpb::LeaseKeepAliveResponse>(
      [this, r](Reply<etcdserverpb::LeaseKeepAliveResponse> reply) { reply(keep_alive_local(r)); });
}

ApiResult<etcdserverpb::LeaseTimeToLiveResponse> Member::forwarded_time_to_live(
    const etcdserverpb::LeaseTimeToLiveRequest& r) {
  return wait_on_driver<etcdserverpb::LeaseTimeToLiveResponse>(
      [this, r](Reply<etcdserverpb::LeaseTimeToLiveResponse> reply) {
        reply(time_to_live_local(r));
      });
}

}  // namespace etcetera::server
