#include "server/member.h"

#include <iostream>

#include "server/disk/run_counter.h"
#include "server/in_process_peers.h"
#include "server/listen.h"

namespace etcetera::server {

namespace {

std::string describe(const raft::Error& e) {
  return e.message;
}

// A run's request ids: its count in the high bits, 2^40 numbers each.
constexpr int kRequestIdBitsPerRun = 40;
// A forwarded write whose call has not ended by then (it has a 2 s deadline,
// server/peer_transport.cc) is taken as lost and sent again.
constexpr kv::Proposer::Time kResendForwardAfterMs = 2500;

}  // namespace

Member::Member(MemberOptions options)
    : options_(std::move(options)),
      id_(member_id_of(options_.name)),
      cluster_id_(cluster_id_of(options_.initial_cluster)),
      registry_(MemberRegistry::seeded(options_.initial_cluster)),
      reads_(id_) {}

std::expected<std::unique_ptr<Member>, std::string> Member::open(MemberOptions options) {
  if (auto ok = validate(options); !ok) return std::unexpected(ok.error());
  std::unique_ptr<Member> m(new Member(std::move(options)));
  const MemberOptions& o = m->options_;

  // Nothing on disk changes until the member is known to start: a torn WAL
  // tail is cut, and this run counted, at the end of open().
  DurableOptions disk_options;
  disk_options.repair_at_open = false;
  disk_options.before_sync = o.before_wal_sync;
  auto disk = DurableStorage::open(o.data_dir, disk_options);
  if (!disk)
    return std::unexpected("cannot open data dir " + o.data_dir.string() + ": " +
                           disk.error().message);
  m->disk_.emplace(std::move(*disk));
  const raft::MemoryStorage& storage = m->disk_->storage();
  m->durable_index_ = storage.last_index();
  const bool fresh = storage.last_index() == 0 && storage.snapshot().metadata().index() == 0 &&
                     storage.hard_state().term() == 0;

  // The store and the registry come back from the newest snapshot; the
  // driver replays the committed log after it (raft hands those entries out
  // again; the state machine and the registry skip any they already have).
  const raft::pb::Snapshot& snap = storage.snapshot();
  if (snap.metadata().index() > 0) {
    if (auto ok = m->restore_snapshot_data(snap.data()); !ok)
      return std::unexpected("the snapshot at index " + std::to_string(snap.metadata().index()) +
                             " in " + m->disk_->snap_dir().string() +
                             " does not restore: " + ok.error());
    m->snapshot_index_ = snap.metadata().index();
  }

  if (!o.trace_file.empty()) {
    m->trace_file_.open(o.trace_file, std::ios::app);
    if (!m->trace_file_)
      return std::unexpected("cannot open --trace-file " + o.trace_file.string());
    m->trace_ = std::make_unique<raft::JsonLinesSink>(m->trace_file_);
  }

  raft::Config config;
  config.id = m->id_;
  for (const auto& [name, url] : o.initial_cluster)
    config.voters.push_back(member_id_of(name));
  config.election_tick = std::max(2, o.election_timeout_ms / o.heartbeat_interval_ms);
  config.heartbeat_tick = 1;
  config.applied = m->kv_.applied_index();
  config.seed = m->id_ ^ static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  config.trace = m->trace_.get();
  // A member that joined a running cluster: its id, cluster and starting
  // configuration are those it learnt then (member_join.cc).
  if (fresh && !o.initial_cluster_state_new) {
    auto joined = m->join(config);
    if (!joined) return std::unexpected(joined.error());
    config = *joined;
  } else if (auto ok = m->load_identity(config); !ok) {
    return std::unexpected(ok.error());
  }
  auto node = raft::Node::create(config, storage);
  if (!node) return std::unexpected("cannot start raft: " + describe(node.error()));
  m->node_.emplace(std::move(*node));

  if (auto ok = m->disk_->repair(); !ok)
    return std::unexpected("cannot repair data dir " + o.data_dir.string() + ": " +
                           ok.error().message);
  // Client requests are numbered from this run's count, above every number
  // an earlier run used (a request of its may still sit in a log).
  auto run = next_run(o.data_dir);
  if (!run) return std::unexpected("cannot count this run in " + o.data_dir.string() + ": " +
                                   run.error().message);
  m->proposer_.emplace(m->id_, (*run << kRequestIdBitsPerRun) + 1,
                       kv::Proposer::Options{kResendForwardAfterMs});
  m->publish_status();
  return m;
}

Member::~Member() {
  stop();
}

std::expected<void, std::string> Member::start() {
  if (options_.in_process) {
    transport_ = options_.in_process->join(id_, *this, disk_->snap_dir(),
                                           [this](std::uint64_t by) { told_removed(by); });
    connect_peers();
    start_driver();
    return {};
  }
  // Peers as the registry knows them: the initial cluster, or as changed since.
  transport_ = std::make_unique<PeerTransport>(std::map<std::uint64_t, std::string>{},
                                               disk_->snap_dir(),
                                               [this](std::uint64_t by) { told_removed(by); });
  connect_peers();

  peer_service_ = std::make_unique<PeerService>(static_cast<PeerHandler&>(*this));
  grpc::ServerBuilder builder;
  refuse_shared_port(builder);
  keep_handler_threads(builder);
  int bound = 0;
  builder.AddListeningPort(options_.listen_peer, grpc::InsecureServerCredentials(), &bound);
  builder.RegisterService(peer_service_.get());
  // Refused before it is read: a larger message is none a member sends.
  builder.SetMaxReceiveMessageSize(kMaxPeerMessageBytes);
  peer_server_ = builder.BuildAndStart();
  if (!peer_server_ || bound == 0) {
    transport_->stop();
    return std::unexpected("cannot listen for peers on " + options_.listen_peer +
                           " (in use, or not an address of this machine)");
  }
  start_driver();
  return {};
}

void Member::start_driver() {
  started_ = Clock::now();
  log_writer_ = std::make_unique<LogWriter>(*disk_);
  driver_ = std::thread([this] {
    driver_id_ = std::this_thread::get_id();
    // A lone member has nobody to wait for: it campaigns at once.
    if (options_.initial_cluster.size() == 1 && node_->role() != raft::pb::LEADER &&
        options_.initial_cluster_state_new)
      node_->campaign();
    schedule_tick();
    schedule_ready();
    // The loop runs until stop(), not until it runs out of work: a member
    // that stopped serving (removed, or its disk failed) has no ticker, and
    // must still answer the calls posted to it.
    auto keep_running = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

void Member::stop() {
  if (stopping_.exchange(true)) return;
  abandon_snapshot_ = true;
  // Peers first: nothing new comes in; blocked Forward calls see stopping_.
  if (peer_server_)
    peer_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  if (transport_) transport_->stop();
  if (driver_.joinable()) {
    boost::asio::post(io_, [this] {
      ticker_.cancel();
      fail_all(stopping());
      io_.stop();
    });
    driver_.join();
  }
  // A snapshot half written is given up; its temporary file goes with it.
  join_snapshot_writer();
  // A sync in flight ends; its answer, posted to the stopped driver, is dropped.
  if (log_writer_) log_writer_->stop();
  // Work posted after the driver left is answered here, as failures, and
  // from now on run() fails at once.
  closed_ = true;
  {
    std::lock_guard lock(drained_mu_);
    drained_ = true;
  }
  io_.restart();
  io_.poll();
  if (disk_) {
    if (auto ok = disk_->sync(); !ok)
      std::cerr << "etcetera: " << options_.name
                << ": final WAL sync failed: " << ok.error().message << "\n";
  }
  if (trace_file_.is_open()) trace_file_.flush();
}

void Member::run(std::function<void()> fn, std::function<void()> fail) {
  std::unique_lock lock(drained_mu_);
  if (drained_) {
    lock.unlock();
    return fail();
  }
  boost::asio::post(io_, [this, fn = std::move(fn), fail = std::move(fail)] {
    if (closed_)
      fail();
    else
      fn();
  });
}

kv::Millis Member::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
}

void Member::schedule_tick() {
  ticker_.expires_after(std::chrono::milliseconds(options_.heartbeat_interval_ms));
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: stopping
    on_tick();
    schedule_tick();
  });
}

void Member::on_tick() {
  node_->tick();
  run_lease_clock();
  expire_requests();
  send_proposals();
  retry_queued_changes();
  maybe_publish();
  schedule_ready();
}

void Member::receive(raft::pb::Message m) {
  run(
      [this, m = std::move(m)] {
        // A refused message is recorded in the trace by the node; the sender
        // hears nothing, as over a lossy network.
        heard_from(m.from());
        (void)node_->step(m);
        schedule_ready();
      },
      [] {});
}

// Posted behind whatever input is queued now, and once however often it is
// asked for meanwhile, so that one run of `work` covers all of that input.
void Member::once_after_input(bool& scheduled, void (Member::*work)()) {
  if (scheduled) return;
  scheduled = true;
  boost::asio::post(io_, [this, &scheduled, work] {
    scheduled = false;
    if (!closed_) (this->*work)();
  });
}

// One Ready, and one disk sync, for all the input queued now.
void Member::schedule_ready() {
  once_after_input(ready_scheduled_, &Member::drain_ready);
}

void Member::drain_ready() {
  // While the log writer syncs, raft holds the next Ready back; it gathers
  // everything that arrives meanwhile, and goes out when the sync is over.
  while (!writing_ && node_->has_ready())
    if (!handle_ready(node_->ready())) return;
  // Heartbeats and appends need no disk: they leave now, not after the sync.
  if (writing_)
    for (auto& m : node_->take_messages())
      transport_->send(std::move(m));
  // A new leader, or a new term: writes waiting for one go now.
  if (proposals_sent_under_ != std::make_pair(node_->leader(), node_->term())) send_proposals();
  maybe_snapshot();
  check_transfer();
  check_changes();
  check_removed();
  publish_status();
  flush_watches();
}

// The order is raft/ready.h's: messages that may leave before the disk,
// then persist and one sync (on the log writer), then the messages that
// promise what is on disk, then apply, reads, advance.
bool Member::handle_ready(raft::Ready rd) {
  for (auto& m : rd.messages)
    transport_->send(std::move(m));
  const bool to_disk = rd.snapshot || rd.hard_state || !rd.entries.empty();
  if (!to_disk) return finish_ready(std::move(rd));
  // Recorded here, in the WAL's buffer and the memory copy raft reads (it
  // keeps these entries unstable until advance); made durable by the log
  // writer while the driver goes on.
  if (auto ok = disk_->persist(rd.hard_state, rd.entries, rd.snapshot); !ok) {
    fail_stop("persisting a Ready failed: " + ok.error().message);
    return false;
  }
  // Entries that replace some on disk are not durable until this sync.
  if (!rd.entries.empty())
    durable_index_ = std::min(durable_index_, rd.entries.front().index() - 1);
  // What this member has on disk already need not wait for this sync to be
  // applied: the leader applies the entries its last sync made durable
  // while it syncs the next batch (a pipeline, as etcd's apply runs beside
  // its WAL writes). Nothing is applied, so no client is answered, before
  // this member's own copy of the entry is synced.
  if (!rd.snapshot && (rd.committed_entries.empty() ||
                       rd.committed_entries.back().index() <= durable_index_)) {
    apply_or_queue(ApplyWork{std::nullopt, std::exchange(rd.committed_entries, {}),
                             std::exchange(rd.read_states, {})});
  }
  writing_ = true;
  auto in_flight = std::make_shared<raft::Ready>(std::move(rd));
  log_writer_->sync([this, in_flight](DiskResult<void> synced, Clock::duration took) {
    run(
        [this, in_flight, synced = std::move(synced), took] {
          writing_ = false;
          if (!synced) return fail_stop("syncing the WAL failed: " + synced.error().message);
          if (in_flight->snapshot) durable_index_ = in_flight->snapshot->metadata().index();
          if (!in_flight->entries.empty()) durable_index_ = in_flight->entries.back().index();
          warn_if_slow_sync(in_flight->entries, took);
          if (in_flight->snapshot) {
            snapshot_index_ = in_flight->snapshot->metadata().index();
            ++snapshots_installed_;
            // As stored: a file received from the leader has taken its own name.
            in_flight->snapshot = disk_->storage().snapshot();
          }
          if (!finish_ready(std::move(*in_flight))) return;
          auto waiting = std::move(after_write_);
          after_write_.clear();
          for (auto& fn : waiting)
            fn();
          drain_ready();
        },
        [] {});
  });
  return true;
}

// The rest of a Ready, once what it persists is on disk: the messages that
// promise it, then apply, reads, advance.
bool Member::finish_ready(raft::Ready rd) {
  for (auto& m : rd.persisted_messages)
    transport_->send(std::move(m));
  apply_or_queue(ApplyWork{std::move(rd.snapshot), std::move(rd.committed_entries),
                           std::move(rd.read_states)});
  // A refused read asks again; it needs nothing applied.
  for (const auto& context : rd.refused_reads)
    if (reads_.is_out(context)) read_index(context);
  if (auto ok = node_->advance(rd.number); !ok) {
    fail_stop("raft refused advance: " + ok.error().message);
    return false;
  }
  return true;
}

// etcd's warning, at etcd's threshold: while a Ready is written and synced
// the driver neither ticks nor answers its peers, so a sync this slow is
// where the elections an operator sees under load come from.
void Member::warn_if_slow_sync(const std::vector<raft::pb::Entry>& entries,
                               Clock::duration took) const {
  constexpr auto kWarnSyncDuration = std::chrono::seconds(1);
  if (took < kWarnSyncDuration) return;
  std::size_t bytes = 0;
  for (const auto& e : entries) bytes += e.data().size();
  std::cerr << "etcetera: " << options_.name << ": writing and syncing " << entries.size()
            << " entries (" << bytes / 1024 << " KiB) to the WAL took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms, expected less than 1 s: a disk this slow delays commits and votes\n";
}

// A member whose disk fails cannot promise anything any more: it stops
// taking part rather than risk forgetting what it acknowledged.
void Member::fail_stop(const std::string& why) {
  stop_serving(why, ApiError{ApiError::Code::kInternal, why});
}

// No more ticks, and every call waiting or to come is answered `answer`.
void Member::stop_serving(const std::string& why, const ApiError& answer) {
  std::cerr << "etcetera: " << options_.name << ": " << why << "; this member stops serving\n";
  ticker_.cancel();
  fail_all(answer);
  stopped_serving_ = answer;
  has_stopped_serving_.store(true, std::memory_order_release);
  closed_ = true;
}

void Member::publish_status() {
  // The operator's one line about raft: who leads, from when.
  if (const std::uint64_t leader = node_->leader(); leader != leader_.load()) {
    std::string name = "none";
    if (const MemberInfo* m = registry_.find(leader); m != nullptr && !m->name.empty())
      name = m->name;
    std::cerr << "etcetera: " << options_.name << ": leader is " << name << " at term "
              << node_->term() << "\n";
  }
  leader_.store(node_->leader());
  term_.store(node_->term());
  applied_.store(kv_.applied_index());
  revision_.store(kv_.store().revision());
}

void Member::fail_all(const ApiError& error) {
  // A write that may be in a log may still apply: its client can only be
  // told that nobody knows (docs/server.md, "At most once").
  if (proposer_) {
    for (const auto& given_up : proposer_->give_up_all())
      answer_proposal(given_up.id,
                      std::unexpected(given_up.maybe_applied
                                          ? timed_out("this member stopped before it applied: " +
                                                      error.message)
                                          : error));
  }
  for (auto& read : reads_.take_all())
    read.reply(std::unexpected(error));
  if (transfer_) {
    auto t = std::move(*transfer_);
    transfer_.reset();
    t.reply(std::unexpected(error));
  }
  auto changes = std::move(changes_);
  changes_.clear();
  for (auto& [index, c] : changes)
    c.reply(std::unexpected(error));
  auto queued = std::move(queued_changes_);
  queued_changes_.clear();
  for (auto& q : queued)
    q.reply(std::unexpected(error));
  // The leader has answered these already: they only waited for this
  // member to catch up.
  auto catch_ups = std::move(catch_ups_);
  catch_ups_.clear();
  for (auto& c : catch_ups)
    c.done();
}

void Member::expire_requests() {
  const auto now = Clock::now();
  for (const auto& given_up : proposer_->expire(static_cast<kv::Proposer::Time>(now_ms())))
    answer_proposal(given_up.id,
                    std::unexpected(given_up.maybe_applied
                                        ? timed_out("the proposal was not applied in time")
                                        : no_leader()));
  for (auto& read : reads_.expire(now))
    read.reply(std::unexpected(timed_out("the read index was not confirmed in time")));
  // A round unanswered for an election timeout lost a message on the way:
  // it is asked again. One emptied by expiry lets the next go.
  const auto since = now - std::chrono::milliseconds(options_.election_timeout_ms);
  if (auto round = reads_.renew_if_older(since, now)) read_index(*round);
  if (auto round = reads_.next_round(now)) read_index(*round);
  if (transfer_ && transfer_->deadline <= now) {
    auto t = std::move(*transfer_);
    transfer_.reset();
    t.reply(
        std::unexpected(ApiError{ApiError::Code::kUnavailable,
                                 "etcdserver: request timed out, leader transfer took too long"}));
  }
}

}  // namespace etcetera::server
