// Writes: a client's request becomes a kv::pb::Request in a raft entry at
// the leader, and its answer is the entry's outcome when it applies there.
#include <iostream>

#include "kv/validate.h"
#include "server/member.h"

namespace etcetera::server {

void Member::propose(kv::pb::Request r, Done done, int retries,
                     std::optional<Clock::time_point> give_up) {
  if (node_->role() == raft::pb::LEADER) return propose_local(std::move(r), std::move(done));
  const std::uint64_t leader = node_->leader();
  if (leader == raft::kNoNode || leader == id_)
    return await_leader(std::move(r), std::move(done), give_up);
  transport_->forward(
      leader, r, [this, r, done, retries, give_up](grpc::Status s, kv::pb::Response resp) {
        run(
            [this, r, done, retries, give_up, s = std::move(s), resp = std::move(resp)]() mutable {
              if (s.ok()) return done(std::move(resp));
              // The leader we knew has stepped down; raft may know the new one.
              if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION && retries > 0)
                return propose(std::move(r), done, retries - 1, give_up);
              // It cannot be reached: it has crashed or is cut off, and an
              // election will follow. (If the request reached it before the
              // connection broke, it may be applied twice, as a client's retry
              // to etcd may be.)
              if (s.error_code() == grpc::StatusCode::UNAVAILABLE)
                return await_leader(std::move(r), std::move(done), give_up);
              done(std::unexpected(from_leader_status(s)));
            },
            [done] { done(std::unexpected(stopping())); });
      });
}

void Member::await_leader(kv::pb::Request r, Done done, std::optional<Clock::time_point> give_up) {
  awaiting_leader_.push_back(
      AwaitingLeader{std::move(r), std::move(done), give_up.value_or(deadline())});
}

// Each tick: writes that waited for a leader go to the one now known; those
// past their deadline are answered as etcd answers them.
void Member::retry_awaiting_leader() {
  if (awaiting_leader_.empty()) return;
  const bool known = node_->leader() != raft::kNoNode;
  const auto now = Clock::now();
  std::vector<AwaitingLeader> waiting;
  waiting.swap(awaiting_leader_);
  for (auto& w : waiting) {
    if (known && (node_->role() == raft::pb::LEADER || node_->leader() != id_)) {
      propose(std::move(w.request), std::move(w.done), 1, w.deadline);
    } else if (w.deadline <= now) {
      w.done(std::unexpected(no_leader()));
    } else {
      awaiting_leader_.push_back(std::move(w));
    }
  }
}

void Member::propose_local(kv::pb::Request r, Done done) {
  if (node_->role() != raft::pb::LEADER) return done(std::unexpected(not_leader()));
  const std::uint64_t id = ++next_request_id_;
  r.set_id(id);
  auto index = node_->propose(kv::encode(r));
  if (!index) {
    // A transfer in progress (or a lost leadership) refuses proposals.
    return done(
        std::unexpected(ApiError{ApiError::Code::kUnavailable,
                                 "etcdserver: leader changed (" + index.error().message + ")"}));
  }
  proposals_[id] = Proposal{std::move(done), deadline()};
  schedule_ready();
}

ApiResult<kv::pb::Response> Member::forwarded(kv::pb::Request r) {
  return wait_on_driver<kv::pb::Response>(
      [this, r](Reply<kv::pb::Response> reply) { propose_local(r, reply); });
}

template <class T>
void Member::write(kv::pb::Request r, Reply<T> reply, T (*pick)(kv::pb::Response&)) {
  // What the request alone shows to be wrong is refused before raft sees it.
  if (auto ok = kv::validate_request(r, kv_.store().limits()); !ok)
    return reply(std::unexpected(to_api_error(ok.error())));
  run(
      [this, r = std::move(r), reply, pick]() mutable {
        propose(std::move(r), [reply, pick](ApiResult<kv::pb::Response> result) {
          if (!result) return reply(std::unexpected(result.error()));
          if (result->has_error())
            return reply(std::unexpected(to_api_error(kv::to_error(result->error()))));
          reply(pick(*result));
        });
      },
      reply);
}

void Member::put(const etcdserverpb::PutRequest& r, Reply<etcdserverpb::PutResponse> reply) {
  kv::pb::Request req;
  *req.mutable_put() = r;
  write<etcdserverpb::PutResponse>(std::move(req), std::move(reply),
                                   [](kv::pb::Response& x) { return std::move(*x.mutable_put()); });
}

