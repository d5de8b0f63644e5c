#include "tests/lock/fake_port.h"

#include <catch2/catch.hpp>
#include <utility>

namespace etcetera::lock::test {

namespace {
constexpr kv::Millis kRevokeRetry = 1000;  // the leader proposes a lost revoke again after this
}

FakePort::FakePort() : stream_(machine_.open_watch_stream()) {
  // This port plays the leader from time 0: its lease clock keeps time.
  machine_.lease_clock().promote(machine_.store().lessor(), now_, 0);
}

kv::pb::Response FakePort::apply(const kv::pb::Request& request) {
  raft::pb::Entry entry;
  entry.set_index(++index_);
  entry.set_term(1);
  entry.set_type(raft::pb::ENTRY_NORMAL);
  entry.set_data(kv::encode(request));
  auto response = machine_.apply(entry);
  REQUIRE(response);
  // The leader's clock learns of new leases when they apply.
  expire_leases();
  return *response;
}

void FakePort::submit(kv::pb::Request request, Done done) {
  work_.push_back([this, request = std::move(request), done = std::move(done)] {
    const kv::pb::Response response = apply(request);
    if (done) done(response);
  });
}

std::int64_t FakePort::watch(const etcdserverpb::WatchCreateRequest& create, OnWatch on_event) {
  auto id = stream_.create(create);
  if (!id) {
    // Refused: answered as etcd does, created and canceled with a reason.
    const std::int64_t refused = refused_watch_id_--;
    etcdserverpb::WatchResponse canceled;
    canceled.set_watch_id(refused);
    canceled.set_created(true);
    canceled.set_canceled(true);
    canceled.set_cancel_reason(id.error().message);
    work_.push_back([canceled, on_event = std::move(on_event)] { on_event(canceled); });
    return refused;
  }
  watchers_[*id] = std::move(on_event);
  open_[*id] = OpenWatch{create.key(), create.range_end(), create.start_revision()};
  work_.push_back([] {});  // a step that hands out the created response and any history
  return *id;
}

void FakePort::cancel_watch(std::int64_t id) {
  watchers_.erase(id);
  open_.erase(id);
  if (id >= 0) (void)stream_.cancel(id);
}

void FakePort::keep_alive(std::int64_t lease, KeepAliveDone done) {
  ++keep_alives_;
  work_.push_back([this, lease, done = std::move(done)] {
    auto ttl = machine_.lease_clock().keep_alive(machine_.store().lessor(), lease, now_);
    etcdserverpb::LeaseKeepAliveResponse response;
    response.set_id(lease);
    response.set_ttl(ttl ? *ttl : 0);  // 0: the lease is gone
    response.mutable_header()->set_revision(machine_.store().revision());
    done(response);
  });
}

bool FakePort::step() {
  if (work_.empty()) return false;
  auto work = std::move(work_.front());
  work_.pop_front();
  work();
  dispatch_watch_responses();
  return true;
}

std::size_t FakePort::deliver() {
  std::size_t steps = 0;
  while (step()) {
    ++steps;
    REQUIRE(steps < 10000);  // a client that never settles is a bug in the recipe
  }
  return steps;
}

void FakePort::dispatch_watch_responses() {
  for (const auto& response : stream_.take_responses()) {
    auto it = watchers_.find(response.watch_id());
    if (it == watchers_.end()) continue;  // canceled by its client: dropped
    for (const auto& event : response.events())
      delivered_.push_back({response.watch_id(), event.kv().key(), event.type()});
    auto on_event = it->second;  // a copy: the callback may cancel its own watch
    if (response.canceled()) {
      watchers_.erase(it);
      open_.erase(response.watch_id());
    }
    on_event(response);
  }
}

void FakePort::drop_watches() {
  stream_.cancel_all(machine_.store().compact_revision());
  work_.push_back([] {});  // a step that hands out the canceled responses
}

void FakePort::advance(kv::Millis by) {
  now_ += by;
  expire_leases();
}

void FakePort::expire_leases() {
  for (kv::LeaseId id :
       machine_.lease_clock().expired(machine_.store().lessor(), now_, kRevokeRetry)) {
    kv::pb::Request revoke;
    revoke.mutable_lease_revoke()->set_id(id);
    submit(std::move(revoke), nullptr);
  }
}

kv::LeaseId FakePort::grant(std::int64_t ttl, kv::LeaseId id) {
  kv::pb::Request request;
  request.mutable_lease_grant()->set_ttl(ttl);
  request.mutable_lease_grant()->set_id(id);
  const auto response = apply(request);
  REQUIRE(response.has_lease_grant());
  dispatch_watch_responses();
  return response.lease_grant().id();
}

kv::Revision FakePort::create_revision(const std::string& key) const {
  etcdserverpb::RangeRequest range;
  range.set_key(key);
  auto read = machine_.store().range(range);
  REQUIRE(read);
  return read->kvs().empty() ? 0 : read->kvs(0).create_revision();
}

std::map<std::int64_t, FakePort::OpenWatch> FakePort::open_watches() const {
  return open_;
}

std::vector<std::string> FakePort::watched_keys() const {
  std::vector<std::string> keys;
  for (const auto& [id, w] : open_)
    keys.push_back(w.key);
  return keys;
}

}  // namespace etcetera::lock::test
