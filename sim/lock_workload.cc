#include "sim/lock_workload.h"

#include <utility>

#include "kv/store.h"
#include "lock/guarded_write.h"
#include "lock/requests.h"

namespace etcetera::sim {

namespace {
constexpr std::int64_t kTicksPerSecond = 10;  // the cluster's 100 ms tick
}

LockWorkload::LockWorkload(Cluster& cluster, const LockWorkloadOptions& options)
    : cluster_(cluster), options_(options), rng_(options.seed * 0x9e3779b97f4a7c15ULL + 5) {
  clients_.resize(static_cast<std::size_t>(options_.clients));
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    Client& c = clients_[i];
    c.id = static_cast<int>(i + 1);
    c.port =
        std::make_unique<SimKvPort>(cluster_, static_cast<std::uint32_t>(c.id), options_.timeout);
    const std::uint64_t d = options_.drift;
    c.rate = static_cast<std::uint32_t>(1000 - d + rng_.in_range(0, 2 * d + 1));
  }
  cluster_.set_kv_listener(this);
}

LockWorkload::~LockWorkload() {
  cluster_.set_kv_listener(nullptr);
}

void LockWorkload::applied(NodeId node, const kv::pb::Response& response) {
  for (auto& c : clients_)
    c.port->applied(node, response);
}

bool LockWorkload::idle() const {
  for (const auto& c : clients_) {
    if (cluster_.now() < c.paused_until) return false;
    if (c.phase != Phase::kNoSession && c.phase != Phase::kIdle) return false;
  }
  return true;
}

void LockWorkload::step(bool start_new) {
  // What the store did in the cluster's tick first, then what the clients
  // make of it: a trace tells a key's arrival before its owner's acquire.
  const kv::Store& ahead = most_advanced_store();
  notice_lease_ends(ahead);
  if (cluster_.tracing()) report_queue(ahead);
  for (auto& c : clients_) {
    const bool awake = cluster_.now() >= c.paused_until;
    if (awake && start_new && options_.pause_per_mille > 0 &&
        rng_.in_range(0, 1000) < static_cast<std::uint64_t>(options_.pause_per_mille)) {
      start_pause(c, rng_.in_range(options_.pause_min, options_.pause_max + 1));
      continue;
    }
    if (!awake) continue;
    if (c.asleep) {
      c.asleep = false;
      raft::pb::Event e;
      e.set_action("Resume");
      e.mutable_client_resumed()->set_client(static_cast<std::uint64_t>(c.id));
      report(std::move(e));
    }
    step_client(c, start_new);
  }
  retired_mutexes_.clear();
  retired_sessions_.clear();
}

void LockWorkload::pause(int client, Time length) {
  start_pause(clients_.at(static_cast<std::size_t>(client - 1)), length);
}

bool LockWorkload::believes(int client) const {
  return clients_.at(static_cast<std::size_t>(client - 1)).belief.has_value();
}

// A stop-the-world pause: the process's time stands still, the world's does not.
void LockWorkload::start_pause(Client& c, Time length) {
  c.paused_until = cluster_.now() + length;
  c.asleep = true;
  pauses_.push_back(Pause{c.id, cluster_.now(), c.paused_until});
  raft::pb::Event e;
  e.set_action("Pause");
  e.mutable_client_paused()->set_client(static_cast<std::uint64_t>(c.id));
  e.mutable_client_paused()->set_until(c.paused_until);
  report(std::move(e));
}

const kv::Store& LockWorkload::most_advanced_store() const {
  std::optional<NodeId> ahead;
  for (NodeId id : cluster_.ids()) {
    if (!ahead || cluster_.kv(id).applied_index() > cluster_.kv(*ahead).applied_index()) ahead = id;
  }
  return cluster_.kv(*ahead).store();
}

void LockWorkload::notice_lease_ends(const kv::Store& ahead) {
  for (auto it = live_leases_.begin(); it != live_leases_.end();) {
    if (ahead.lessor().contains(it->first)) {
      ++it;
      continue;
    }
    lease_ends_.push_back(LeaseEnd{it->second, it->first, cluster_.now()});
    raft::pb::Event e;
    e.set_action("LeaseEnd");
    e.mutable_lease_ended()->set_client(static_cast<std::uint64_t>(it->second));
    e.mutable_lease_ended()->set_lease(it->first);
    report(std::move(e));
    it = live_leases_.erase(it);
  }
}

