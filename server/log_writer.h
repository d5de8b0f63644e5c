// server::LogWriter — the log writer stage of a member's pipeline
// (docs/server.md, "The pipeline"): it makes durable what
// DurableStorage::persist recorded for a Ready — the WAL's buffered records
// written and fdatasynced once for the whole batch — on a thread of its own.
// Meanwhile the driver goes on: it ticks, steps the messages that arrive,
// takes proposals and sends the leader's appends to its followers (the
// Raft dissertation, 10.2.1). Raft hands out the next Ready only after
// advance(), so at most one sync is in flight, and whatever arrives during
// it shares the next one (group commit).
//
// The leader does not count itself towards a commit before its own sync
// (raft::Node counts what advance() says is persisted), and nothing is
// acknowledged before it: the messages that promise what is on disk wait for
// `done`.
//
// Thread-safety: sync() and stop() from the driver; `done` runs on the
// writer thread. While a sync is in flight the driver must not touch the
// WAL (persist, compact); it may read the in-memory copy, which only the
// driver changes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "server/disk/durable_storage.h"

namespace etcetera::server {

class LogWriter {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(DiskResult<void> result, Clock::duration took)>;

  explicit LogWriter(DurableStorage& disk);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Starts syncing the disk; `done` is called with the outcome once it is
  // over. REQUIRES: no sync in flight (the last `done` was called).
  void sync(Done done);
  // Waits for a sync in flight (its `done` runs), then ends the thread.
  // Idempotent.
  void stop();

 private:
  void loop();

  DurableStorage& disk_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<Done> job_;  // a sync asked for and not yet started
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace etcetera::server
