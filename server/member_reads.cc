// Reads: a serializable range from this member's store at once; a
// linearizable one after a ReadIndex round (docs/raft.md), once this member
// has applied through the read index. Also the header, status, hash, snapshot.
#include "kv/validate.h"
#include "server/disk/crc32c.h"
#include "server/member.h"

namespace etcetera::server {

namespace {

ApiResult<etcdserverpb::RangeResponse> range_of(const kv::Store& store,
                                                const etcdserverpb::RangeRequest& r) {
  auto result = store.range(r);
  if (!result) return std::unexpected(to_api_error(result.error()));
  return std::move(*result);
}

}  // namespace

etcdserverpb::ResponseHeader Member::header() const {
  etcdserverpb::ResponseHeader h;
  h.set_cluster_id(cluster_id_);
  h.set_member_id(id_);
  h.set_raft_term(term_.load());
  h.set_revision(revision_.load());
  return h;
}

void Member::range(const etcdserverpb::RangeRequest& r, Reply<etcdserverpb::RangeResponse> reply) {
  if (auto ok = kv::validate_range(r); !ok) return reply(std::unexpected(to_api_error(ok.error())));
  if (r.serializable()) return reply(serializable_range(r));
  run(
      [this, r, reply] {
        if (auto round = reads_.add({r, reply, deadline()})) read_index(*round);
      },
      reply);
}

// On the calling thread, concurrently with the driver: the store as of the
// last entry applied, never behind a sync or a queue. The driver applies
// each entry under store_mu_ held exclusively, so a read sees whole entries
// (a txn is never half there).
ApiResult<etcdserverpb::RangeResponse> Member::serializable_range(
    const etcdserverpb::RangeRequest& r) const {
  std::shared_lock lock(store_mu_);
  // Checked under the lock: a member that failed to install a snapshot
  // released its store, then stopped serving, before letting go of it.
  if (has_stopped_serving_.load(std::memory_order_acquire)) return std::unexpected(*stopped_serving_);
  if (stopping_.load()) return std::unexpected(stopping());
  return range_of(kv_.store(), r);
}

// Asks raft for round `context`'s read index; without a leader it cannot
// be confirmed, and its reads fail (and so, one round after the other, do
// those queued behind it).
void Member::read_index(const std::string& context) {
  if (!reads_.is_out(context)) return;
  if (auto ok = node_->read_index(context); !ok) {
    const bool leaderless = node_->leader() == raft::kNoNode;
    const ApiError error =
        leaderless ? no_leader()
                   : ApiError{ApiError::Code::kUnavailable,
                              "etcdserver: leader changed (" + ok.error().message + ")"};
    for (auto& read : reads_.refuse())
      read.reply(std::unexpected(error));
    if (auto next = reads_.next_round(Clock::now())) read_index(*next);
    return;
  }
  schedule_ready();
}

// raft/ready.h step 4: a round is safe now (applied >= its read index);
// every read in it is served, and the reads that came meanwhile go out as
// the next round.
void Member::serve_reads(const std::vector<raft::ReadState>& states) {
  if (states.empty()) return;
  for (const auto& state : states)
    for (auto& read : reads_.confirm(state.context))
      read.reply(range_of(kv_.store(), read.request));
  if (auto next = reads_.next_round(Clock::now())) read_index(*next);
}

void Member::status(Reply<StatusInfo> reply) {
  run(
      [this, reply] {
        StatusInfo s;
        s.version = "3.4.0";
        // etcd's is its backend file's size; here the bytes of every stored
        // version, counted as they are written, never a copy of the store.
        s.db_size = static_cast<std::int64_t>(kv_.store().stored_bytes());
        s.leader = node_->leader();
        s.raft_index = node_->log().last_index();
        s.raft_term = node_->term();
        s.raft_applied_index = kv_.applied_index();
        reply(s);
      },
      reply);
}

// etcd hashes its backend's key bucket; here, the store's records (each
// version of each key, in revision order) up to the revision asked for.
void Member::hash_kv(std::int64_t revision, Reply<Hash> reply) {
  run(
      [this, revision, reply] {
        const kv::Store& store = kv_.store();
        const std::int64_t at = revision <= 0 ? store.revision() : revision;
        if (at > store.revision())
          return reply(
              std::unexpected(to_api_error(kv::fail(kv::Error::Code::kFutureRevision).error())));
        if (at < store.compact_revision())
          return reply(
              std::unexpected(to_api_error(kv::fail(kv::Error::Code::kCompacted).error())));
        // One batch of records at a time: a large store is never copied whole.
        std::uint32_t crc = 0;
        store.write_snapshot_parts(
            [&](const kv::pb::SnapshotPart& part) {
              for (const auto& record : part.records().records())
                if (record.main() <= at) crc = crc32c_extend(crc, record.SerializeAsString());
            },
            1 << 20);
        reply(Hash{crc, at, store.compact_revision()});
      },
      reply);
}

void Member::snapshot(Reply<std::string> reply) {
  run([this, reply] { reply(kv_.snapshot()); }, reply);
}

}  // namespace etcetera::server