void Member::delete_range(const etcdserverpb::DeleteRangeRequest& r,
                          Reply<etcdserverpb::DeleteRangeResponse> reply) {
  kv::pb::Request req;
  *req.mutable_delete_range() = r;
  write<etcdserverpb::DeleteRangeResponse>(
      std::move(req), std::move(reply),
      [](kv::pb::Response& x) { return std::move(*x.mutable_delete_range()); });
}

void Member::txn(const etcdserverpb::TxnRequest& r, Reply<etcdserverpb::TxnResponse> reply) {
  kv::pb::Request req;
  *req.mutable_txn() = r;
  write<etcdserverpb::TxnResponse>(std::move(req), std::move(reply),
                                   [](kv::pb::Response& x) { return std::move(*x.mutable_txn()); });
}

void Member::compact(const etcdserverpb::CompactionRequest& r,
                     Reply<etcdserverpb::CompactionResponse> reply) {
  kv::pb::Request req;
  *req.mutable_compaction() = r;
  write<etcdserverpb::CompactionResponse>(
      std::move(req), std::move(reply),
      [](kv::pb::Response& x) { return std::move(*x.mutable_compaction()); });
}

void Member::lease_grant(const etcdserverpb::LeaseGrantRequest& r,
                         Reply<etcdserverpb::LeaseGrantResponse> reply) {
  kv::pb::Request req;
  *req.mutable_lease_grant() = r;
  write<etcdserverpb::LeaseGrantResponse>(
      std::move(req), std::move(reply),
      [](kv::pb::Response& x) { return std::move(*x.mutable_lease_grant()); });
}

void Member::lease_revoke(const etcdserverpb::LeaseRevokeRequest& r,
                          Reply<etcdserverpb::LeaseRevokeResponse> reply) {
  kv::pb::Request req;
  *req.mutable_lease_revoke() = r;
  write<etcdserverpb::LeaseRevokeResponse>(
      std::move(req), std::move(reply),
      [](kv::pb::Response& x) { return std::move(*x.mutable_lease_revoke()); });
}

// raft/ready.h step 3: the snapshot first, then the entries in order; a
// membership entry goes back to the node, which changes its configuration.
void Member::apply(const raft::Ready& rd) {
  if (rd.snapshot) {
    if (auto ok = restore_snapshot_data(rd.snapshot->data()); !ok) {
      // Every member produced it the same way: this one cannot go on.
      fail_stop("the leader's snapshot does not restore: " + ok.error());
      return;
    }
    connect_peers();
  }
  for (const auto& e : rd.committed_entries) {
    if (auto c = changes_.find(e.index()); c != changes_.end() && c->second.term != e.term())
      c->second.lost = true;
    if (e.type() == raft::pb::ENTRY_CONF_CHANGE) apply_conf_change_entry(e);
    // The server's own entries (a member's attributes, new peer URLs) are
    // the registry's; the store sees an empty entry in their place, which
    // it counts as applied and nothing else.
    if (e.type() == raft::pb::ENTRY_NORMAL) {
      if (auto server_entry = decode_server_entry(e.data())) {
        registry_.apply_server_entry(e.index(), *server_entry);
        raft::pb::Entry blank;
        blank.set_term(e.term());
        blank.set_index(e.index());
        (void)kv_.apply(blank);
        connect_peers();  // new peer URLs
        continue;
      }
    }
    auto response = kv_.apply(e);
    if (!response) continue;
    auto it = proposals_.find(response->id());
    if (it == proposals_.end()) continue;  // proposed elsewhere, or its client gave up
    auto done = std::move(it->second.done);
    proposals_.erase(it);
    done(std::move(*response));
  }
}

// Log compaction every snapshot_count applied entries: the store's snapshot
// replaces the log through the applied index, on disk and in memory.
void Member::maybe_snapshot() {
  const raft::Index applied = kv_.applied_index();
  if (applied < snapshot_index_ + options_.snapshot_count) return;
  if (applied != node_->log().applied() || applied < node_->log().first_index()) return;
  const auto term = disk_->storage().term(applied);
  if (!term) return;  // not on disk yet
  raft::pb::Snapshot snapshot;
  snapshot.mutable_metadata()->set_index(applied);
  snapshot.mutable_metadata()->set_term(*term);
  *snapshot.mutable_metadata()->mutable_conf_state() = node_->configuration().to_conf_state();
  snapshot.set_data(snapshot_data());
  if (auto ok = disk_->compact(snapshot); !ok) {
    std::cerr << "etcetera: " << options_.name << ": snapshot at index " << applied
              << " failed: " << ok.error().message << "\n";
    return;
  }
  snapshot_index_ = applied;
}

}  // namespace etcetera::server
