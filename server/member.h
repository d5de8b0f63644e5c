// server::Member — one etcd member: raft (raft::Node), the key-value state
// machine (kv::StateMachine) and the disk (DurableStorage), as a pipeline
// (docs/server.md, "The pipeline").
//
// The driver thread runs a boost::asio::io_context. Everything that touches
// the Node or changes the store runs there: the tick timer, raft messages
// from peers, and every Backend call but a serializable range, which is
// posted onto it and answered from it. After each burst of input, one Ready
// is carried out:
//   send -> persist -> sync (on the log writer) -> send what promises the
//   disk -> apply -> reads -> advance.
// The driver goes on while the log writer syncs. The store is changed under
// store_mu_ held exclusively, for its readers on other threads (serializable
// ranges, the snapshot writer); the network runs on other threads and only
// hands messages over (peer_transport.h, peer_service.h).
//
// Writes reach raft at the leader: the member a client calls gives the
// write a request id of its own (kv/proposer.h) and, as a follower, forwards
// it over Peer.Forward (raft refuses proposals on followers, docs/raft.md);
// it answers the client when that id applies in its own state machine, and
// sends the write again with the same id after a leader change, which the
// state machine applies at most once (docs/server.md, "At most once"). Lease
// keep-alives go to the leader's lease clock over the Peer service too.
//
// Layout, one concern per file:
//   member.cc          open, start, stop, the tick and the Ready loop
//   member_apply.cc    proposals (kv::Proposer), forwarding, applying entries, snapshots
//   member_reads.cc    ranges (serializable and ReadIndex), header, status, hash, snapshot
//   member_leases.cc   the leader's lease clock, keep-alives, time-to-live
//   member_watch.cc    watch streams
//   member_cluster.cc  leadership transfer
//   member_membership.cc  member add/remove/promote/update, published attributes
//   member_join.cc     a member joining a running cluster
//   member_snapshot.cc log compaction, and snapshots written and read in parts
#pragma once

#include <utility>

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>

#include "kv/proposer.h"
#include "kv/state_machine.h"
#include "raft/node.h"
#include "raft/trace.h"
#include "server/api_error.h"
#include "server/backend.h"
#include "server/disk/durable_storage.h"
#include "server/log_writer.h"
#include "server/member_options.h"
#include "server/member_registry.h"
#include "server/peer_service.h"
#include "server/peer_transport.h"
#include "server/read_batches.h"

namespace etcetera::server {

class Member final : public Backend, private PeerHandler {
 public:
  // Opens the data dir (recovering the WAL and the newest snapshot), rebuilds
  // the store from the snapshot, and builds the Node; starts nothing yet. The
  // error says what to fix (a bad option, a data dir that cannot be opened).
  static std::expected<std::unique_ptr<Member>, std::string> open(MemberOptions options);
  ~Member() override;
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  // Binds the peer address and starts the driver thread, which replays the
  // committed log into the store first.
  std::expected<void, std::string> start();
  // Stops the peer server, the senders, the timer and the driver thread,
  // then syncs the WAL. Calls still waiting are answered "server stopped".
  // Idempotent.
  void stop();

  std::uint64_t id() const { return id_; }
  const MemberOptions& options() const { return options_; }
  // As the driver last saw them; for tests and the log.
  std::uint64_t leader() const { return leader_.load(); }
  bool is_leader() const { return leader_.load() == id_; }
  std::uint64_t applied_index() const { return applied_.load(); }
  // Snapshots received from a leader since start (a follower that fell
  // behind the leader's log compaction).
  std::uint64_t snapshots_installed() const { return snapshots_installed_.load(); }
  // Whether this member's name and client URLs are in the registry, as
  // applied here: etcd serves clients only from then on (docs/server.md,
  // "Membership"), so that `member list` shows them.
  bool published() const { return published_.load(); }
  // Why this member stopped serving for good, once it has: removed from the
  // cluster (removed_member()), or its disk failed. The process exits then,
  // as etcd's does (server/main.cc). Any thread.
  std::optional<ApiError> stopped_serving() const {
    if (!has_stopped_serving_.load(std::memory_order_acquire)) return std::nullopt;
    return stopped_serving_;
  }
  // What recovery repaired when the data dir was opened, one line each.
  const std::vector<std::string>& recovery_notes() const { return disk_->recovery_notes(); }

