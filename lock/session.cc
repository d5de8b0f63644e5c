#include "lock/session.h"

#include <algorithm>
#include <utility>

namespace etcetera::lock {

Session::Session(KvPort& port, Options options) : port_(port), options_(options) {}

Result<void> Session::open(OnOpened done) {
  if (state_ != State::kIdle) {
    return fail(Error::Code::kBusy, std::string("the session is ") + state_name(state_) +
                                        "; open a new session for a new lease");
  }
  state_ = State::kGranting;
  on_opened_ = std::move(done);
  kv::pb::Request request;
  request.mutable_lease_grant()->set_ttl(options_.ttl);
  port_.submit(std::move(request),
               lifetime_.guard([this](const kv::pb::Response& response) { on_granted(response); }));
  return {};
}

void Session::on_granted(const kv::pb::Response& response) {
  auto done = std::move(on_opened_);
  on_opened_ = nullptr;
  if (response.has_error()) {
    state_ = State::kFailed;
    return done(std::unexpected(from_store(response.error())));
  }
  lease_ = response.lease_grant().id();
  ttl_ = response.lease_grant().ttl();
  ticks_since_keep_alive_ = 0;
  state_ = State::kAlive;
  done(lease_);  // last: `done` may destroy this session
}

std::int64_t Session::keep_alive_interval() const {
  const std::int64_t ttl = ttl_ > 0 ? ttl_ : options_.ttl;
  return std::max<std::int64_t>(1, ttl * options_.ticks_per_second / 3);
}

void Session::tick() {
  if (state_ != State::kAlive) return;
  if (++ticks_since_keep_alive_ < keep_alive_interval()) return;
  ticks_since_keep_alive_ = 0;
  port_.keep_alive(lease_, lifetime_.guard([this](const etcdserverpb::LeaseKeepAliveResponse& r) {
    on_keep_alive(r);
  }));
}

void Session::on_keep_alive(const etcdserverpb::LeaseKeepAliveResponse& response) {
  if (state_ != State::kAlive || response.ttl() > 0) return;
  state_ = State::kLost;
  auto lost = fail(Error::Code::kSessionExpired,
                   "lease " + std::to_string(lease_) +
                       " is gone (it expired or was revoked): the store deleted its keys, "
                       "so its locks are released; open a new session");
  if (on_lost_) on_lost_(lost.error());
}

Result<void> Session::close(OnClosed done) {
  if (state_ != State::kAlive) {
    return fail(
        Error::Code::kInvalidArgument,
        std::string("only an alive session can be closed; this one is ") + state_name(state_));
  }
  state_ = State::kClosing;
  kv::pb::Request request;
  request.mutable_lease_revoke()->set_id(lease_);
  auto on_revoked = [this, done = std::move(done)](const kv::pb::Response& response) {
    state_ = State::kClosed;
    if (response.has_error()) return done(std::unexpected(from_store(response.error())));
    done({});
  };
  port_.submit(std::move(request), lifetime_.guard(std::move(on_revoked)));
  return {};
}

std::string Session::describe() const {
  std::string out = "lease " + std::to_string(lease_) + " (ttl " + std::to_string(ttl_) + " s): ";
  out += state_name(state_);
  if (state_ == State::kAlive) {
    out += ", next keep-alive in " +
           std::to_string(keep_alive_interval() - ticks_since_keep_alive_) + " ticks";
  }
  return out;
}

const char* state_name(Session::State state) {
  switch (state) {
    case Session::State::kIdle:
      return "idle";
    case Session::State::kGranting:
      return "granting";
    case Session::State::kAlive:
      return "alive";
    case Session::State::kClosing:
      return "closing";
    case Session::State::kClosed:
      return "closed";
    case Session::State::kLost:
      return "lost";
    case Session::State::kFailed:
      return "failed";
  }
  return "unknown";
}

}  // namespace etcetera::lock
