// Waiting for a Backend's answer on a gRPC thread.
//
// A Backend call returns at once and answers later, from the member's driver
// thread, through a Reply that must not block. Waiter<T> is that Reply's
// other end: the Reply stores the answer and wakes the gRPC thread, which
// waits for it no longer than the client does (its deadline) and stops
// waiting when the client goes away. An answer that comes after the waiting
// ended lands in the shared state and is dropped with it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <grpcpp/server_context.h>

#include "server/backend.h"

namespace etcetera::server::api {

template <class T>
class Waiter {
 public:
  Waiter() : state_(std::make_shared<State>()) {}

  // The Reply to hand to the Backend: stores the answer and wakes wait().
  // Safe to call after the Waiter is gone.
  Reply<T> reply() const {
    return [state = state_](ApiResult<T> answer) {
      std::lock_guard lock(state->mutex);
      state->answer = std::move(answer);
      state->answered.notify_one();
    };
  }

  // The answer, or DEADLINE_EXCEEDED / CANCELLED when the client stops
  // waiting first.
  ApiResult<T> wait(grpc::ServerContext& context) {
    // IsCancelled() is polled: gRPC's synchronous API has no callback for
    // it, and a tenth of a second is soon enough for a client that left.
    constexpr auto kPoll = std::chrono::milliseconds(100);
    std::unique_lock lock(state_->mutex);
    while (!state_->answer) {
      auto now = std::chrono::system_clock::now();
      if (now >= context.deadline()) {
        return std::unexpected(
            ApiError{ApiError::Code::kDeadlineExceeded, "context deadline exceeded"});
      }
      if (context.IsCancelled()) {
        return std::unexpected(ApiError{ApiError::Code::kCancelled, "context canceled"});
      }
      state_->answered.wait_until(lock, std::min(context.deadline(), now + kPoll));
    }
    return std::move(*state_->answer);
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable answered;
    std::optional<ApiResult<T>> answer;
  };
  std::shared_ptr<State> state_;
};

// Starts a Backend call with a fresh Reply and waits for its answer, as in
// ask_backend<RangeResponse>(context, [&](auto reply) { backend.range(r, reply); }).
template <class T, class Start>
ApiResult<T> ask_backend(grpc::ServerContext& context, Start&& start) {
  Waiter<T> waiter;
  std::forward<Start>(start)(waiter.reply());
  return waiter.wait(context);
}

}  // namespace etcetera::server::api
