// FakeBackend — a one-member server::Backend for the services' tests: it
// applies requests to a kv::StateMachine directly, without raft or a disk,
// on its own driver thread, and answers from that thread, as server::Member
// does. Writes become log entries numbered 1, 2, ...; reads are served from
// the store at once. The member's lease clock runs on the steady clock.
//
// Thread-safe: every Backend call may come from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kv/state_machine.h"
#include "server/backend.h"

namespace etcetera::server::testing {

class FakeBackend final : public Backend {
 public:
  static constexpr std::uint64_t kClusterId = 0xcdf818194e3a8c32;
  static constexpr std::uint64_t kMemberId = 0x8e9e05c52164694d;
  static constexpr std::uint64_t kTerm = 2;

  FakeBackend();
  ~FakeBackend() override;

  // The client URL this member advertises (etcdctl member list prints it).
  void set_client_url(std::string url);
  // While stalled the driver runs nothing: calls wait, as they do on a
  // member that has lost its quorum.
  void stall(bool stalled);

  etcdserverpb::ResponseHeader header() const override;

  void range(const etcdserverpb::RangeRequest& r, Reply<etcdserverpb::RangeResponse>) override;
  void put(const etcdserverpb::PutRequest& r, Reply<etcdserverpb::PutResponse>) override;
  void delete_range(const etcdserverpb::DeleteRangeRequest& r,
                    Reply<etcdserverpb::DeleteRangeResponse>) override;
  void txn(const etcdserverpb::TxnRequest& r, Reply<etcdserverpb::TxnResponse>) override;
  void compact(const etcdserverpb::CompactionRequest& r,
               Reply<etcdserverpb::CompactionResponse>) override;

  void lease_grant(const etcdserverpb::LeaseGrantRequest& r,
                   Reply<etcdserverpb::LeaseGrantResponse>) override;
  void lease_revoke(const etcdserverpb::LeaseRevokeRequest& r,
                    Reply<etcdserverpb::LeaseRevokeResponse>) override;
  void lease_keep_alive(const etcdserverpb::LeaseKeepAliveRequest& r,
                        Reply<etcdserverpb::LeaseKeepAliveResponse>) override;
  void lease_time_to_live(const etcdserverpb::LeaseTimeToLiveRequest& r,
                          Reply<etcdserverpb::LeaseTimeToLiveResponse>) override;
  void lease_leases(Reply<etcdserverpb::LeaseLeasesResponse>) override;

  WatchStreamId open_watch_stream(WatchSink sink) override;
  void watch_request(WatchStreamId stream, const etcdserverpb::WatchRequest& r) override;
  void close_watch_stream(WatchStreamId stream) override;

  void member_list(Reply<std::vector<MemberInfo>>) override;
  void member_add(std::vector<std::string> peer_urls, bool is_learner,
                  Reply<std::pair<MemberInfo, std::vector<MemberInfo>>>) override;
  void member_remove(std::uint64_t id, Reply<std::vector<MemberInfo>>) override;
  void member_update(std::uint64_t id, std::vector<std::string> peer_urls,
                     Reply<std::vector<MemberInfo>>) override;
  void member_promote(std::uint64_t id, Reply<std::vector<MemberInfo>>) override;

  void status(Reply<StatusInfo>) override;
  void hash_kv(std::int64_t revision, Reply<Hash>) override;
  void snapshot(Reply<std::string>) override;
  void move_leader(std::uint64_t target, Reply<void>) override;

 private:
  // Runs `task` on the driver thread, after the tasks before it.
  void post(std::function<void()> task);
  void run();
  // Applies one write as the next log entry; the response or its failure.
  kv::pb::Response apply(kv::pb::Request request);
  // Hands every watch stream's queued responses to its sink.
  void flush_watches();
  kv::Millis now() const;

  // Only the driver thread touches these.
  kv::StateMachine machine_;
  std::uint64_t next_index_ = 1;
  struct Stream {
    kv::WatchStream* watches;
    WatchSink sink;
  };
  std::map<WatchStreamId, Stream> streams_;
  std::vector<MemberInfo> members_;

  std::atomic<std::int64_t> revision_{1};      // read by header() on any thread
  std::atomic<WatchStreamId> next_stream_{1};  // taken by open_watch_stream() on any thread

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
  bool stalled_ = false;                     // GUARDED_BY(mutex_)
  std::thread driver_;
};

}  // namespace etcetera::server::testing
