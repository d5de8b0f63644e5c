// Any bytes as what another member sends: the first byte says which.
//   even: a raft message (Peer.Send), stepped into a follower of a
//         three-member cluster, whose Readys are then carried out;
//   odd:  a client's write forwarded to the leader (Peer.Forward), checked
//         as the leader checks it and, if good, applied as an entry.
// The node refuses what it cannot take, and keeps its invariants; the
// state machine applies what was checked, and answers.
#include "fuzz/fuzz_target.h"
#include "kv/decode.h"
#include "kv/state_machine.h"
#include "kv/validate.h"
#include "raft/memory_storage.h"
#include "raft/node.h"

using namespace etcetera;

namespace {

void step_into_follower(std::string_view bytes) {
  raft::pb::Message m;
  if (!kv::decode(m, bytes)) return;
  raft::MemoryStorage storage;
  raft::Config config;
  config.id = 1;
  config.voters = {1, 2, 3};
  auto node = raft::Node::create(config, storage);
  if (!node) __builtin_trap();
  (void)node->step(m);
  for (int k = 0; k < 16 && node->has_ready(); ++k) {
    raft::Ready rd = node->ready();
    if (rd.snapshot) (void)storage.apply_snapshot(*rd.snapshot);
    storage.append(rd.entries);
    if (rd.hard_state) storage.set_hard_state(*rd.hard_state);
    if (!node->advance(rd.number)) __builtin_trap();
  }
}

void apply_forwarded(std::string_view bytes) {
  kv::pb::Request r;
  if (!kv::decode(r, bytes)) return;
  kv::StateMachine state;
  if (!kv::validate_request(r, state.store().limits())) return;
  raft::pb::Entry e;
  e.set_index(1);
  e.set_term(1);
  e.set_data(kv::encode(r));
  if (!state.apply(e)) __builtin_trap();  // a request always gets an answer
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fuzz::bytes_of(data + 1, size - 1);
  if (data[0] % 2 == 0)
    step_into_follower(rest);
  else
    apply_forwarded(rest);
  return 0;
}
