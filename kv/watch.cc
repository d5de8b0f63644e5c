// A watch stream follows etcd's watchStream (server/storage/mvcc/watcher.go)
// and the server's sendLoop: the stream only decides which events each watch
// gets and in which response; the store keeps the history.
#include "kv/watch.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace etcetera::kv {

using etcdserverpb::WatchCreateRequest;
using etcdserverpb::WatchResponse;

namespace {

constexpr std::string_view kFromKey("\0", 1);  // range_end for "every key >= key"

}  // namespace

Result<WatchId> WatchStream::create(const WatchCreateRequest& r) {
  if (r.key().empty()) return fail(Error::Code::kEmptyKey, "watch");
  // A range with nothing in it would never see an event: etcd refuses it
  // (ErrEmptyWatcherRange) rather than keep a watch that cannot fire.
  if (!r.range_end().empty() && r.range_end() != kFromKey && r.range_end() <= r.key()) {
    return fail(Error::Code::kInvalidArgument, "watch range_end must sort after its key");
  }
  if (r.watch_id() < 0) {
    return fail(Error::Code::kInvalidArgument,
                "watch id " + std::to_string(r.watch_id()) + " is negative");
  }
  if (r.watch_id() > 0 && watches_.contains(r.watch_id())) {
    return fail(Error::Code::kInvalidArgument,
                "watch id " + std::to_string(r.watch_id()) + " is already in use on this stream");
  }
  WatchId id = r.watch_id();
  if (id == 0) {
    // etcd's auto ids count from 0 and skip ids the client picked itself.
    while (watches_.contains(next_id_))
      ++next_id_;
    id = next_id_++;
  }

  Watch w;
  w.key = r.key();
  w.range_end = r.range_end();
  w.prev_kv = r.prev_kv();
  w.progress_notify = r.progress_notify();
  for (int filter : r.filters()) {
    if (filter == WatchCreateRequest::NOPUT) w.no_put = true;
    if (filter == WatchCreateRequest::NODELETE) w.no_delete = true;
  }
  const Revision now = store_->revision();
  w.next_revision = r.start_revision() > 0 ? r.start_revision() : now + 1;

  WatchResponse created = response(id);
  created.set_created(true);
  queue_.push_back(std::move(created));

  if (w.next_revision <= now) {
    auto history = store_->history(w.next_revision, w.key, w.range_end);
    if (!history) {
      // Only kCompacted can come back: the start is at or below `now`. The
      // client learns the compact revision, re-reads, and watches again.
      WatchResponse canceled = response(id);
      canceled.set_canceled(true);
      canceled.set_compact_revision(store_->compact_revision());
      canceled.set_cancel_reason(history.error().message);
      queue_.push_back(std::move(canceled));
      return id;
    }
    send(id, w, *history);
    // History runs to the store's revision, even when its last changes
    // were outside the range: live events start after it.
    w.next_revision = std::max(w.next_revision, now + 1);
  }
  watches_.emplace(id, std::move(w));
  return id;
}

Result<void> WatchStream::cancel(WatchId id) {
  if (watches_.erase(id) == 0) {
    return fail(Error::Code::kWatchNotFound, "watch id " + std::to_string(id));
  }
  WatchResponse canceled = response(id);
  canceled.set_canceled(true);
  queue_.push_back(std::move(canceled));
  return {};
}

void WatchStream::cancel_all(Revision compact_revision) {
  for (const auto& [id, w] : watches_) {
    WatchResponse canceled = response(id);
    canceled.set_canceled(true);
    canceled.set_compact_revision(compact_revision);
    canceled.set_cancel_reason(
        "the store was replaced by a snapshot; watch again from a new revision");
    queue_.push_back(std::move(canceled));
  }
  watches_.clear();
}

void WatchStream::publish(const std::vector<mvccpb::Event>& events) {
  for (auto& [id, w] : watches_)
    send(id, w, events);
}

void WatchStream::request_progress() {
  queue_.push_back(response(-1));
}

void WatchStream::notify_progress() {
  for (auto& [id, w] : watches_) {
    if (w.progress_notify && !w.sent_since_progress) queue_.push_back(response(id));
    w.sent_since_progress = false;
  }
}

std::vector<WatchResponse> WatchStream::take_responses() {
  return std::exchange(queue_, {});
}

bool WatchStream::covers(const Watch& w, const std::string& key) const {
  if (w.range_end.empty()) return key == w.key;
  return key >= w.key && (w.range_end == kFromKey || key < w.range_end);
}

bool WatchStream::send(WatchId id, Watch& w, const std::vector<mvccpb::Event>& events) {
  if (events.empty()) return false;
  WatchResponse out = response(id);
  for (const auto& event : events) {
    if (event.kv().mod_revision() < w.next_revision) continue;  // already offered
    if (!covers(w, event.kv().key())) continue;
    if (w.no_put && event.type() == mvccpb::Event::PUT) continue;
    if (w.no_delete && event.type() == mvccpb::Event::DELETE) continue;
    mvccpb::Event* added = out.add_events();
    *added = event;
    if (!w.prev_kv) added->clear_prev_kv();
  }
  // Events come in revision order, so everything up to the last one has now
  // been offered, whether this watch wanted it or not.
  w.next_revision = std::max(w.next_revision, events.back().kv().mod_revision() + 1);
  if (out.events().empty()) return false;
  queue_.push_back(std::move(out));
  w.sent_since_progress = true;
  return true;
}

WatchResponse WatchStream::response(WatchId id) const {
  WatchResponse r;
  r.mutable_header()->set_revision(store_->revision());
  r.set_watch_id(id);
  return r;
}

}  // namespace etcetera::kv
