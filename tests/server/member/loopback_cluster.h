// Three (or N) server::Members in one process, talking over loopback gRPC on
// free ports, each with its own data dir: for tests of the driver loop with
// the real transport and the real disk.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/member.h"
#include "tests/server/temp_dir.h"

namespace etcetera::server::testing {

using namespace std::chrono_literals;

// A port nobody listens on now (the kernel's pick for port 0).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Calls a Backend method and waits for its Reply.
template <class T, class F>
ApiResult<T> call(F&& f) {
  auto promise = std::make_shared<std::promise<ApiResult<T>>>();
  auto future = promise->get_future();
  f([promise](ApiResult<T> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(10s) != std::future_status::ready)
    return std::unexpected(ApiError{ApiError::Code::kDeadlineExceeded, "test: no reply in 10s"});
  return future.get();
}

// Polls `done` until it holds or `limit` passes.
template <class F>
bool eventually(F&& done, std::chrono::milliseconds limit = 10s) {
  for (auto until = std::chrono::steady_clock::now() + limit;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(10ms))
    if (done()) return true;
  return done();
}

class LoopbackCluster {
 public:
  // `adjust` may change each member's options (by index) before it starts.
  explicit LoopbackCluster(int n = 3, std::uint64_t snapshot_count = 10000,
                           const std::function<void(int, MemberOptions&)>& adjust = {}) {
    std::map<std::string, std::string> cluster;
    for (int i = 0; i < n; ++i) {
      dirs_.push_back(std::make_unique<TempDir>());
      MemberOptions o;
      o.name = "m" + std::to_string(i + 1);
      o.listen_peer = "127.0.0.1:" + std::to_string(free_port());
      o.data_dir = dirs_.back()->path();
      o.heartbeat_interval_ms = 20;
      o.election_timeout_ms = 200;
      o.snapshot_count = snapshot_count;
      cluster[o.name] = "http://" + o.listen_peer;
      options_.push_back(o);
    }
    for (int i = 0; i < n; ++i) {
      options_[i].initial_cluster = cluster;
      if (adjust) adjust(i, options_[i]);
    }
    members_.resize(n);
    for (int i = 0; i < n; ++i)
      start(i);
  }

  Member& operator[](int i) { return *members_.at(i); }
  const MemberOptions& options(int i) const { return options_.at(i); }

  // Options for one more member, `name`, joining the running cluster (as
  // `member add` prints them); not started. Its index.
  int add_joining(const std::string& name) {
    dirs_.push_back(std::make_unique<TempDir>());
    MemberOptions o = options_.front();
    o.name = name;
    o.listen_peer = "127.0.0.1:" + std::to_string(free_port());
    o.data_dir = dirs_.back()->path();
    o.initial_cluster[name] = "http://" + o.listen_peer;
    o.initial_cluster_state_new = false;
    options_.push_back(o);
    members_.emplace_back();
    return size() - 1;
  }
  int size() const { return static_cast<int>(members_.size()); }
  bool running(int i) const { return members_.at(i) != nullptr; }

  void start(int i) {
    auto m = Member::open(options_.at(i));
    if (!m) throw std::runtime_error(m.error());
    if (auto ok = (*m)->start(); !ok) throw std::runtime_error(ok.error());
    members_.at(i) = std::move(*m);
  }
  void stop(int i) {
    members_.at(i)->stop();
    members_.at(i).reset();
  }

  // Waits until every running member names the same leader; its index, or -1.
  int wait_leader(std::chrono::milliseconds limit = 10s) {
    int found = -1;
    eventually(
        [&] {
          std::uint64_t leader = 0;
          for (auto& m : members_) {
            if (!m) continue;
            if (m->leader() == 0 || (leader != 0 && m->leader() != leader)) return false;
            leader = m->leader();
          }
          for (int i = 0; i < size(); ++i)
            if (members_[i] && members_[i]->id() == leader) found = i;
          return found >= 0;
        },
        limit);
    return found;
  }

 private:
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::vector<MemberOptions> options_;
  std::vector<std::unique_ptr<Member>> members_;
};

inline ApiResult<etcdserverpb::PutResponse> put(Backend& b, const std::string& key,
                                                const std::string& value, std::int64_t lease = 0) {
  etcdserverpb::PutRequest r;
  r.set_key(key);
  r.set_value(value);
  r.set_lease(lease);
  return call<etcdserverpb::PutResponse>([&](auto reply) { b.put(r, reply); });
}

// The value of `key` read linearizably (or serializably) through `b`; "" when absent.
inline ApiResult<std::string> get(Backend& b, const std::string& key, bool serializable = false) {
  etcdserverpb::RangeRequest r;
  r.set_key(key);
  r.set_serializable(serializable);
  auto out = call<etcdserverpb::RangeResponse>([&](auto reply) { b.range(r, reply); });
  if (!out) return std::unexpected(out.error());
  return out->kvs_size() == 0 ? std::string() : out->kvs(0).value();
}

}  // namespace etcetera::server::testing
