#include "server/snapshot_sender.h"

#include <chrono>
#include <iostream>

#include "server/disk/file.h"
#include "server/disk/snapshot_stream.h"

namespace etcetera::server {

namespace {

// The file goes in chunks of this size (well under the peer port's message limit).
constexpr std::size_t kChunkBytes = 1 << 20;
// A transfer that takes longer than this is cut off; raft offers the
// snapshot again.
constexpr auto kTransferDeadline = std::chrono::minutes(10);

}  // namespace

SnapshotSender::SnapshotSender(std::shared_ptr<grpc::Channel> channel,
                               std::filesystem::path snap_dir)
    : stub_(pb::Peer::NewStub(std::move(channel))), snap_dir_(std::move(snap_dir)) {
  thread_ = std::thread([this] { run(); });
}

void SnapshotSender::offer(raft::pb::Message m) {
  std::lock_guard lock(mu_);
  if (stopping_ || busy_ || pending_) return;
  pending_ = std::move(m);
  cv_.notify_one();
}

void SnapshotSender::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

std::uint64_t SnapshotSender::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

void SnapshotSender::run() {
  for (;;) {
    raft::pb::Message m;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || pending_; });
      if (stopping_) return;
      m = std::move(*pending_);
      pending_.reset();
      busy_ = true;
    }
    const bool ok = transfer(m);
    std::lock_guard lock(mu_);
    busy_ = false;
    if (ok) ++delivered_;
  }
}

bool SnapshotSender::transfer(const raft::pb::Message& m) {
  const auto name = snapshot_file_of(m.snapshot().data());
  if (!name) return false;
  // The file may have been replaced by a newer snapshot meanwhile: raft
  // will offer that one.
  auto file = File::open(snap_dir_ / *name, File::Mode::kRead);
  if (!file) return false;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kTransferDeadline);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    active_ = &context;
  }
  pb::SendAck ack;
  auto writer = stub_->Snapshot(&context, &ack);
  pb::SnapshotChunk chunk;
  *chunk.mutable_message() = m;
  bool open = writer->Write(chunk);
  std::string buffer(kChunkBytes, '\0');
  while (open) {
    auto got = file->read(buffer.data(), buffer.size());
    if (!got || *got == 0) break;
    chunk.Clear();
    chunk.set_data(buffer.data(), *got);
    open = writer->Write(chunk);
  }
  if (open) writer->WritesDone();
  const grpc::Status status = writer->Finish();
  {
    std::lock_guard lock(mu_);
    active_ = nullptr;
  }
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED)
    std::cerr << "etcetera: snapshot " << m.snapshot().metadata().index() << " to member "
              << std::hex << m.to() << std::dec << " not delivered: " << status.error_message()
              << "\n";
  return status.ok();
}

}  // namespace etcetera::server
