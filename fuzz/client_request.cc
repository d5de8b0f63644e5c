// Any bytes as a client's request: the first byte picks which of etcd's
// (Range, Put, DeleteRange, Txn, Compaction, LeaseGrant, LeaseRevoke,
// Watch). Decoded as the server decodes it (server/grpc_decode.h), then
// checked and served by a store that already holds a few keys and a lease,
// as the member serves it: reads at once, writes as raft entries.
#include "fuzz/fuzz_target.h"
#include "kv/decode.h"
#include "kv/state_machine.h"
#include "kv/validate.h"

using namespace etcetera;

namespace {

std::uint64_t next_index = 0;

void apply(kv::StateMachine& state, const kv::pb::Request& r) {
  if (!kv::validate_request(r, state.store().limits())) return;
  raft::pb::Entry e;
  e.set_index(++next_index);
  e.set_term(1);
  e.set_data(kv::encode(r));
  if (!state.apply(e)) __builtin_trap();
}

// A store with history: two keys, one of them twice, one on a lease.
void seed(kv::StateMachine& state) {
  next_index = 0;
  kv::pb::Request r;
  r.mutable_lease_grant()->set_id(7);
  r.mutable_lease_grant()->set_ttl(60);
  apply(state, r);
  for (const char* value : {"1", "2"}) {
    r.Clear();
    r.mutable_put()->set_key("a");
    r.mutable_put()->set_value(value);
    apply(state, r);
  }
  r.Clear();
  r.mutable_put()->set_key("b");
  r.mutable_put()->set_lease(7);
  apply(state, r);
}

template <class Message>
bool decoded(Message& m, std::string_view bytes) {
  return kv::decode(m, bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes = fuzz::bytes_of(data + 1, size - 1);
  kv::StateMachine state;
  seed(state);
  kv::pb::Request r;
  switch (data[0] % 8) {
    case 0: {
      etcdserverpb::RangeRequest range;
      if (decoded(range, bytes) && kv::validate_range(range)) (void)state.store().range(range);
      return 0;
    }
    case 1:
      if (!decoded(*r.mutable_put(), bytes)) return 0;
      break;
    case 2:
      if (!decoded(*r.mutable_delete_range(), bytes)) return 0;
      break;
    case 3:
      if (!decoded(*r.mutable_txn(), bytes)) return 0;
      break;
    case 4:
      if (!decoded(*r.mutable_compaction(), bytes)) return 0;
      break;
    case 5:
      if (!decoded(*r.mutable_lease_grant(), bytes)) return 0;
      break;
    case 6:
      if (!decoded(*r.mutable_lease_revoke(), bytes)) return 0;
      break;
    default: {
      etcdserverpb::WatchRequest watch;
      if (!decoded(watch, bytes)) return 0;
      kv::WatchStream& stream = state.open_watch_stream();
      if (watch.has_create_request()) (void)stream.create(watch.create_request());
      if (watch.has_cancel_request()) (void)stream.cancel(watch.cancel_request().watch_id());
      if (watch.has_progress_request()) stream.request_progress();
      (void)stream.take_responses();
      state.close_watch_stream(stream);
      return 0;
    }
  }
  apply(state, r);
  return 0;
}
