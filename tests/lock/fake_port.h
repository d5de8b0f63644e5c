// A KvPort over a kv::StateMachine in memory, for the lock tests: the store
// applies entries directly (increasing indexes, no raft), and nothing
// arrives until the test says so, so that a test chooses every
// interleaving.
//
//   - submit and keep_alive queue their work; deliver() does it, in order:
//     applies one request, answers it, hands out the watch responses it
//     caused, then the next (callbacks may queue more, which run too).
//   - time is the test's: advance() moves "now" and runs the leader's
//     expiry check (kv::LeaseClock), which queues a revoke for every lease
//     past its time, as a leader proposes one.
//   - what the clients asked for stays visible: the open watches, and every
//     watch event handed out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kv/state_machine.h"
#include "lock/kv_port.h"

namespace etcetera::lock::test {

class FakePort final : public KvPort {
 public:
  FakePort();

  void submit(kv::pb::Request request, Done done) override;
  std::int64_t watch(const etcdserverpb::WatchCreateRequest& create, OnWatch on_event) override;
  void cancel_watch(std::int64_t id) override;
  void keep_alive(std::int64_t lease, KeepAliveDone done) override;

  // Runs queued work until there is none; returns how many steps ran.
  std::size_t deliver();
  // Runs one queued step; false when there was none.
  bool step();
  bool idle() const { return work_.empty(); }

  // The test's clock, in milliseconds. advance() also runs the leader's
  // expiry check, queueing a revoke for each expired lease.
  void advance(kv::Millis by);
  kv::Millis now() const { return now_; }

  // Cancels every open watch, as a server does when it loses the history
  // under them: each client gets a canceled response.
  void drop_watches();

  // Grants a lease at once, bypassing the queue (test setup); id 0: the
  // store picks one.
  kv::LeaseId grant(std::int64_t ttl, kv::LeaseId id = 0);

  const kv::Store& store() const { return machine_.store(); }
  // The key's create revision, 0 when absent.
  kv::Revision create_revision(const std::string& key) const;

  struct OpenWatch {
    std::string key, range_end;
    std::int64_t start_revision = 0;
  };
  // The watches clients hold open, by id.
  std::map<std::int64_t, OpenWatch> open_watches() const;
  // The keys of the open watches, in id order.
  std::vector<std::string> watched_keys() const;

  struct Delivered {
    std::int64_t watch_id = 0;
    std::string key;
    mvccpb::Event::EventType type = mvccpb::Event::PUT;
  };
  // Every watch event handed out so far, in order.
  const std::vector<Delivered>& delivered_events() const { return delivered_; }
  // How many keep-alives clients sent.
  int keep_alives() const { return keep_alives_; }

 private:
  kv::pb::Response apply(const kv::pb::Request& request);
  void dispatch_watch_responses();
  void expire_leases();

  kv::StateMachine machine_;
  kv::WatchStream& stream_;
  std::uint64_t index_ = 0;
  kv::Millis now_ = 0;
  std::deque<std::function<void()>> work_;
  std::map<std::int64_t, OnWatch> watchers_;
  std::map<std::int64_t, OpenWatch> open_;
  std::vector<Delivered> delivered_;
  int keep_alives_ = 0;
  std::int64_t refused_watch_id_ = -1;  // ids for watches the stream refused
};

}  // namespace etcetera::lock::test
