// Writes: a client's request becomes a kv::pb::Request with an id of this
// member's (kv/proposer.h), in a raft entry at the leader, and its answer is
// the entry's outcome when it applies here, whichever leader committed it.
#include <iostream>

#include "kv/decode.h"
#include "kv/validate.h"
#include "server/member.h"

namespace etcetera::server {

// A client's write, taken here whatever this member's role: the proposer
// gives it this member's id and a number, and the client waits on them.
void Member::propose(kv::pb::Request r, Done done) {
  const auto deadline = static_cast<kv::Proposer::Time>(now_ms() + kRequestTimeoutMs);
  const kv::Proposer::Id id = proposer_->add(std::move(r), deadline);
  waiters_.emplace(id, std::move(done));
  schedule_proposals();
}

// One forward call for all the writes queued now.
void Member::schedule_proposals() {
  once_after_input(proposals_scheduled_, &Member::send_proposals);
}

void Member::send_proposals() {
  proposals_sent_under_ = {node_->leader(), node_->term()};
  const bool leads = node_->role() == raft::pb::LEADER;
  const std::uint64_t leader = node_->leader();
  // With no leader known, they wait for the next one (or their deadline).
  if (proposer_->outstanding() == 0 || (!leads && (leader == raft::kNoNode || leader == id_)))
    return;
  const auto now = static_cast<kv::Proposer::Time>(now_ms());
  auto due = proposer_->take_due(node_->term(), now);
  if (due.empty()) return;
  if (leads) {
    for (auto& r : due)
      take_ack(r.id(), propose_entry(r));
    return;
  }
  pb::ForwardBatch batch;
  std::vector<kv::Proposer::Id> ids;
  for (auto& r : due) {
    ids.push_back(r.id());
    *batch.add_requests() = std::move(r);
  }
  transport_->forward(leader, batch, [this, ids](grpc::Status s, pb::ForwardAcks acks) {
    run(
        [this, ids, s = std::move(s), acks = std::move(acks)] {
          for (std::size_t i = 0; i < ids.size(); ++i) {
            // A call that failed on the way may have reached the leader's
            // log, or not: the request goes again, and applies once.
            if (!s.ok() || static_cast<int>(i) >= acks.acks_size())
              proposer_->lost(ids[i]);
            else
              take_ack(ids[i], acks.acks(static_cast<int>(i)));
          }
        },
        [] {});
  });
}

void Member::take_ack(kv::Proposer::Id id, const pb::ForwardAck& ack) {
  if (ack.proposed())
    proposer_->accepted(id, ack.term());
  else
    proposer_->refused(id);
}

pb::ForwardAck Member::propose_entry(const kv::pb::Request& r) {
  pb::ForwardAck ack;
  if (node_->role() != raft::pb::LEADER) return ack;
  // A transfer in progress (or a lost leadership) refuses proposals.
  auto index = node_->propose(kv::encode(r));
  if (!index) return ack;
  ack.set_proposed(true);
  ack.set_term(node_->term());
  ack.set_index(*index);
  schedule_ready();
  return ack;
}

void Member::answer_proposal(kv::Proposer::Id id, ApiResult<kv::pb::Response> result) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  auto done = std::move(it->second);
  waiters_.erase(it);
  done(std::move(result));
}

ApiResult<pb::ForwardAcks> Member::forwarded(pb::ForwardBatch batch) {
  return wait_on_driver<pb::ForwardAcks>([this, batch](Reply<pb::ForwardAcks> reply) {
    // What another member sends is held to a client's limits: nothing a
    // client could not write enters the log (a WAL record has a size). The
    // member that took them checked them already: one that fails is not
    // from a member, and nothing of its call is proposed.
    for (const auto& r : batch.requests())
      if (auto ok = kv::validate_request(r, kv_.store().limits()); !ok)
        return reply(std::unexpected(to_api_error(ok.error())));
    pb::ForwardAcks acks;
    for (const auto& r : batch.requests())
      *acks.add_acks() = propose_entry(r);
    reply(std::move(acks));
  });
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
void Member::apply_or_queue(ApplyWork work) {
  apply_queue_.push_back(std::move(work));
  drain_applies();
}

// In order, as far as a snapshot being written lets it go; the rest waits
// for finish_snapshot().
void Member::drain_applies() {
  while (!apply_queue_.empty() && !closed_) {
    ApplyWork& work = apply_queue_.front();
    if (!apply(work)) return;
    serve_reads(work.reads);
    apply_queue_.pop_front();
  }
}

bool Member::waits_for_snapshot(const raft::pb::Entry& e) const {
  if (!snapshotting_ || e.type() != raft::pb::ENTRY_NORMAL || e.data().empty()) return false;
  if (decode_server_entry(e.data())) return false;
  kv::pb::Request r;
  return kv::decode(r, e.data()) && r.has_compaction();
}

bool Member::apply(ApplyWork& rd) {
  if (rd.snapshot && snapshotting_) return false;
  if (rd.snapshot) {
    std::unique_lock lock(store_mu_);
    const auto started = Clock::now();
    // The old state is of no use once this is installed, nor if it fails
    // (this member then stops): it goes first, so that a member catching
    // up on a second snapshot never holds two stores.
    kv_.release_store();
    if (auto ok = restore_snapshot_data(rd.snapshot->data()); !ok) {
      // Every member produced it the same way: this one cannot go on.
      fail_stop("the leader's snapshot does not restore: " + ok.error());
      return false;
    }
    std::cerr << "etcetera: " << options_.name << ": installed the leader's snapshot at index "
              << rd.snapshot->metadata().index() << " in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
                     .count()
              << " ms\n";
    connect_peers();
    // The entries of writes taken here may be inside it.
    for (auto& [id, result] : proposer_->settle_from(kv_.applied_requests()))
      answer_proposal(id, std::move(result));
    rd.snapshot.reset();
  }
  for (; rd.next < rd.entries.size(); ++rd.next) {
    const raft::pb::Entry& e = rd.entries[rd.next];
    if (waits_for_snapshot(e)) return false;
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
        {
          std::unique_lock lock(store_mu_);
          (void)kv_.apply(blank);
        }
        connect_peers();  // new peer URLs
        continue;
      }
    }
    std::optional<kv::pb::Response> response;
    {
      std::unique_lock lock(store_mu_);
      response = kv_.apply(e);
    }
    if (!response) continue;
    // Proposed elsewhere, or its client gave up: nobody here waits on it.
    if (auto id = proposer_->settle(*response)) answer_proposal(*id, std::move(*response));
  }
  return true;
}

}  // namespace etcetera::server
