#include "server/peer_transport.h"

#include <chrono>

#include "server/api_error.h"
#include "server/disk/snapshot_stream.h"

namespace etcetera::server {

namespace {


// How long a call to the leader may take. A keep-alive, time-to-live or
// membership change is answered by the leader once done, within the
// request's own 5 s. A forwarded write is answered as soon as the leader has
// proposed it, so a forward that takes longer is taken as lost, and the
// member that took the write sends it again (kv/proposer.h).
constexpr std::chrono::milliseconds kCallDeadline{5000};
constexpr std::chrono::milliseconds kForwardDeadline{2000};

}  // namespace

std::shared_ptr<grpc::Channel> peer_channel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxPeerMessageBytes);
  args.SetMaxSendMessageSize(kMaxPeerMessageBytes);
  // Reconnect attempts are ours (PeerSender's backoff); keep gRPC's short.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

PeerSender::PeerSender(std::string target, std::size_t capacity, std::filesystem::path snap_dir,
                       std::function<void()> on_removed)
    : channel_(peer_channel(target)),
      stub_(pb::Peer::NewStub(channel_)),
      snapshots_(channel_, std::move(snap_dir)),
      capacity_(capacity),
      on_removed_(std::move(on_removed)) {
  thread_ = std::thread([this] { run(); });
}

void PeerSender::send(raft::pb::Message m) {
  if (m.type() == raft::pb::INSTALL_SNAPSHOT_REQUEST && snapshot_file_of(m.snapshot().data()))
    return snapshots_.offer(std::move(m));
  std::lock_guard lock(mu_);
  if (stopping_ || backing_off_ || queue_.size() >= capacity_) return;
  queue_.push_back(std::move(m));
  cv_.notify_one();
}

void PeerSender::stop() {
  snapshots_.stop();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void PeerSender::run() {
  using namespace std::chrono_literals;
  auto backoff = 50ms;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
    }
    const bool delivered = stream_once();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (delivered) {
      backoff = 50ms;
      continue;
    }
    // The peer is unreachable: what was queued for it is lost (raft sends
    // again), and nothing is queued until the backoff is over.
    queue_.clear();
    backing_off_ = true;
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backing_off_ = false;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 1000ms);
  }
}

bool PeerSender::stream_once() {
  grpc::ClientContext context;
  pb::SendAck ack;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    active_ = &context;
  }
  auto writer = stub_->Send(&context, &ack);
  bool delivered = false;
  for (bool open = true; open;) {
    std::deque<raft::pb::Message> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      batch.swap(queue_);
    }
    for (const auto& m : batch) {
      if (!writer->Write(m)) {
        open = false;
        break;
      }
      delivered = true;
    }
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) context.TryCancel();
  }
  // The status says why the stream ended; one reason matters here: the peer
  // knows this member has been removed, and this member does not yet.
  const grpc::Status status = writer->Finish();
  const ApiError removed = removed_member();
  if (status.error_code() == static_cast<grpc::StatusCode>(removed.code) &&
      status.error_message() == removed.message && on_removed_)
    on_removed_();
  std::lock_guard lock(mu_);
  active_ = nullptr;
  return delivered;
}

PeerTransport::PeerTransport(const std::map<std::uint64_t, std::string>& peers,
                             std::filesystem::path snap_dir, OnRemoved on_removed)
    : snap_dir_(std::move(snap_dir)), on_removed_(std::move(on_removed)) {
  for (const auto& [id, target] : peers) {
    senders_[id] = sender_to(id, target);
    stubs_[id] = pb::Peer::NewStub(peer_channel(target));
  }
}

void PeerTransport::send(raft::pb::Message m) {
  if (auto it = senders_.find(m.to()); it != senders_.end()) it->second->send(std::move(m));
}

void PeerTransport::add_peer(std::uint64_t id, const std::string& target) {
  if (senders_.contains(id)) return;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
  }
  senders_[id] = sender_to(id, target);
  stubs_[id] = pb::Peer::NewStub(peer_channel(target));
}

