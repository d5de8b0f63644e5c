// The server's replicated state as a raft snapshot's data: the member
// registry and the key-value store (docs/durability.md, "Snapshots of any
// size").
//
// Written to a snapshot file of format 2 (server/disk/snapshot_stream.h) a
// part at a time: the registry first, then the store's parts
// (kv::StateMachine::write_snapshot). Read back from such a file, or from
// data held inline (a format-1 file, or an older leader's message:
// SnapshotData, or a bare store snapshot from before the registry).
//
// No threads of its own; write_state_snapshot may run on another thread,
// reading the records as it goes through StatePieces::next_records.
#pragma once

#include <atomic>
#include <expected>
#include <filesystem>
#include <functional>
#include <string>

#include "kv/state_machine.h"
#include "raft/raft.pb.h"
#include "server/member_registry.h"

namespace etcetera::server {

// The state as the writer takes it: what is small, copied when the snapshot
// starts (the registry, the store's head), and the records, a batch a call
// (an empty batch: no more), read as the writer goes.
struct StatePieces {
  pb::Registry registry;
  kv::pb::Snapshot head;
  std::function<kv::pb::RecordBatch()> next_records;
};

// Writes the snapshot `metadata` of those pieces into `dir`; its file name.
// Gives up, leaving no file, once `abandon` (if given) is set.
std::expected<std::string, std::string> write_state_snapshot(
    const std::filesystem::path& dir, const raft::pb::SnapshotMetadata& metadata,
    StatePieces pieces, const std::atomic<bool>* abandon = nullptr);
// The same for a state machine and registry nobody changes meanwhile.
std::expected<std::string, std::string> write_state_snapshot(
    const std::filesystem::path& dir, const raft::pb::SnapshotMetadata& metadata,
    const kv::StateMachine& kv, const MemberRegistry& registry);
// The records of `store` in batches from the start up to revision `upto`:
// StatePieces::next_records. `read` runs each step (under a caller's lock).
std::function<kv::pb::RecordBatch()> records_of(
    const kv::Store& store, kv::Revision upto,
    std::function<kv::pb::RecordBatch(const std::function<kv::pb::RecordBatch()>&)> read = {});

// Restores `kv` from the snapshot file at `path` and returns the registry
// in it. `kv` changes only if every part reads and checks.
std::expected<MemberRegistry, std::string> read_state_snapshot(const std::filesystem::path& path,
                                                               kv::StateMachine& kv);

// The same from data held inline. No registry: a store snapshot from
// before the registry was kept.
std::expected<std::optional<MemberRegistry>, std::string> read_inline_state(
    const std::string& bytes, kv::StateMachine& kv);

}  // namespace etcetera::server
