#include "tests/server/api/fake_backend.h"

#include <chrono>
#include <functional>
#include <future>

#include "kv/validate.h"
#include "server/api/status.h"

namespace etcetera::server::testing {

using namespace etcdserverpb;


namespace {

// The answer to a write: the response in `pick(response)` or its failure.
template <class T, class Pick>
ApiResult<T> result_of(const kv::pb::Response& response, Pick pick) {
  if (response.has_error()) return std::unexpected(to_api_error(response.error()));
  return pick(response);
}

template <class T>
ApiResult<T> refused(const kv::Error& error) {
  return std::unexpected(to_api_error(error));
}

}  // namespace

FakeBackend::FakeBackend() {
  members_.push_back(MemberInfo{kMemberId, "default", {"http://localhost:2380"}, {}, false});
  machine_.lease_clock().promote(machine_.store().lessor(), now(), 0);
  driver_ = std::thread([this] { run(); });
}

FakeBackend::~FakeBackend() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  driver_.join();
}

void FakeBackend::post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(task));
  wake_.notify_one();
}

void FakeBackend::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || (!stalled_ && !tasks_.empty()); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void FakeBackend::stall(bool stalled) {
  std::lock_guard lock(mutex_);
  stalled_ = stalled;
  wake_.notify_one();
}

kv::Millis FakeBackend::now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void FakeBackend::set_client_url(std::string url) {
  post([this, url = std::move(url)] { members_.front().client_urls = {url}; });
}

ResponseHeader FakeBackend::header() const {
  ResponseHeader h;
  h.set_cluster_id(kClusterId);
  h.set_member_id(kMemberId);
  h.set_raft_term(kTerm);
  h.set_revision(revision_.load());
  return h;
}

kv::pb::Response FakeBackend::apply(kv::pb::Request request) {
  request.set_id(next_index_);
  if (auto valid = kv::validate_request(request, machine_.store().limits()); !valid) {
    kv::pb::Response refusal;
    refusal.mutable_error()->set_code(static_cast<int>(valid.error().code));
    refusal.mutable_error()->set_message(valid.error().message);
    return refusal;
  }
  raft::pb::Entry entry;
  entry.set_index(next_index_++);
  entry.set_term(kTerm);
  entry.set_type(raft::pb::ENTRY_NORMAL);
  entry.set_data(kv::encode(request));
  kv::pb::Response response = *machine_.apply(entry);
  revision_ = machine_.store().revision();
  flush_watches();
  return response;
}

void FakeBackend::flush_watches() {
  for (auto& [id, stream] : streams_) {
    for (const WatchResponse& r : stream.watches->take_responses())
      stream.sink(r);
  }
}

// ---- KV ---------------------------------------------------------------

void FakeBackend::range(const RangeRequest& r, Reply<RangeResponse> reply) {
  post([this, r, reply] {
    if (auto valid = kv::validate_range(r); !valid)
      return reply(refused<RangeResponse>(valid.error()));
    auto result = machine_.store().range(r);
    if (!result) return reply(refused<RangeResponse>(result.error()));
    reply(std::move(*result));
  });
}

void FakeBackend::put(const PutRequest& r, Reply<PutResponse> reply) {
  post([this, r, reply] {
    kv::pb::Request request;
    *request.mutable_put() = r;
    reply(result_of<PutResponse>(apply(request), [](auto& x) { return x.put(); }));
  });
}

void FakeBackend::delete_range(const DeleteRangeRequest& r, Reply<DeleteRangeResponse> reply) {
  post([this, r, reply] {
    kv::pb::Request request;
    *request.mutable_delete_range() = r;
    reply(result_of<DeleteRangeResponse>(apply(request), [](auto& x) { return x.delete_range(); }));
  });
}

void FakeBackend::txn(const TxnRequest& r, Reply<TxnResponse> reply) {
  post([this, r, reply] {
    kv::pb::Request request;
    *request.mutable_txn() = r;
    reply(result_of<TxnResponse>(apply(request), [](auto& x) { return x.txn(); }));
  });
}

void FakeBackend::compact(const CompactionRequest& r, Reply<CompactionResponse> reply) {
  post([this, r, reply] {
    kv::pb::Request request;
    *request.mutable_compaction() = r;
    reply(result_of<CompactionResponse>(apply(request), [](auto& x) { return x.compaction(); }));
  });
}

// ---- Lease ------------------------------------------------------------

void FakeBackend::lease_grant(const LeaseGrantRequest& r, Reply<LeaseGrantResponse> reply) {
  post([this, r, reply] {
    kv::pb::Request request;
    *request.mutable_lease_grant() = r;
    reply(result_of<LeaseGrantResponse>(apply(request), [](auto& x) { return x.lease_grant(); }));
  });
}

void FakeBackend::lease_revoke(const LeaseRevokeRequest& r, Reply<LeaseRevokeResponse> reply) {
  post([this, r, reply] {
    kv::pb::Request request;
    *request.mutable_lease_revoke() = r;
    reply(result_of<LeaseRevokeResponse>(apply(request), [](auto& x) { return x.lease_revoke(); }));
  });
}

void FakeBackend::lease_keep_alive(const LeaseKeepAliveRequest& r,
                                   Reply<LeaseKeepAliveResponse> reply) {
  post([this, r, reply] {
    auto ttl = machine_.lease_clock().keep_alive(machine_.store().lessor(), r.id(), now());
    if (!ttl) return reply(refused<LeaseKeepAliveResponse>(ttl.error()));
    LeaseKeepAliveResponse response;
    response.set_id(r.id());
    response.set_ttl(*ttl);
    reply(std::move(response));
  });
}