  // Backend (server/backend.h).
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
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(ApiResult<kv::pb::Response>)>;

  explicit Member(MemberOptions options);

  // --- the driver (member.cc) ---
  // Runs `fn` on the driver thread; once the member is stopped, runs `fail`
  // instead (there, or on the stopping thread), so every Reply is answered:
  // with why this member stopped serving (removed, its disk failed), or
  // "server stopped".
  void run(std::function<void()> fn, std::function<void()> fail);
  template <class T>
  void run(std::function<void()> fn, Reply<T> reply) {
    run(std::move(fn),
        [this, reply] { reply(std::unexpected(stopped_serving_.value_or(stopping()))); });
  }
  bool on_driver() const { return std::this_thread::get_id() == driver_id_.load(); }
  void start_driver();
  void schedule_tick();
  void on_tick();
  // Carries out Readys once the input queued so far has been taken in.
  void schedule_ready();
  void once_after_input(bool& scheduled, void (Member::*work)());
  void drain_ready();
  bool handle_ready(raft::Ready rd);  // false: the disk failed, the member stops
  bool finish_ready(raft::Ready rd);  // after its sync
  void warn_if_slow_sync(const std::vector<raft::pb::Entry>& entries, Clock::duration took) const;
  void fail_stop(const std::string& why);
  void stop_serving(const std::string& why, const ApiError& answer);
  void publish_status();
  kv::Millis now_ms() const;
  // Every request is answered within this (etcd's request timeout).
  static constexpr kv::Millis kRequestTimeoutMs = 5000;
  Clock::time_point deadline() const {
    return Clock::now() + std::chrono::milliseconds(kRequestTimeoutMs);
  }

  // PeerHandler: calls from other members (member_apply.cc, member_leases.cc).
  void receive(raft::pb::Message m) override;
  std::filesystem::path snapshot_dir() const override { return disk_->snap_dir(); }
  bool was_removed(std::uint64_t member) override;
  ApiResult<pb::ForwardAcks> forwarded(pb::ForwardBatch batch) override;
  ApiResult<etcdserverpb::LeaseKeepAliveResponse> forwarded_keep_alive(
      const etcdserverpb::LeaseKeepAliveRequest& r) override;
  ApiResult<etcdserverpb::LeaseTimeToLiveResponse> forwarded_time_to_live(
      const etcdserverpb::LeaseTimeToLiveRequest& r) override;
  ApiResult<pb::ChangeResponse> forwarded_change(const pb::ChangeRequest& r) override;
  ApiResult<pb::MembersResponse> members_for_joining() override;
  // Runs `start` on the driver and blocks the calling (gRPC) thread for its answer.
  template <class T>
  ApiResult<T> wait_on_driver(std::function<void(Reply<T>)> start);

  // --- writes (member_apply.cc) ---
  // Takes a client's write: the proposer stamps it, and `done` is answered
  // when it applies here, or at its deadline (kv/proposer.h says with what).
  void propose(kv::pb::Request r, Done done);
  // Sends what the proposer says is due: proposed here as leader, forwarded
  // to the leader otherwise, all in one call; nothing while no leader is
  // known. schedule_proposals() does it once the input queued now is taken
  // in, so that writes that arrive together go together.
  void send_proposals();
  void schedule_proposals();
  // The leader's side: appends r to its log if it leads.
  pb::ForwardAck propose_entry(const kv::pb::Request& r);
  void take_ack(kv::Proposer::Id id, const pb::ForwardAck& ack);
  void answer_proposal(kv::Proposer::Id id, ApiResult<kv::pb::Response> result);
  template <class T>
  void write(kv::pb::Request r, Reply<T> reply, T (*pick)(kv::pb::Response&));

  // --- applying (member_apply.cc) ---
  // What one Ready hands out to apply, in order: a snapshot, committed
  // entries, then the linearizable reads they make safe. It is applied at
  // once, as far as it can be while a snapshot is being written: writes go
  // on (they only add records above the snapshot's revision), but a
  // compaction, or a leader's snapshot, waits in the queue until the
  // snapshot is on disk, and so does all that follows it.
  struct ApplyWork {
    std::optional<raft::pb::Snapshot> snapshot;
    std::vector<raft::pb::Entry> entries;
    std::vector<raft::ReadState> reads;
    std::size_t next = 0;  // entries before it are applied
  };
  void apply_or_queue(ApplyWork work);
  void drain_applies();
  // Applies what it can of `work`; false when it must wait for the snapshot.
  bool apply(ApplyWork& work);
  // Whether `e` must wait while a snapshot is written: it would remove records.
  bool waits_for_snapshot(const raft::pb::Entry& e) const;
  void expire_requests();
  void fail_all(const ApiError& error);

