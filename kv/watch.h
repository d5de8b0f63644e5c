// kv::WatchStream — one client's watches over a Store, as etcd's Watch RPC
// stream: several watches, one ordered queue of responses.
//
// A watch covers a key or a range and starts at a revision. If the start is
// at or below the store's revision, the stored history from there is sent
// first; then every new change as it is applied. Guarantees (tested in
// tests/kv/watch_property_test.cc):
//   - every change to the range from the start revision on arrives once, in
//     revision order, and no response splits a revision;
//   - a watch whose start revision has been compacted away is cancelled
//     with the compact revision (the client must re-read and start again).
// Filters (NOPUT, NODELETE) drop events, never whole revisions of other
// keys; prev_kv adds the version each change replaced.
//
// The stream does not own the store; the apply layer (kv/state_machine.h)
// calls publish() with the store's events after each applied entry.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "kv/error.h"
#include "kv/rpc.pb.h"
#include "kv/store.h"

namespace etcetera::kv {

using WatchId = std::int64_t;

class WatchStream {
 public:
  // REQUIRES: store outlives the stream.
  explicit WatchStream(const Store& store) : store_(&store) {}

  // Starts a watch. Queues its `created` response, then its history (or,
  // if the start revision is compacted, a `canceled` response with the
  // compact revision). Refuses an empty key, an empty range (range_end at or
  // below the key, other than "\0"), a negative watch id and one already in
  // use. Watch id 0 picks the lowest free id from a counter that starts at 0,
  // as etcd does; a start revision of 0 (or less) means "from the next one".
  Result<WatchId> create(const etcdserverpb::WatchCreateRequest& r);
  // Stops a watch and queues its `canceled` response.
  Result<void> cancel(WatchId id);
  // The store's changes of one or more applied requests (Store::take_events()).
  void publish(const std::vector<mvccpb::Event>& events);
  // A WatchProgressRequest: one response, watch id -1, carrying the store's
  // revision: every later event has a higher revision.
  void request_progress();
  // The periodic progress notification: an empty response for every watch
  // that asked for them (progress_notify) and got no events since the last.
  void notify_progress();

  // Cancels every watch, each with a `canceled` response naming
  // `compact_revision`: the store under them was replaced by a snapshot.
  void cancel_all(Revision compact_revision);

  // The queued responses, in order; the queue is emptied.
  std::vector<etcdserverpb::WatchResponse> take_responses();

  std::size_t watch_count() const { return watches_.size(); }

 private:
  struct Watch {
    std::string key, range_end;
    // The lowest revision whose events the watch has not been offered yet.
    // History and live events may overlap (a watch created while the store
    // still holds unpublished events); this keeps each event to one delivery.
    Revision next_revision = 0;
    bool prev_kv = false;
    bool no_put = false, no_delete = false;
    bool progress_notify = false;
    bool sent_since_progress = false;
  };

  bool covers(const Watch& w, const std::string& key) const;
  // Queues, in one response, those of `events` the watch wants (in its
  // range, at or above next_revision, past its filters), so that no response
  // splits a revision, and moves next_revision past the last of `events`.
  // Returns whether anything was queued: nothing is queued for no events.
  bool send(WatchId id, Watch& w, const std::vector<mvccpb::Event>& events);
  etcdserverpb::WatchResponse response(WatchId id) const;

  const Store* store_;
  std::map<WatchId, Watch> watches_;
  WatchId next_id_ = 0;
  std::vector<etcdserverpb::WatchResponse> queue_;
};

}  // namespace etcetera::kv
