#include "lock/observer.h"

#include <utility>

#include "kv/store.h"
#include "lock/requests.h"

namespace etcetera::lock {

LeaderObserver::LeaderObserver(KvPort& port, std::string prefix, OnLeader on_leader)
    : port_(port), prefix_(std::move(prefix)), on_leader_(std::move(on_leader)) {
  read();
}

LeaderObserver::~LeaderObserver() {
  stop_watching();
}

void LeaderObserver::read() {
  port_.submit(as_request(read_first(prefix_)),
               lifetime_.guard([this, epoch = ++epoch_](const kv::pb::Response& response) {
                 if (epoch == epoch_) on_read(response);
               }));
}

void LeaderObserver::on_read(const kv::pb::Response& response) {
  auto txn = txn_response(response);
  if (!txn) {
    stopped_by_ = txn.error().message;
    return;
  }
  const auto& kvs = txn->responses(0).response_range().kvs();
  etcdserverpb::WatchCreateRequest create;
  create.set_start_revision(txn->header().revision() + 1);
  if (kvs.empty()) {
    // Nobody leads: the first put under the prefix is the next candidate.
    create.set_key(prefix_);
    create.set_range_end(kv::prefix_end(prefix_));
    create.add_filters(etcdserverpb::WatchCreateRequest::NODELETE);
    watching_leader_ = false;
  } else {
    deliver(kvs[0]);
    create.set_key(kvs[0].key());
    watching_leader_ = true;
  }
  watch(std::move(create));
}

void LeaderObserver::watch(etcdserverpb::WatchCreateRequest create) {
  watch_id_ = port_.watch(
      create, lifetime_.guard([this, epoch = ++epoch_](const etcdserverpb::WatchResponse& r) {
        if (epoch == epoch_) on_watch(r);
      }));
}

void LeaderObserver::on_watch(const etcdserverpb::WatchResponse& response) {
  if (response.canceled()) {
    watch_id_.reset();
    return read();
  }
  for (const auto& event : response.events()) {
    // The leader proclaimed: its key's new version is the news.
    if (watching_leader_ && event.type() == mvccpb::Event::PUT) {
      deliver(event.kv());
      continue;
    }
    // The leader left, or someone joined an empty election: look again.
    stop_watching();
    return read();
  }
}

void LeaderObserver::deliver(const mvccpb::KeyValue& leader) {
  if (last_ && last_->key() == leader.key() &&
      last_->create_revision() == leader.create_revision() &&
      last_->mod_revision() == leader.mod_revision()) {
    return;  // the same version: already delivered
  }
  last_ = leader;
  on_leader_(leader);
}

void LeaderObserver::stop_watching() {
  if (!watch_id_) return;
  port_.cancel_watch(*watch_id_);
  watch_id_.reset();
}

}  // namespace etcetera::lock