  // --- reads (member_reads.cc) ---
  ApiResult<etcdserverpb::RangeResponse> serializable_range(
      const etcdserverpb::RangeRequest& r) const;
  void serve_reads(const std::vector<raft::ReadState>& states);
  void read_index(const std::string& context);

  // --- leases (member_leases.cc) ---
  void run_lease_clock();
  ApiResult<etcdserverpb::LeaseKeepAliveResponse> keep_alive_local(
      const etcdserverpb::LeaseKeepAliveRequest& r);
  ApiResult<etcdserverpb::LeaseTimeToLiveResponse> time_to_live_local(
      const etcdserverpb::LeaseTimeToLiveRequest& r);

  // --- watches (member_watch.cc) ---
  void flush_watches();

  // --- cluster (member_cluster.cc, member_membership.cc, member_join.cc) ---
  std::vector<MemberInfo> members() const;
  void check_transfer();
  std::uint64_t new_member_id(const std::vector<std::string>& peer_urls) const;
  void change(pb::ChangeRequest r, Reply<pb::ChangeResponse> reply);
  void change_local(pb::ChangeRequest r, Reply<pb::ChangeResponse> reply,
                    std::optional<Clock::time_point> give_up = std::nullopt);
  void retry_queued_changes();
  void check_changes();
  void apply_conf_change_entry(const raft::pb::Entry& e);
  void connect_peers();
  void maybe_publish();
  void check_removed();
  // A peer refused this member's messages: the cluster removed it.
  void told_removed(std::uint64_t by);
  void heard_from(std::uint64_t peer);
  std::optional<ApiError> may_add_member(bool is_learner) const;
  pb::MembersResponse membership_for_joining() const;
  // --- snapshots (member_snapshot.cc) ---
  // Starts writing a snapshot every snapshot_count applied entries, on a
  // thread of its own, so that raft goes on (ticks, messages, the log)
  // while it is written; applying waits. finish_snapshot() compacts the log
  // once it is on disk, on the driver.
  void maybe_snapshot();
  void finish_snapshot(raft::pb::Snapshot snapshot, std::expected<std::string, std::string> file,
                       Clock::time_point started);
  void join_snapshot_writer();
  // From a raft snapshot's data: a reference to its file, or the state inline.
  std::expected<void, std::string> restore_snapshot_data(const std::string& bytes);
  // A member started with --initial-cluster-state existing on an empty data
  // dir: learns its id and the cluster from a running member.
  std::expected<raft::Config, std::string> join(raft::Config config);
  std::expected<void, std::string> load_identity(raft::Config& config);

  MemberOptions options_;
  std::uint64_t id_;
  std::uint64_t cluster_id_;

  std::optional<DurableStorage> disk_;
  // Syncs the WAL off the driver; writing_ while a Ready's sync is in
  // flight, and what waits for it to end (a compaction touches the WAL too).
  std::unique_ptr<LogWriter> log_writer_;
  bool writing_ = false;
  raft::Index durable_index_ = 0;  // the last index of the log known synced
  std::vector<std::function<void()>> after_write_;
  std::ofstream trace_file_;
  std::unique_ptr<raft::JsonLinesSink> trace_;
  std::optional<raft::Node> node_;
  kv::StateMachine kv_;
  raft::Index snapshot_index_ = 0;  // of the newest snapshot on disk
  std::deque<ApplyWork> apply_queue_;
  // A snapshot being written: the thread, and whether it should give up
  // (the member stops). It reads the store's records a batch at a time
  // under store_mu_ shared, as serializable ranges do on gRPC threads; the
  // driver changes the store only under it exclusive (the only writer, it
  // reads without it).
  std::thread snapshot_writer_;
  bool snapshotting_ = false;
  std::atomic<bool> abandon_snapshot_{false};
  mutable std::shared_mutex store_mu_;