void FakeBackend::lease_time_to_live(const LeaseTimeToLiveRequest& r,
                                     Reply<LeaseTimeToLiveResponse> reply) {
  post([this, r, reply] {
    const kv::Lessor& lessor = machine_.store().lessor();
    auto time = machine_.lease_clock().time_to_live(lessor, r.id(), now());
    LeaseTimeToLiveResponse response;
    response.set_id(r.id());
    if (!time) {
      // etcd answers an unknown lease with TTL -1, not an error.
      response.set_ttl(-1);
      return reply(std::move(response));
    }
    response.set_ttl(time->remaining_ttl);
    response.set_grantedttl(time->granted_ttl);
    if (r.keys()) {
      for (const std::string& key : lessor.find(r.id())->keys)
        response.add_keys(key);
    }
    reply(std::move(response));
  });
}

void FakeBackend::lease_leases(Reply<LeaseLeasesResponse> reply) {
  post([this, reply] {
    LeaseLeasesResponse response;
    for (const auto& [id, lease] : machine_.store().lessor().leases()) {
      response.add_leases()->set_id(id);
    }
    reply(std::move(response));
  });
}

// ---- Watch ------------------------------------------------------------

WatchStreamId FakeBackend::open_watch_stream(WatchSink sink) {
  // The id is chosen here so that it can be returned at once; the stream
  // itself is opened on the driver thread, before any request for it.
  WatchStreamId id = next_stream_++;
  post([this, id, sink = std::move(sink)] {
    streams_[id] = Stream{&machine_.open_watch_stream(), sink};
  });
  return id;
}

void FakeBackend::watch_request(WatchStreamId id, const WatchRequest& r) {
  post([this, id, r] {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    kv::WatchStream& watches = *it->second.watches;
    if (r.has_create_request()) {
      if (auto created = watches.create(r.create_request()); !created) {
        // As etcd: a watch that cannot be created is created and canceled at once.
        WatchResponse refusal;
        *refusal.mutable_header() = header();
        refusal.set_watch_id(-1);
        refusal.set_created(true);
        refusal.set_canceled(true);
        refusal.set_cancel_reason(created.error().message);
        it->second.sink(refusal);
      }
    } else if (r.has_cancel_request()) {
      (void)watches.cancel(r.cancel_request().watch_id());
    } else if (r.has_progress_request()) {
      watches.request_progress();
    }
    flush_watches();
  });
}

void FakeBackend::close_watch_stream(WatchStreamId id) {
  // Waits for the driver, so that the sink is not called after this returns.
  std::promise<void> closed;
  post([this, id, &closed] {
    if (auto it = streams_.find(id); it != streams_.end()) {
      machine_.close_watch_stream(*it->second.watches);
      streams_.erase(it);
    }
    closed.set_value();
  });
  closed.get_future().wait();
}

// ---- Cluster ----------------------------------------------------------

void FakeBackend::member_list(Reply<std::vector<MemberInfo>> reply) {
  post([this, reply] { reply(members_); });
}

void FakeBackend::member_add(std::vector<std::string> peer_urls, bool is_learner,
                             Reply<std::pair<MemberInfo, std::vector<MemberInfo>>> reply) {
  post([this, peer_urls, is_learner, reply] {
    MemberInfo added{kMemberId + members_.size(), "", peer_urls, {}, is_learner};
    members_.push_back(added);
    reply(std::pair{added, members_});
  });
}

void FakeBackend::member_remove(std::uint64_t id, Reply<std::vector<MemberInfo>> reply) {
  post([this, id, reply] {
    auto removed = std::erase_if(members_, [&](const MemberInfo& m) { return m.id == id; });
    if (removed == 0) return reply(std::unexpected(member_not_found()));
    reply(members_);
  });
}

void FakeBackend::member_update(std::uint64_t id, std::vector<std::string> peer_urls,
                                Reply<std::vector<MemberInfo>> reply) {
  post([this, id, peer_urls, reply] {
    for (MemberInfo& m : members_) {
      if (m.id == id) {
        m.peer_urls = peer_urls;
        return reply(members_);
      }
    }
    reply(std::unexpected(member_not_found()));
  });
}

void FakeBackend::member_promote(std::uint64_t id, Reply<std::vector<MemberInfo>> reply) {
  post([this, id, reply] {
    for (MemberInfo& m : members_) {
      if (m.id == id) {
        m.is_learner = false;
        return reply(members_);
      }
    }
    reply(std::unexpected(member_not_found()));
  });
}

// ---- Maintenance ------------------------------------------------------

void FakeBackend::status(Reply<StatusInfo> reply) {
  post([this, reply] {
    StatusInfo info;
    info.version = "3.4.0";
    info.db_size = static_cast<std::int64_t>(machine_.snapshot().size());
    info.leader = kMemberId;
    info.raft_index = next_index_ - 1;
    info.raft_term = kTerm;
    info.raft_applied_index = machine_.applied_index();
    reply(info);
  });
}

void FakeBackend::hash_kv(std::int64_t revision, Reply<Hash> reply) {
  post([this, revision, reply] {
    const kv::Store& store = machine_.store();
    Hash hash;
    hash.hash = static_cast<std::uint32_t>(std::hash<std::string>{}(machine_.snapshot()));
    hash.revision = revision > 0 ? revision : store.revision();
    hash.compact_revision = store.compact_revision();
    reply(hash);
  });
}

void FakeBackend::snapshot(Reply<std::string> reply) {
  post([this, reply] { reply(machine_.snapshot()); });
}

void FakeBackend::move_leader(std::uint64_t target, Reply<void> reply) {
  post([target, reply] {
    if (target == kMemberId) return reply({});
    reply(std::unexpected(
        ApiError{ApiError::Code::kFailedPrecondition, "etcdserver: bad leader transferee"}));
  });
}

}  // namespace etcetera::server::testing
