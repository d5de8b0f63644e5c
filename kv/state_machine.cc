#include "kv/state_machine.h"

#include <utility>

#include "kv/decode.h"
#include "kv/validate.h"

namespace etcetera::kv {

namespace {

pb::Response failure(std::uint64_t id, const Error& error) {
  pb::Response response;
  response.set_id(id);
  response.mutable_error()->set_code(static_cast<int>(error.code));
  response.mutable_error()->set_message(error.message);
  return response;
}

// A lease id for a grant that names none: derived from the entry's index, so
// every replica picks the same one, and spread like etcd's random ids.
LeaseId lease_id_for(std::uint64_t index, const Lessor& lessor) {
  std::uint64_t z = index;
  for (;;) {
    z += 0x9e3779b97f4a7c15ULL;
    std::uint64_t x = z;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    const auto id = static_cast<LeaseId>(x & 0x7fffffffffffffffULL);
    if (id != 0 && !lessor.contains(id)) return id;
  }
}

}  // namespace

std::string encode(const pb::Request& request) {
  return request.SerializeAsString();
}

Error to_error(const pb::Failure& failure) {
  return Error{static_cast<Error::Code>(failure.code()), failure.message()};
}

std::optional<pb::Response> StateMachine::apply(const raft::pb::Entry& entry) {
  if (entry.index() <= applied_index_) return std::nullopt;  // applied before a restart
  applied_index_ = entry.index();
  if (entry.type() != raft::pb::ENTRY_NORMAL || entry.data().empty()) return std::nullopt;

  pb::Request request;
  if (!decode(request, entry.data())) {
    return failure(0, Error{Error::Code::kCorrupt, "entry " + std::to_string(entry.index()) +
                                                       " does not hold a kv request"});
  }
  pb::Response response = apply_request(request, entry.index());
  publish();
  return response;
}

pb::Response StateMachine::apply_request(const pb::Request& request, std::uint64_t index) {
  const auto admission = applied_requests_.admit(request);
  switch (admission.verdict) {
    case AppliedRequests::Verdict::kApplied: {
      pb::Response first = *admission.first;
      first.set_duplicate(true);
      return first;
    }
    case AppliedRequests::Verdict::kSettled: {
      pb::Response refused =
          failure(request.id(), fail(Error::Code::kSettled,
                                     "request " + std::to_string(request.id()) + " of member " +
                                         std::to_string(request.proposer()) +
                                         " was answered before this copy applied")
                                    .error());
      refused.set_proposer(request.proposer());
      refused.set_duplicate(true);
      return refused;
    }
    case AppliedRequests::Verdict::kNew:
      break;
  }
  pb::Response response = execute(request, index);
  response.set_proposer(request.proposer());
  applied_requests_.record(request, response);
  return response;
}

pb::Response StateMachine::execute(const pb::Request& request, std::uint64_t index) {
  // The proposer validated the request; an entry can still come from
  // anywhere (an older version, a faulty peer), so check again. The same
  // verdict on every replica keeps them identical.
  if (auto ok = validate_request(request, store_.limits()); !ok) {
    return failure(request.id(), ok.error());
  }
  pb::Response response;
  response.set_id(request.id());
  auto fill = [&](auto result, auto* out) {
    if (!result) {
      response = failure(request.id(), result.error());
    } else {
      *out = std::move(*result);
    }
  };
  switch (request.op_case()) {
    case pb::Request::kPut:
      fill(store_.put(request.put()), response.mutable_put());
      break;
    case pb::Request::kDeleteRange:
      fill(store_.delete_range(request.delete_range()), response.mutable_delete_range());
      break;
    case pb::Request::kTxn:
      fill(store_.txn(request.txn()), response.mutable_txn());
      break;
    case pb::Request::kCompaction:
      fill(store_.compact(request.compaction()), response.mutable_compaction());
      break;
    case pb::Request::kLeaseGrant:
      fill(store_.lease_grant(request.lease_grant(), lease_id_for(index, store_.lessor())),
           response.mutable_lease_grant());
      break;
    case pb::Request::kLeaseRevoke:
      fill(store_.lease_revoke(request.lease_revoke()), response.mutable_lease_revoke());
      break;
    default:
      break;  // validate_request refused it
  }
  return response;
}

void StateMachine::publish() {
  auto events = store_.take_events();
  if (events.empty()) return;
  for (auto& stream : streams_)
    stream.publish(events);
}

std::string StateMachine::snapshot() const {
  pb::Snapshot snapshot = store_.to_snapshot();
  snapshot.set_applied_index(applied_index_);
  applied_requests_.to_snapshot(snapshot);
  return snapshot.SerializeAsString();
}

Result<void> StateMachine::restore(std::string_view bytes) {
  pb::Snapshot snapshot;
  if (!decode(snapshot, bytes)) {
    return fail(Error::Code::kCorrupt, "the snapshot does not decode");
  }
  auto store = Store::restore(snapshot, store_.limits());
  if (!store) return std::unexpected(store.error());
  return adopt(std::move(*store), snapshot);
}

void StateMachine::write_snapshot(const std::function<void(pb::SnapshotPart)>& emit,
                                  std::size_t batch_bytes) const {
  store_.write_snapshot_parts(
      [&](pb::SnapshotPart part) {
        if (part.has_head()) *part.mutable_head() = snapshot_head();
        emit(std::move(part));
      },
      batch_bytes);
}

pb::Snapshot StateMachine::snapshot_head() const {
  pb::Snapshot head = store_.snapshot_head();
  head.set_applied_index(applied_index_);
  applied_requests_.to_snapshot(head);
  return head;
}

Result<void> StateMachine::restore_parts(const NextPart& next) {
  auto first = next();
  if (!first) return std::unexpected(first.error());
  if (!*first || !(*first)->has_head())
    return fail(Error::Code::kCorrupt, "the snapshot does not start with its head");
  const pb::Snapshot head = std::move(*(*first)->mutable_head());
  auto restorer = StoreRestorer::start(head, store_.limits());
  if (!restorer) return std::unexpected(restorer.error());
  for (;;) {
    auto part = next();
    if (!part) return std::unexpected(part.error());
    if (!*part) break;
    if (!(*part)->has_records())
      return fail(Error::Code::kCorrupt, "the snapshot has a second head");
    for (const auto& record : (*part)->records().records())
      if (auto ok = restorer->add(record); !ok) return ok;
  }
  auto store = std::move(*restorer).finish();
  if (!store) return std::unexpected(store.error());
  return adopt(std::move(*store), head);
}

void StateMachine::release_store() {
  store_ = Store(store_.limits());
  for (auto& stream : streams_)
    stream.cancel_all(store_.compact_revision());
}

Result<void> StateMachine::adopt(Store store, const pb::Snapshot& head) {
  auto applied_requests = AppliedRequests::from_snapshot(head);
  if (!applied_requests) return std::unexpected(applied_requests.error());
  store_ = std::move(store);
  applied_requests_ = std::move(*applied_requests);
  applied_index_ = head.applied_index();
  // The watches followed a history the snapshot may not contain: cancel
  // them; their clients re-read and watch again from the new revision.
  for (auto& stream : streams_)
    stream.cancel_all(store_.compact_revision());
  return {};
}

WatchStream& StateMachine::open_watch_stream() {
  return streams_.emplace_back(store_);
}

void StateMachine::close_watch_stream(WatchStream& stream) {
  streams_.remove_if([&](const WatchStream& s) { return &s == &stream; });
}

}  // namespace etcetera::kv
