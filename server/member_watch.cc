// Watches: one kv::WatchStream per client stream, living in the state
// machine so that applying an entry publishes to it; after each batch of
// applies (and each request) the queued responses go to the stream's sink.
#include "server/member.h"

namespace etcetera::server {

WatchStreamId Member::open_watch_stream(WatchSink sink) {
  const WatchStreamId id = next_watch_.fetch_add(1);
  run(
      [this, id, sink = std::move(sink)] {
        watches_[id] = Watch{&kv_.open_watch_stream(), sink};
      },
      [] {});
  return id;
}

void Member::watch_request(WatchStreamId stream, const etcdserverpb::WatchRequest& r) {
  run(
      [this, stream, r] {
        auto it = watches_.find(stream);
        if (it == watches_.end()) return;  // closed meanwhile
        kv::WatchStream& s = *it->second.stream;
        if (r.has_create_request()) {
          if (auto created = s.create(r.create_request()); !created) {
            // etcd answers a refused create with a created-and-canceled response.
            etcdserverpb::WatchResponse refused;
            *refused.mutable_header() = header();
            refused.set_watch_id(-1);
            refused.set_created(true);
            refused.set_canceled(true);
            refused.set_cancel_reason(created.error().message);
            it->second.sink(refused);
          }
        } else if (r.has_cancel_request()) {
          (void)s.cancel(r.cancel_request().watch_id());  // an unknown id: nothing to cancel
        } else if (r.has_progress_request()) {
          s.request_progress();
        }
        flush_watches();
      },
      [] {});
}

void Member::close_watch_stream(WatchStreamId stream) {
  auto close = [this, stream] {
    auto it = watches_.find(stream);
    if (it == watches_.end()) return;
    kv_.close_watch_stream(*it->second.stream);
    watches_.erase(it);
  };
  if (on_driver()) return close();
  // The sink must not be called once this returns: wait for the driver.
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  run(
      [close, done] {
        close();
        done->set_value();
      },
      [done] { done->set_value(); });
  // Answered by the driver, or by stop() once the driver is gone.
  future.wait();
}

void Member::flush_watches() {
  for (auto& [id, watch] : watches_)
    for (const auto& response : watch.stream->take_responses()) {
      etcdserverpb::WatchResponse r = response;
      *r.mutable_header() = header();
      r.mutable_header()->set_revision(response.header().revision() != 0
                                           ? response.header().revision()
                                           : kv_.store().revision());
      watch.sink(r);
    }
}

}  // namespace etcetera::server
