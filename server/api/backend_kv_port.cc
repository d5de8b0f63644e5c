#include "server/api/backend_kv_port.h"

#include <utility>

#include "server/api/lock_errors.h"

namespace etcetera::server::api {

using namespace etcdserverpb;

RecipeThread::RecipeThread() : thread_([this] { run(); }) {}

RecipeThread::~RecipeThread() {
  stop();
}

void RecipeThread::post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  tasks_.push_back(std::move(task));
  wake_.notify_one();
}

void RecipeThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void RecipeThread::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

BackendKvPort::BackendKvPort(Backend& backend)
    : backend_(backend), thread_(std::make_shared<RecipeThread>()) {}

BackendKvPort::~BackendKvPort() {
  // First the thread, so that no task (which may use the port) runs while
  // the stream closes; the sink's late answers are then dropped by post().
  thread_->stop();
  if (stream_) backend_.close_watch_stream(*stream_);
}

template <class T>
Reply<T> BackendKvPort::answer_on_thread(Done done, void (*wrap)(kv::pb::Response&, T&&)) {
  return [thread = thread_, done = std::move(done), wrap](ApiResult<T> result) {
    kv::pb::Response response;
    if (result) {
      wrap(response, std::move(*result));
    } else {
      *response.mutable_error() = to_failure(result.error());
    }
    thread->post([done, response = std::move(response)] { done(response); });
  };
}

void BackendKvPort::submit(kv::pb::Request request, Done done) {
  switch (request.op_case()) {
    case kv::pb::Request::kPut:
      return backend_.put(request.put(), answer_on_thread<PutResponse>(
                                             std::move(done), [](kv::pb::Response& r, auto&& a) {
                                               *r.mutable_put() = std::move(a);
                                             }));
    case kv::pb::Request::kDeleteRange:
      return backend_.delete_range(
          request.delete_range(),
          answer_on_thread<DeleteRangeResponse>(std::move(done), [](kv::pb::Response& r, auto&& a) {
            *r.mutable_delete_range() = std::move(a);
          }));
    case kv::pb::Request::kTxn:
      return backend_.txn(request.txn(), answer_on_thread<TxnResponse>(
                                             std::move(done), [](kv::pb::Response& r, auto&& a) {
                                               *r.mutable_txn() = std::move(a);
                                             }));
    case kv::pb::Request::kLeaseGrant:
      return backend_.lease_grant(
          request.lease_grant(),
          answer_on_thread<LeaseGrantResponse>(std::move(done), [](kv::pb::Response& r, auto&& a) {
            *r.mutable_lease_grant() = std::move(a);
          }));
    case kv::pb::Request::kLeaseRevoke:
      return backend_.lease_revoke(
          request.lease_revoke(),
          answer_on_thread<LeaseRevokeResponse>(std::move(done), [](kv::pb::Response& r, auto&& a) {
            *r.mutable_lease_revoke() = std::move(a);
          }));
    default: {
      // Compaction is not the recipes' business (lock/kv_port.h).
      kv::pb::Response refused;
      refused.mutable_error()->set_code(static_cast<int>(kv::Error::Code::kInvalidArgument));
      refused.mutable_error()->set_message("the lock recipes' port takes no such request");
      post([done = std::move(done), refused = std::move(refused)] { done(refused); });
    }
  }
}

std::int64_t BackendKvPort::watch(const WatchCreateRequest& create, OnWatch on_event) {
  if (!stream_) {
    stream_ = backend_.open_watch_stream([thread = thread_, this](const WatchResponse& response) {
      thread->post([this, response] { on_stream(response); });
    });
  }
  const std::int64_t id = next_watch_++;
  watches_[id] = Watch{std::move(on_event), std::nullopt, false};
  creating_.push_back(id);
  WatchRequest request;
  *request.mutable_create_request() = create;
  backend_.watch_request(*stream_, request);
  return id;
}

void BackendKvPort::send_cancel(std::int64_t stream_watch) {
  WatchRequest request;
  request.mutable_cancel_request()->set_watch_id(stream_watch);
  backend_.watch_request(*stream_, request);
}

void BackendKvPort::cancel_watch(std::int64_t id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  if (!it->second.stream_watch) {
    it->second.cancelled = true;  // the stream cancels it once it has created it
    return;
  }
  send_cancel(*it->second.stream_watch);
  by_stream_.erase(*it->second.stream_watch);
  watches_.erase(it);
}

void BackendKvPort::on_stream(const WatchResponse& response) {
  std::int64_t id = 0;
  if (response.created()) {
    // The stream answers its creates in the order they were sent.
    if (creating_.empty()) return;
    id = creating_.front();
    creating_.pop_front();
    Watch& w = watches_.at(id);
    if (w.cancelled) {
      if (!response.canceled()) send_cancel(response.watch_id());
      watches_.erase(id);
      return;
    }
    if (!response.canceled()) {
      w.stream_watch = response.watch_id();
      by_stream_[response.watch_id()] = id;
    }
  } else {
    auto found = by_stream_.find(response.watch_id());
    if (found == by_stream_.end()) return;  // cancelled by us, or progress of no watch of ours
    id = found->second;
    if (response.canceled()) by_stream_.erase(found);
  }
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  OnWatch on_event = it->second.on_event;  // a copy: the callback may cancel the watch
  if (response.canceled()) watches_.erase(it);
  WatchResponse ours = response;
  ours.set_watch_id(id);
  on_event(ours);
}

void BackendKvPort::keep_alive(std::int64_t lease, KeepAliveDone done) {
  LeaseKeepAliveRequest request;
  request.set_id(lease);
  backend_.lease_keep_alive(request, [thread = thread_, lease, done = std::move(done)](
                                         ApiResult<LeaseKeepAliveResponse> result) {
    LeaseKeepAliveResponse response;
    if (result) {
      response = std::move(*result);
    } else {
      // The port must answer, and a TTL is its only word: an error (a lease
      // gone, or no leader to renew it) is a lease not renewed.
      response.set_id(lease);
      response.set_ttl(0);
    }
    thread->post([done, response = std::move(response)] { done(response); });
  });
}

}  // namespace etcetera::server::api