void LockWorkload::report_queue(const kv::Store& ahead) {
  const std::string prefix = lock::queue_prefix(options_.lock_name);
  std::map<std::string, QueuedKey> now;
  etcdserverpb::RangeRequest range;
  range.set_key(prefix);
  range.set_range_end(kv::prefix_end(prefix));
  if (auto read = ahead.range(range)) {
    for (const auto& kv : read->kvs())
      now[kv.key()] = QueuedKey{kv.create_revision(), kv.lease()};
  }
  auto owner = [&](kv::LeaseId lease) {
    auto it = lease_owner_.find(lease);
    return it == lease_owner_.end() ? 0 : static_cast<std::uint64_t>(it->second);
  };
  for (const auto& [key, was] : queue_) {
    if (now.contains(key)) continue;
    raft::pb::Event e;
    e.set_action("Dequeue");
    auto* d = e.mutable_lock_dequeued();
    d->set_lock(options_.lock_name);
    d->set_client(owner(was.lease));
    d->set_key(key);
    d->set_revision(was.revision);
    d->set_cause(ahead.lessor().contains(was.lease) ? "deleted by its owner's unlock"
                                                    : "its lease expired");
    report(std::move(e));
  }
  for (const auto& [key, is] : now) {
    if (queue_.contains(key)) continue;
    raft::pb::Event e;
    e.set_action("Enqueue");
    auto* q = e.mutable_lock_enqueued();
    q->set_lock(options_.lock_name);
    q->set_client(owner(is.lease));
    q->set_key(key);
    q->set_revision(is.revision);
    q->set_lease(is.lease);
    report(std::move(e));
  }
  queue_ = std::move(now);
}

void LockWorkload::step_client(Client& c, bool start_new) {
  c.port->step();
  if (c.mutex && !c.enqueue_seen && c.mutex->fencing_token() != 0) {
    c.enqueue_seen = true;
    enqueued_.push_back(c.mutex->fencing_token());
  }
  c.carry += c.rate;
  while (c.carry >= 1000) {
    c.carry -= 1000;
    own_tick(c, start_new);
  }
}

void LockWorkload::own_tick(Client& c, bool start_new) {
  if (c.session) c.session->tick();
  if (c.mutex) c.mutex->tick();
  switch (c.phase) {
    case Phase::kNoSession:
      if (start_new) open_session(c);
      break;
    case Phase::kIdle:
      if (start_new && rng_.in_range(0, 100) < static_cast<std::uint64_t>(options_.start_percent))
        start_lock(c);
      break;
    case Phase::kHolding:
      hold(c);
      break;
    case Phase::kOpening:
    case Phase::kLocking:
    case Phase::kUnlocking:
      break;
  }
}

void LockWorkload::open_session(Client& c) {
  c.session =
      std::make_unique<lock::Session>(*c.port, lock::SessionOptions{options_.ttl, kTicksPerSecond});
  lock::Session* s = c.session.get();
  s->on_lost([this, &c, s](const lock::Error&) {
    if (c.session.get() == s) on_lost(c);
  });
  c.phase = Phase::kOpening;
  auto opened = s->open([this, &c, s](lock::Result<kv::LeaseId> lease) {
    if (c.session.get() != s) return;
    if (lease) {
      c.phase = Phase::kIdle;
      live_leases_[*lease] = c.id;
      lease_owner_[*lease] = c.id;
    } else {
      retire(c, /*session_too=*/true);
    }
  });
  if (!opened) retire(c, /*session_too=*/true);
}

void LockWorkload::start_lock(Client& c) {
  c.mutex = std::make_unique<lock::Mutex>(*c.port, options_.lock_name, c.session->lease(),
                                          options_.mutant);
  lock::Mutex* m = c.mutex.get();
  c.enqueue_seen = false;
  c.phase = Phase::kLocking;
  ++stats_.locks;
  auto started = m->lock([this, &c, m](lock::Result<lock::Mutex::Locked> locked) {
    if (c.mutex.get() == m) on_locked(c, std::move(locked));
  });
  if (!started) retire(c, /*session_too=*/false);
}

void LockWorkload::on_locked(Client& c, lock::Result<lock::Mutex::Locked> locked) {
  if (!locked) {
    const auto code = locked.error().code;
    retire(c,
           code == lock::Error::Code::kSessionExpired || code == lock::Error::Code::kLeaseNotFound);
    return;
  }
  ++stats_.acquires;
  const kv::Revision read_at = locked->header.revision();
  acquires_.push_back(Acquire{c.id, locked->fencing_token, cluster_.now(), read_at,
                              own_key_present(locked->key, locked->fencing_token, read_at)});
  c.belief = beliefs_.size();
  beliefs_.push_back(Belief{c.id, locked->fencing_token, cluster_.now(), std::nullopt, ""});
  raft::pb::Event e;
  e.set_action("Acquire");
  e.mutable_lock_acquired()->set_lock(options_.lock_name);
  e.mutable_lock_acquired()->set_client(static_cast<std::uint64_t>(c.id));
  e.mutable_lock_acquired()->set_token(locked->fencing_token);
  report(std::move(e));
  c.phase = Phase::kHolding;
  c.held_for = 0;
}

