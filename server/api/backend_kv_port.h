// server::api::BackendKvPort — lock::KvPort over a server::Backend, so that
// the lock recipes of lock/ (the same code the simulator and the lock tests
// run) serve etcd's Lock and Election services.
//
// The recipes are single-threaded protocol objects, and a Backend answers
// from the member's driver thread, which must never wait. So the port owns
// one thread of its own, the recipes' thread: every recipe is created, used
// and destroyed there (post()), and every Backend answer is posted back onto
// it. Callbacks thus run later, never inside the call that registered them,
// and never on the driver thread: KvPort's contract.
//
//   submit      put / delete_range / txn / lease_grant / lease_revoke, each
//               the Backend call of the same name; an error comes back as a
//               kv::pb::Failure with the kv/ code its etcd text names (so a
//               lease the store does not know is kLeaseNotFound to lock/),
//               and the Backend's own message otherwise.
//   watch       one Backend watch stream for every watch of the recipes;
//               the port numbers the watches itself (KvPort::watch answers
//               an id at once, the stream later), and maps them on the
//               stream's ids as the stream creates them, in order.
//   keep_alive  lease_keep_alive; a lease the Backend no longer knows is
//               a TTL of 0.
//
// Thread-safety: post() from any thread; the KvPort calls only from the
// recipes' thread. REQUIRES: the backend outlives the port.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "lock/kv_port.h"
#include "server/backend.h"

namespace etcetera::server::api {

// A queue of tasks run in order on one thread. Shared with the Backend's
// replies in flight, which may outlive the port: once stopped, what is
// posted is dropped.
class RecipeThread {
 public:
  RecipeThread();
  ~RecipeThread();
  RecipeThread(const RecipeThread&) = delete;
  RecipeThread& operator=(const RecipeThread&) = delete;

  void post(std::function<void()> task);
  // Runs what is queued, then ends the thread; later posts are dropped.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
  std::thread thread_;
};

class BackendKvPort final : public lock::KvPort {
 public:
  explicit BackendKvPort(Backend& backend);
  // Stops the recipes' thread, then closes the watch stream.
  ~BackendKvPort() override;
  BackendKvPort(const BackendKvPort&) = delete;
  BackendKvPort& operator=(const BackendKvPort&) = delete;

  // Runs `task` on the recipes' thread. From any thread.
  void post(std::function<void()> task) { thread_->post(std::move(task)); }
  // Stops the recipes' thread: nothing posted runs after it returns.
  void stop() { thread_->stop(); }

  Backend& backend() const { return backend_; }

  void submit(kv::pb::Request request, Done done) override;
  std::int64_t watch(const etcdserverpb::WatchCreateRequest& create, OnWatch on_event) override;
  void cancel_watch(std::int64_t id) override;
  void keep_alive(std::int64_t lease, KeepAliveDone done) override;

 private:
  // Hands `reply`'s answer to `done` on the recipes' thread, as a Response.
  template <class T>
  Reply<T> answer_on_thread(Done done, void (*wrap)(kv::pb::Response&, T&&));
  void on_stream(const etcdserverpb::WatchResponse& response);
  void send_cancel(std::int64_t stream_watch);

  Backend& backend_;
  std::shared_ptr<RecipeThread> thread_;
  // Only the recipes' thread touches these.
  std::optional<WatchStreamId> stream_;
  std::int64_t next_watch_ = 0;
  struct Watch {
    OnWatch on_event;
    std::optional<std::int64_t> stream_watch;  // the stream's id, once created
    bool cancelled = false;                    // cancel_watch() before the stream created it
  };
  std::map<std::int64_t, Watch> watches_;           // by the port's id
  std::deque<std::int64_t> creating_;               // port ids, in the order their creates went
  std::map<std::int64_t, std::int64_t> by_stream_;  // the stream's id -> the port's id
};

}  // namespace etcetera::server::api
