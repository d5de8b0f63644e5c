// kv::StateMachine — the apply layer: committed raft entries in, state
// changes and responses out.
//
// Each ENTRY_NORMAL entry carries one kv::pb::Request (kv/kv.proto). Applying
// is deterministic (every replica that applies the same entries has the same
// store, byte for byte) and idempotent: the state machine keeps the index of
// the last entry it applied and skips any entry at or below it, so a driver
// that replays its log after a restart never applies an entry twice. Entries
// that are empty (a new leader's no-op), membership changes and entries that
// do not decode still advance the applied index; the last give a kCorrupt
// response rather than stopping the replica, and do so on every replica alike.
//
// Applied at most once: a client's request may reach the log more than
// once (its proposer sends it again after a leader change, kv/proposer.h);
// every copy after the first changes nothing and answers with the first
// one's result, marked duplicate (kv/applied_requests.h).
//
// Reads are not entries: the driver serves them from store() once the read
// is safe (ReadIndex, or at once for a serializable read).
//
// Knows raft only through raft::pb::Entry: no Node, no Storage.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>

#include "kv/applied_requests.h"
#include "kv/error.h"
#include "kv/kv.pb.h"
#include "kv/lease_clock.h"
#include "kv/store.h"
#include "kv/watch.h"
#include "raft/raft.pb.h"

namespace etcetera::kv {

class StateMachine {
 public:
  explicit StateMachine(Limits limits = {}) : store_(limits) {}
  StateMachine(const StateMachine&) = delete;
  StateMachine& operator=(const StateMachine&) = delete;

  std::uint64_t applied_index() const { return applied_index_; }
  const Store& store() const { return store_; }
  // Which client requests have applied, by proposer (kv/applied_requests.h).
  const AppliedRequests& applied_requests() const { return applied_requests_; }

  // Applies one committed entry. Returns the outcome of the request it
  // carried (a response or a Failure; for a copy of a request applied
  // before, that first outcome, marked duplicate), or nothing for an entry
  // with no request or one at or below the applied index. Watch streams
  // receive the changes.
  std::optional<pb::Response> apply(const raft::pb::Entry& entry);

  // The whole state machine, as the data of a raft snapshot, and back.
  // restore() replaces everything and keeps open watch streams open, but
  // cancels their watches (the history they followed may be gone).
  std::string snapshot() const;
  Result<void> restore(std::string_view bytes);

  // The same in parts (kv.proto's SnapshotPart), for a state too large to
  // hold twice: the head carries the applied index and the applied
  // requests, then come the records in batches of about `batch_bytes`.
  // restore_parts() takes them back from `next`, which yields each part in
  // order and nothing after the last; it replaces the state only once
  // every part has been read and checked.
  void write_snapshot(const std::function<void(pb::SnapshotPart)>& emit,
                      std::size_t batch_bytes) const;
  // Its head alone (the store's, the applied index and the applied
  // requests), for a snapshot written in steps: the records then come from
  // store().records_after().
  pb::Snapshot snapshot_head() const;
  using NextPart = std::function<Result<std::optional<pb::SnapshotPart>>()>;
  Result<void> restore_parts(const NextPart& next);
  // Drops the store's keys and history, and cancels every watch, so that a
  // restore_parts() that follows never holds two states at once. For a
  // caller that gives up the old state whether or not the restore succeeds
  // (a member that cannot install its leader's snapshot stops, and starts
  // again from its disk).
  void release_store();

  // Watch streams live as long as the state machine, or until closed.
  WatchStream& open_watch_stream();
  void close_watch_stream(WatchStream& stream);

  // The leader's lease clock (kv/lease_clock.h).
  LeaseClock& lease_clock() { return lease_clock_; }

 private:
  // Takes a restored store and its head's applied index and requests.
  Result<void> adopt(Store store, const pb::Snapshot& head);
  pb::Response apply_request(const pb::Request& request, std::uint64_t index);
  pb::Response execute(const pb::Request& request, std::uint64_t index);
  void publish();

  Store store_;
  std::uint64_t applied_index_ = 0;
  AppliedRequests applied_requests_;
  std::list<WatchStream> streams_;  // a list: streams keep their address
  LeaseClock lease_clock_;
};

// Encodes a request as an entry's data; decodes a response's failure back
// into an Error (for a driver answering its client).
std::string encode(const pb::Request& request);
Error to_error(const pb::Failure& failure);

}  // namespace etcetera::kv