std::unique_ptr<PeerSender> PeerTransport::sender_to(std::uint64_t id, const std::string& target) {
  std::function<void()> removed;
  if (on_removed_) removed = [this, id] { on_removed_(id); };
  return std::make_unique<PeerSender>(target, 4096, snap_dir_, std::move(removed));
}

void PeerTransport::remove_peer(std::uint64_t id) {
  auto it = senders_.find(id);
  if (it == senders_.end()) return;
  it->second->stop();
  senders_.erase(it);
  stubs_.erase(id);  // calls in flight keep their channel until they complete
}

template <class Req, class Resp, class Start>
void PeerTransport::call(std::uint64_t to, const Req& r,
                         std::function<void(grpc::Status, Resp)> done,
                         std::chrono::milliseconds deadline, Start start) {
  auto stub = stubs_.find(to);
  if (stub == stubs_.end()) {
    done(grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: unknown leader"), Resp{});
    return;
  }
  struct Call {
    grpc::ClientContext context;
    Req request;
    Resp response;
  };
  auto c = std::make_shared<Call>();
  c->request = r;
  c->context.set_deadline(std::chrono::system_clock::now() + deadline);
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      done(grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: server stopped"), Resp{});
      return;
    }
    calls_.insert(&c->context);
  }
  start(*stub->second, c->context, c->request, c->response,
        [this, c, done = std::move(done)](grpc::Status status) {
          done(std::move(status), std::move(c->response));
          std::lock_guard lock(mu_);
          calls_.erase(&c->context);
          idle_.notify_all();
        });
}

void PeerTransport::forward(std::uint64_t to, const pb::ForwardBatch& batch,
                            ForwardDone done) {
  call<pb::ForwardBatch, pb::ForwardAcks>(
      to, batch, std::move(done), kForwardDeadline,
      [](pb::Peer::Stub& s, auto& ctx, auto& req, auto& resp, auto cb) {
        s.async()->ForwardMany(&ctx, &req, &resp, std::move(cb));
      });
}

void PeerTransport::keep_alive(std::uint64_t to, const etcdserverpb::LeaseKeepAliveRequest& r,
                               KeepAliveDone done) {
  call<etcdserverpb::LeaseKeepAliveRequest, etcdserverpb::LeaseKeepAliveResponse>(
      to, r, std::move(done), kCallDeadline,
      [](pb::Peer::Stub& s, auto& ctx, auto& req, auto& resp, auto cb) {
        s.async()->KeepAlive(&ctx, &req, &resp, std::move(cb));
      });
}

void PeerTransport::time_to_live(std::uint64_t to, const etcdserverpb::LeaseTimeToLiveRequest& r,
                                 TimeToLiveDone done) {
  call<etcdserverpb::LeaseTimeToLiveRequest, etcdserverpb::LeaseTimeToLiveResponse>(
      to, r, std::move(done), kCallDeadline,
      [](pb::Peer::Stub& s, auto& ctx, auto& req, auto& resp, auto cb) {
        s.async()->TimeToLive(&ctx, &req, &resp, std::move(cb));
      });
}

void PeerTransport::change(std::uint64_t to, const pb::ChangeRequest& r, ChangeDone done) {
  call<pb::ChangeRequest, pb::ChangeResponse>(
      to, r, std::move(done), kCallDeadline,
      [](pb::Peer::Stub& s, auto& ctx, auto& req, auto& resp, auto cb) {
        s.async()->Change(&ctx, &req, &resp, std::move(cb));
      });
}

void PeerTransport::stop() {
  {
    std::unique_lock lock(mu_);
    stopped_ = true;
    for (auto* context : calls_)
      context->TryCancel();
    idle_.wait(lock, [&] { return calls_.empty(); });
  }
  for (auto& [id, sender] : senders_)
    sender->stop();
}

}  // namespace etcetera::server
