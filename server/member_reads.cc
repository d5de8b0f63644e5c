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
  run(
      [this, r, reply] {
        if (r.serializable()) return reply(range_of(kv_.store(), r));
        const std::string context = std::to_string(id_) + "/" + std::to_string(++next_read_);
        reads_[context] = PendingRead{r, reply, deadline()};
        read_index(context);
      },
      reply);
}

// Asks raft for a read index; without a leader the read cannot be confirmed.
void Member::read_index(const std::string& context) {
  if (auto ok = node_->read_index(context); !ok) {
    auto it = reads_.find(context);
    if (it == reads_.end()) return;
    auto reply = std::move(it->second.reply);
    reads_.erase(it);
    const bool leaderless = node_->leader() == raft::kNoNode;
    reply(std::unexpected(
        leaderless ? no_leader()
                   : ApiError{ApiError::Code::kUnavailable,
                              "etcdserver: leader changed (" + ok.error().message + ")"}));
    return;
  }
  schedule_ready();
}

// raft/ready.h step 4: the read states are safe now (applied >= read index);
// refused reads lost their leader on the way and are asked for again.
void Member::serve_reads(const std::vector<raft::ReadState>& reads) {
  for (const auto& state : reads) {
    auto it = reads_.find(state.context);
    if (it == reads_.end()) continue;
    auto read = std::move(it->second);
    reads_.erase(it);
    read.reply(range_of(kv_.store(), read.request));
  }
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