  MemberRegistry registry_;
  std::map<std::uint64_t, std::string> connected_;  // member -> host:port the transport sends to
  bool publishing_ = false;
  bool removed_ = false;
  // The registry's removed ids, for Peer.Send on gRPC threads.
  std::mutex removed_peers_mu_;
  std::set<std::uint64_t> removed_peers_;
  // When each peer was last heard from, and since when without a gap: etcd
  // adds a voter only when connected to every voter for 5 s.
  std::map<std::uint64_t, Clock::time_point> heard_, active_since_;

  std::unique_ptr<Peers> transport_;
  std::unique_ptr<PeerService> peer_service_;
  std::unique_ptr<grpc::Server> peer_server_;

  boost::asio::io_context io_;
  boost::asio::steady_timer ticker_{io_};
  std::thread driver_;
  std::atomic<std::thread::id> driver_id_{};
  Clock::time_point started_ = Clock::now();
  std::atomic<bool> stopping_{false};
  bool closed_ = false;  // the driver is gone: posted work fails instead
  // What every call is answered once stop_serving() ran; written once, on
  // the driver, before has_stopped_serving_ is set.
  std::optional<ApiError> stopped_serving_;
  std::atomic<bool> has_stopped_serving_{false};
  // Set at the end of stop(): run() fails at once instead of posting work
  // that nobody would run. Under a mutex, so that no post slips in between.
  std::mutex drained_mu_;
  bool drained_ = false;
  bool ready_scheduled_ = false;
  bool proposals_scheduled_ = false;
  bool was_leader_ = false;

  // Client writes taken here (kv/proposer.h), and who waits on each. Made
  // in open(): their ids start from this run's count (server/disk/run_counter.h).
  std::optional<kv::Proposer> proposer_;
  std::map<kv::Proposer::Id, Done> waiters_;
  // The leader and term writes were last sent under: a change sends again.
  std::pair<std::uint64_t, raft::Term> proposals_sent_under_{0, 0};
  // Linearizable reads waiting for their round's read index; the one transfer.
  ReadBatches reads_;
  struct Transfer {
    std::uint64_t target;
    Reply<void> reply;
    Clock::time_point deadline;
  };
  std::optional<Transfer> transfer_;
  // Membership changes proposed here as leader, by log index; those that
  // wait for the previous change; and answers a follower holds until it has
  // applied as far as the leader had.
  struct PendingChange {
    raft::Term term;
    bool conf;
    pb::MemberRecord added;
    Reply<pb::ChangeResponse> reply;
    Clock::time_point deadline;
    bool lost = false;  // another leader's entry took its index
  };
  std::map<raft::Index, PendingChange> changes_;
  struct QueuedChange {
    pb::ChangeRequest request;
    Reply<pb::ChangeResponse> reply;
    Clock::time_point deadline;
  };
  std::vector<QueuedChange> queued_changes_;
  struct CatchUp {
    raft::Index index;
    std::function<void()> done;
    Clock::time_point deadline;
  };
  std::vector<CatchUp> catch_ups_;

  struct Watch {
    kv::WatchStream* stream;
    WatchSink sink;
  };
  std::map<WatchStreamId, Watch> watches_;
  std::atomic<WatchStreamId> next_watch_{1};

  // Published by the driver for header() and the accessors, from any thread.
  std::atomic<std::uint64_t> leader_{0};
  std::atomic<std::uint64_t> term_{0};
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::int64_t> revision_{0};
  std::atomic<std::uint64_t> snapshots_installed_{0};
  std::atomic<bool> published_{false};
};

template <class T>
ApiResult<T> Member::wait_on_driver(std::function<void(Reply<T>)> start) {
  struct Slot {
    std::promise<ApiResult<T>> promise;
    std::atomic<bool> set{false};
    void put(ApiResult<T> r) {
      if (!set.exchange(true)) promise.set_value(std::move(r));
    }
  };
  auto slot = std::make_shared<Slot>();
  auto future = slot->promise.get_future();
  Reply<T> reply = [slot](ApiResult<T> r) { slot->put(std::move(r)); };
  run([start, reply] { start(reply); }, reply);
  // The driver answers within the request deadline; stop() answers everyone.
  const auto give_up = deadline() + std::chrono::seconds(1);
  while (future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (stopping_.load()) return std::unexpected(stopping());
    if (Clock::now() > give_up) return std::unexpected(timed_out("the driver did not answer"));
  }
  return future.get();
}

}  // namespace etcetera::server
