// A queue between a Backend's sink (the member's driver thread, which must
// never block) and the gRPC thread writing a stream's responses (which may
// block on a slow client). Unbounded: a client that reads too slowly costs
// memory, never the member's progress.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace etcetera::server::api {

template <class T>
class ResponseQueue {
 public:
  // Never blocks for long: takes the lock, appends, wakes the writer.
  // Dropped once the queue is closed.
  void push(T item) {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    items_.push_back(std::move(item));
    ready_.notify_one();
  }

  // The next item, or nothing once the queue is closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  // Wakes pop(): what is queued is still handed out, nothing more is taken.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;  // GUARDED_BY(mutex_)
  bool closed_ = false;  // GUARDED_BY(mutex_)
};

}  // namespace etcetera::server::api