void LockWorkload::hold(Client& c) {
  ++c.held_for;
  if ((c.held_for - 1) % options_.write_every == 0 && !write(c)) return;
  if (c.held_for < options_.hold) return;
  end_belief(c, "unlock");
  c.phase = Phase::kUnlocking;
  ++stats_.unlocks;
  lock::Mutex* m = c.mutex.get();
  auto started = m->unlock([this, &c, m](lock::Result<etcdserverpb::ResponseHeader> done) {
    if (c.mutex.get() != m) return;
    retire(c, !done && done.error().code == lock::Error::Code::kSessionExpired);
  });
  if (!started) retire(c, /*session_too=*/false);
}

bool LockWorkload::write(Client& c) {
  // The store's copy goes first: a holder that has lost the lock sends it
  // before the resource's refusal tells it so, and the store must refuse
  // it on its own.
  if (options_.store_writes) write_to_store(c);
  const kv::Revision token = c.mutex->fencing_token();
  const kv::Revision highest = resource_.highest_token();
  const bool accepted = resource_.write(c.id, token, cluster_.now());
  raft::pb::Event e;
  e.set_action("ResourceWrite");
  auto* w = e.mutable_resource_written();
  w->set_client(static_cast<std::uint64_t>(c.id));
  w->set_token(token);
  w->set_accepted(accepted);
  w->set_highest(highest);
  report(std::move(e));
  if (!accepted) {
    // Someone with a later token has written: our turn ended while we
    // were not looking, so our lease, and with it our session, is gone.
    ++stats_.refused_writes;
    end_belief(c, "write refused");
    retire(c, /*session_too=*/true);
    return false;
  }
  return true;
}

void LockWorkload::write_to_store(Client& c) {
  const kv::Revision token = c.mutex->fencing_token();
  etcdserverpb::PutRequest put;
  put.set_key(options_.lock_name + "-data");
  put.set_value("client " + std::to_string(c.id) + ", token " + std::to_string(token));
  lock::Mutex* m = c.mutex.get();
  lock::submit_guarded_put(
      *c.port, c.mutex->key(), token, std::move(put),
      [this, &c, m, token](lock::Result<etcdserverpb::PutResponse> done) {
        if (done) {
          ++stats_.store_writes;
          store_writes_.push_back(StoreWrite{c.id, token, done->header().revision()});
          return;
        }
        if (done.error().code != lock::Error::Code::kNotHolder) return;  // outcome unknown
        // The store's compare failed: our key is gone, and the lock with it.
        ++stats_.store_refused;
        if (c.mutex.get() == m && c.phase == Phase::kHolding) {
          end_belief(c, "guarded write refused");
          retire(c, /*session_too=*/true);
        }
      });
}

void LockWorkload::on_lost(Client& c) {
  ++stats_.lost;
  end_belief(c, "lease lost");
  retire(c, /*session_too=*/true);
}

void LockWorkload::end_belief(Client& c, const std::string& why) {
  if (!c.belief) return;
  Belief& b = beliefs_[*c.belief];
  b.to = cluster_.now();
  b.ended = why;
  c.belief.reset();
  raft::pb::Event e;
  e.set_action("Release");
  e.mutable_lock_released()->set_lock(options_.lock_name);
  e.mutable_lock_released()->set_client(static_cast<std::uint64_t>(c.id));
  e.mutable_lock_released()->set_token(b.token);
  e.mutable_lock_released()->set_reason(why);
  report(std::move(e));
}

void LockWorkload::retire(Client& c, bool session_too) {
  if (c.mutex) retired_mutexes_.push_back(std::move(c.mutex));
  if (session_too && c.session) retired_sessions_.push_back(std::move(c.session));
  c.phase = c.session ? Phase::kIdle : Phase::kNoSession;
}

void LockWorkload::finish() {
  for (auto& c : clients_)
    end_belief(c, "end of run");
}

std::optional<bool> LockWorkload::own_key_present(const std::string& key, kv::Revision token,
                                                  kv::Revision at) const {
  etcdserverpb::RangeRequest range;
  range.set_key(key);
  range.set_revision(at);
  for (NodeId id : cluster_.ids()) {
    const kv::Store& store = cluster_.kv(id).store();
    if (store.revision() < at) continue;
    auto read = store.range(range);
    if (!read) continue;  // compacted here; another replica may still have it
    return !read->kvs().empty() && read->kvs(0).create_revision() == token;
  }
  return std::nullopt;
}

LockWorkloadStats LockWorkload::stats() const {
  LockWorkloadStats s = stats_;
  s.pauses = pauses_.size();
  for (const auto& c : clients_)
    s.unknown_outcomes += c.port->unknown_outcomes();
  return s;
}

}  // namespace etcetera::sim
