// Ready: everything a node wants done, in one batch, and the order to do it in.
//
//   1. Persist `snapshot` (if set; it replaces the whole log), then
//      `hard_state` (if set), then append `entries` to Storage.
//   2. Send `messages` — these may go out before step 1 finishes (a leader
//      may write its log in parallel with sending it, thesis 10.2.1).
//      Send `persisted_messages` only after step 1: votes, vote requests
//      and append acknowledgements, which promise that a vote (with its
//      term) or appended entries are on disk. Other messages may carry a
//      term not yet persisted; that is harmless, since a node that forgets
//      a term it never voted in is merely behind.
//   3. Restore the state machine from `snapshot` (if set), then apply
//      `committed_entries` in order; for an ENTRY_CONF_CHANGE entry call
//      Node::apply_conf_change.
//   4. Serve `read_states`: each read is linearizable now, because the
//      applied index has reached its read index. Fail `refused_reads`:
//      those reads will never be confirmed (leadership changed); retry them.
//   5. Call Node::advance(number) to acknowledge this batch.
//
// One Ready is outstanding at a time; the node hands out the next one only
// after advance(). Numbers start at 1 and increase by one. An application
// that carries out step 1 on another thread (server/log_writer.h) calls
// Node::take_messages() meanwhile: what step 2 may send before the disk is
// sent at once, so that a slow disk does not hold back heartbeats; the rest
// waits for the next Ready.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raft/raft.pb.h"
#include "raft/types.h"

namespace etcetera::raft {

struct ReadState {
  std::string context;  // the caller's context of Node::read_index
  Index index;          // the read index; the applied index has reached it
};

struct Ready {
  std::uint64_t number = 0;
  std::optional<pb::Snapshot> snapshot;
  std::optional<pb::HardState> hard_state;
  std::vector<pb::Entry> entries;
  std::vector<pb::Message> messages;
  std::vector<pb::Message> persisted_messages;
  std::vector<pb::Entry> committed_entries;
  std::vector<ReadState> read_states;
  std::vector<std::string> refused_reads;  // contexts of reads that must be retried
};

}  // namespace etcetera::raft
