#include "server/in_process_peers.h"

#include "server/api_error.h"
#include "server/disk/file.h"
#include "server/disk/snapshot_stream.h"

namespace etcetera::server {

namespace {

template <class T>
std::pair<grpc::Status, T> as_call(ApiResult<T> result) {
  if (!result) return {to_status(result.error()), T{}};
  return {grpc::Status::OK, std::move(*result)};
}

grpc::Status unreachable(std::uint64_t to) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "member " + std::to_string(to) + " is not reachable in this process");
}

}  // namespace

// One member's side: its peers, and one thread for its calls to the leader
// and its snapshot transfers, in order.
class InProcessPeers final : public Peers {
 public:
  InProcessPeers(InProcessNetwork& network, std::uint64_t id, std::filesystem::path snap_dir,
                 std::function<void(std::uint64_t)> on_removed)
      : network_(network),
        id_(id),
        snap_dir_(std::move(snap_dir)),
        on_removed_(std::move(on_removed)),
        thread_([this] { run(); }) {}
  ~InProcessPeers() override { stop(); }

  void send(raft::pb::Message m) override {
    {
      std::lock_guard lock(mu_);
      if (stopped_ || !known_.contains(m.to())) return;
    }
    if (m.type() == raft::pb::INSTALL_SNAPSHOT_REQUEST && snapshot_file_of(m.snapshot().data()))
      return post([this, m = std::move(m)] { send_snapshot(m); });
    deliver(std::move(m));
  }
  void add_peer(std::uint64_t id, const std::string&) override {
    std::lock_guard lock(mu_);
    known_.insert(id);
  }
  void remove_peer(std::uint64_t id) override {
    std::lock_guard lock(mu_);
    known_.erase(id);
  }
  void forward(std::uint64_t to, const pb::ForwardBatch& batch, ForwardDone done) override {
    call(to, done, [batch](PeerHandler& h) { return as_call(h.forwarded(batch)); });
  }
  void keep_alive(std::uint64_t to, const etcdserverpb::LeaseKeepAliveRequest& r,
                  KeepAliveDone done) override {
    call(to, done, [r](PeerHandler& h) { return as_call(h.forwarded_keep_alive(r)); });
  }
  void time_to_live(std::uint64_t to, const etcdserverpb::LeaseTimeToLiveRequest& r,
                    TimeToLiveDone done) override {
    call(to, done, [r](PeerHandler& h) { return as_call(h.forwarded_time_to_live(r)); });
  }
  void change(std::uint64_t to, const pb::ChangeRequest& r, ChangeDone done) override {
    call(to, done, [r](PeerHandler& h) { return as_call(h.forwarded_change(r)); });
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    network_.leave(id_);
  }

 private:
  // As Peer.Send does: a member the receiver knows to be removed is told so.
  void deliver(raft::pb::Message m) {
    const std::uint64_t to = m.to();
    bool removed = false;
    network_.with(to, [&](PeerHandler* h) {
      if (h == nullptr) return;
      if (h->was_removed(id_)) {
        removed = true;
        return;
      }
      h->receive(std::move(m));
    });
    if (removed && on_removed_) on_removed_(to);
  }

  void send_snapshot(raft::pb::Message m) {
    auto file = File::open(snap_dir_ / *snapshot_file_of(m.snapshot().data()), File::Mode::kRead);
    if (!file) return;  // replaced by a newer one meanwhile: raft offers that
    network_.with(m.to(), [&](PeerHandler* h) {
      if (h == nullptr) return;
      std::string buffer(1 << 20, '\0');
      auto received = receive_snapshot(
          h->snapshot_dir(), m.snapshot().metadata(),
          [&]() -> DiskResult<std::optional<std::string>> {
            auto got = file->read(buffer.data(), buffer.size());
            if (!got) return std::unexpected(got.error());
            if (*got == 0) return std::nullopt;
            return std::string(buffer.data(), *got);
          });
      if (!received) return;
      m.mutable_snapshot()->set_data(snapshot_file_ref(*received));
      h->receive(std::move(m));
    });
  }

  template <class Resp, class Ask>
  void call(std::uint64_t to, std::function<void(grpc::Status, Resp)> done, Ask ask) {
    post([this, to, done = std::move(done), ask = std::move(ask)] {
      std::pair<grpc::Status, Resp> answer{unreachable(to), Resp{}};
      network_.with(to, [&](PeerHandler* h) {
        if (h != nullptr) answer = ask(*h);
      });
      done(std::move(answer.first), std::move(answer.second));
    });
  }

  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return stopped_ || !tasks_.empty(); });
        if (stopped_) return;  // calls not yet made are never answered, as after gRPC's stop
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  InProcessNetwork& network_;
  std::uint64_t id_;
  std::filesystem::path snap_dir_;
  std::function<void(std::uint64_t)> on_removed_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::set<std::uint64_t> known_;
  std::deque<std::function<void()>> tasks_;
  bool stopped_ = false;
  std::thread thread_;
};

std::unique_ptr<Peers> InProcessNetwork::join(std::uint64_t id, PeerHandler& handler,
                                              std::filesystem::path snap_dir,
                                              std::function<void(std::uint64_t)> on_removed) {
  {
    std::unique_lock lock(mu_);
    members_[id] = &handler;
  }
  return std::make_unique<InProcessPeers>(*this, id, std::move(snap_dir), std::move(on_removed));
}

void InProcessNetwork::with(std::uint64_t to, const std::function<void(PeerHandler*)>& fn) {
  std::shared_lock lock(mu_);
  auto it = members_.find(to);
  fn(it == members_.end() ? nullptr : it->second);
}

void InProcessNetwork::leave(std::uint64_t id) {
  std::unique_lock lock(mu_);
  members_.erase(id);
}

}  // namespace etcetera::server
