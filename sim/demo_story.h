// What the demo's chapters share (sim/demo_main.cc, sim/demo_locks.cc): a
// trace sink that prints the story as it happens and keeps every event, and
// the writing of the trace and of its HTML replay.
#pragma once

#include <string>

#include "raft/trace.h"

namespace etcetera::demo {

// Prints events as they happen and keeps them all. Sends and heartbeats are
// left out of the printout: they would drown the story. With only_above_raft,
// only notes and the upper layers' events (a lock client's) are printed: the
// raft events a lock's requests cause are in the replay.
class StorySink final : public raft::TraceSink {
 public:
  explicit StorySink(bool only_above_raft = false) : only_above_raft_(only_above_raft) {}
  void record(const raft::pb::Event& e) override;
  raft::TraceBuffer all;

 private:
  bool only_above_raft_;
};

// Writes the kept events as JSON lines to `trace` and as an HTML replay to
// `html` (each skipped when empty), with the panel of view `first_view`
// (an id: "locks") first. `keys` names the player's jump keys for the
// reader. Returns the process's exit status.
struct ReplayOptions {
  std::string title;
  std::string first_view;
  std::string keys = "e, c, f";
};
int write_replay(const StorySink& sink, const std::string& html, const std::string& trace,
                 const ReplayOptions& options);

// The lock chapter: a 3-node key-value cluster, three lock clients, a holder
// paused past its lease, the handoff and the refused stale write. Returns
// the process's exit status.
int run_lock_chapter(const std::string& html, const std::string& trace);

}  // namespace etcetera::demo
