#include "sim/kv_workload.h"

#include <charconv>

#include "kv/state_machine.h"

namespace etcetera::sim {

using Function = HistoryEvent::Function;
using Type = HistoryEvent::Type;

KvWorkload::KvWorkload(Cluster& cluster, const KvWorkloadOptions& options)
    : cluster_(cluster), options_(options), rng_(options.seed * 0x2545f4914f6cdd1dULL + 3) {
  for (int i = 0; i < options_.clients; ++i) {
    Client c;
    c.process = next_process_++;
    c.target = static_cast<NodeId>(1 + i % static_cast<int>(cluster_.ids().size()));
    clients_.push_back(std::move(c));
  }
  if (options_.forward)
    forwarding_.emplace(cluster_, options_.seed,
                        kv::Proposer::Options{options_.resend_after, options_.mutant});
  cluster_.set_kv_listener(this);
}

KvWorkload::~KvWorkload() {
  cluster_.set_kv_listener(nullptr);
}

bool KvWorkload::idle() const {
  for (const auto& c : clients_) {
    if (c.op) return false;
  }
  return true;
}

void KvWorkload::step(bool start_new) {
  if (forwarding_) {
    for (const auto& s : forwarding_->step())
      if (Client* c = forwarded_at(s.node, s.id)) answer(*c, s.result);
    stats_.forwarding = forwarding_->stats();
  }
  for (auto& c : clients_) {
    if (c.op && cluster_.now() >= c.op->deadline) {
      // No answer in time. A read changed nothing; a write may yet happen.
      // The client tries another node next, as etcd's clients rotate
      // through their endpoints when one stops answering.
      const bool read = c.op->f == Function::kGet;
      Type type = read ? Type::kFail : Type::kInfo;
      if (!read && forwarding_) {
        // The node that took it knows whether a copy can be in a log.
        auto maybe = c.op->node == 0 ? std::optional<bool>(false)
                                     : forwarding_->give_up(c.op->node, c.op->request);
        // A cas written down as `fail` says its compare saw another value
        // (linearizability.md); one that never ran says nothing, and the
        // history has no word for that but `info`.
        if (maybe && !*maybe && c.op->f != Function::kCas) type = Type::kFail;
      }
      c.target = next_node(c.op->node != 0 ? c.op->node : c.target);
      complete(c, type, std::nullopt, 0);
      continue;
    }
    if (c.op && c.op->node == 0) submit(c);
    if (!c.op && start_new && static_cast<int>(rng_.in_range(0, 100)) < options_.start_percent) {
      start(c);
    }
  }
}

void KvWorkload::finish() {
  for (auto& c : clients_) {
    if (!c.op) continue;
    complete(c, c.op->f == Function::kGet ? Type::kFail : Type::kInfo, std::nullopt, 0);
  }
}

void KvWorkload::start(Client& c) {
  Operation op;
  op.id = next_id_++;
  op.key = "k" + std::to_string(1 + rng_.in_range(0, static_cast<std::uint64_t>(options_.keys)));
  op.deadline = cluster_.now() + options_.timeout;
  const int pick = static_cast<int>(rng_.in_range(0, 100));
  auto fresh_value = [&] { return "v" + std::to_string(next_value_++); };
  if (pick < options_.get_percent) {
    op.f = Function::kGet;
    op.serializable = static_cast<int>(rng_.in_range(0, 100)) < options_.serializable_percent;
  } else if (pick < options_.get_percent + options_.cas_percent) {
    op.f = Function::kCas;
    // Swap from what this client last saw of the key: often current, sometimes stale.
    auto seen = c.last_seen.find(op.key);
    op.expected = seen != c.last_seen.end() && seen->second ? *seen->second : std::string("v0");
    op.value = fresh_value();
  } else if (pick < options_.get_percent + options_.cas_percent + options_.delete_percent) {
    op.f = Function::kDelete;
  } else {
    op.f = Function::kPut;
    op.value = fresh_value();
  }
  c.op = std::move(op);
  // Each operation starts at the client's next endpoint, round robin, as
  // etcd's client balances its requests; a write then follows leader hints.
  c.target = next_node(c.target);
  ++stats_.invoked;
  record(c, Type::kInvoke, c.op->f == Function::kGet ? std::nullopt : c.op->value, 0);
  submit(c);
}

NodeId KvWorkload::next_node(NodeId after) const {
  const auto ids = cluster_.ids();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == after) return ids[(i + 1) % ids.size()];
  }
  return ids.front();
}

namespace {

kv::pb::Request request_for(std::uint64_t id, Function f, const std::string& key,
                            const std::optional<std::string>& value,
                            const std::optional<std::string>& expected) {
  kv::pb::Request r;
  r.set_id(id);
  switch (f) {
    case Function::kPut:
      r.mutable_put()->set_key(key);
      r.mutable_put()->set_value(*value);
      break;
    case Function::kDelete:
      r.mutable_delete_range()->set_key(key);
      break;
    case Function::kCas: {
      // If the key holds `expected`, write the new value: one transaction.
      auto* txn = r.mutable_txn();
      auto* cmp = txn->add_compare();
      cmp->set_key(key);
      cmp->set_target(etcdserverpb::Compare::VALUE);
      cmp->set_result(etcdserverpb::Compare::EQUAL);
      cmp->set_value(*expected);
      auto* put = txn->add_success()->mutable_request_put();
      put->set_key(key);
      put->set_value(*value);
      break;
    }
    case Function::kGet:
      break;
  }
  return r;
}

}  // namespace

void KvWorkload::submit(Client& c) {
  Operation& op = *c.op;
  if (forwarding_ && op.f != Function::kGet) return submit_forwarded(c);
  if (op.serializable) {
    // Served by whichever node the client talks to, as it stands.
    NodeId n = c.target;
    for (std::size_t i = 0; i < cluster_.ids().size() && !cluster_.is_up(n); ++i)
      n = next_node(n);
    if (cluster_.is_up(n)) serve_get(c, n);
    return;
  }
  NodeId n = c.target;
  for (std::size_t attempt = 0; attempt < 2 * cluster_.ids().size(); ++attempt) {
    if (!cluster_.is_up(n)) {
      n = next_node(n);
      continue;
    }
    raft::Node& node = cluster_.node(n);
    raft::Result<void> sent;
    if (op.f == Function::kGet) {
      sent = node.read_index(std::to_string(op.id));
    } else {
      auto index =
          node.propose(kv::encode(request_for(op.id, op.f, op.key, op.value, op.expected)));
      if (!index) sent = std::unexpected(index.error());
    }
    if (sent) {
      op.node = n;
      c.target = n;
      return;
    }
    const auto& error = sent.error();
    if (error.code == raft::Error::Code::kNotLeader && error.leader_hint != 0 &&
        error.leader_hint != n) {
      ++stats_.redirects;
      n = static_cast<NodeId>(error.leader_hint);
    } else {
      n = next_node(n);
    }
  }
  c.target = n;  // nobody took it: try again next tick
}

// The client's node takes the write whatever its role; a client whose
// node is down tries the next, and with every node down, the next tick.
void KvWorkload::submit_forwarded(Client& c) {
  NodeId n = c.target;
  for (std::size_t i = 0; i < cluster_.ids().size() && !cluster_.is_up(n); ++i)
    n = next_node(n);
  if (!cluster_.is_up(n)) return;
  Operation& op = *c.op;
  op.node = n;
  c.target = n;
  op.request =
      forwarding_->submit(n, request_for(0, op.f, op.key, op.value, op.expected), op.deadline);
}

void KvWorkload::record(const Client& c, Type type, std::optional<std::string> value,
                        std::int64_t revision) {
  const Operation& op = *c.op;
  HistoryEvent e;
  e.process = c.process;
  e.type = type;
  e.f = op.f;
  e.key = op.key;
  e.value = std::move(value);
  if (op.f == Function::kCas) e.expected = op.expected;
  e.time = cluster_.now();
  e.revision = revision;
  e.serializable = op.serializable;
  history_.add(std::move(e));
}

void KvWorkload::complete(Client& c, Type type, std::optional<std::string> value,
                          std::int64_t revision) {
  const Operation& op = *c.op;
  // What a return says about the value: a put or cas wrote it, a get read it.
  auto returned = op.f == Function::kGet ? value : op.value;
  record(c, type, returned, revision);
  if (type == Type::kOk) {
    ++stats_.ok;
    if (op.f == Function::kGet) c.last_seen[op.key] = value;
    if (op.f == Function::kPut || op.f == Function::kCas) c.last_seen[op.key] = op.value;
    if (op.f == Function::kDelete) c.last_seen[op.key] = std::nullopt;
  } else if (type == Type::kFail) {
    ++stats_.failed;
  } else {
    ++stats_.unknown;
  }
  c.op.reset();
  if (type == Type::kInfo) c.process = next_process_++;
}

namespace {

// A read's context is its operation's id in decimal; anything else is not ours.
std::uint64_t id_of(const std::string& context) {
  std::uint64_t id = 0;
  auto [end, error] = std::from_chars(context.data(), context.data() + context.size(), id);
  return error == std::errc{} && end == context.data() + context.size() ? id : 0;
}

}  // namespace

KvWorkload::Client* KvWorkload::waiting_at(NodeId node, std::uint64_t id) {
  if (id == 0) return nullptr;
  for (auto& c : clients_) {
    if (c.op && c.op->id == id && c.op->node == node) return &c;
  }
  return nullptr;
}

KvWorkload::Client* KvWorkload::forwarded_at(NodeId node, Forwarding::Id request) {
  for (auto& c : clients_) {
    if (c.op && c.op->f != Function::kGet && c.op->node == node && c.op->request == request)
      return &c;
  }
  return nullptr;
}

void KvWorkload::applied(NodeId node, const kv::pb::Response& response) {
  if (forwarding_) {
    count_application(node, response);
    if (auto request = forwarding_->settle(node, response))
      if (Client* c = forwarded_at(node, *request)) answer(*c, response);
    return;
  }
  if (Client* c = waiting_at(node, response.id())) answer(*c, response);
}

void KvWorkload::count_application(NodeId node, const kv::pb::Response& response) {
  if (response.proposer() == 0 || response.duplicate() || applied_twice_) return;
  if (!applied_[node].emplace(response.proposer(), response.id()).second)
    applied_twice_ = "node " + std::to_string(node) + " applied request " +
                     std::to_string(response.id()) + " of node " +
                     std::to_string(response.proposer()) + " twice";
}

void KvWorkload::answer(Client& c, const kv::pb::Response& response) {
  if (response.has_error()) {
    complete(c, Type::kFail, std::nullopt, 0);  // applied and refused: certainly no effect
  } else if (response.has_txn()) {
    complete(c, response.txn().succeeded() ? Type::kOk : Type::kFail, std::nullopt,
             response.txn().header().revision());
  } else if (response.has_put()) {
    complete(c, Type::kOk, std::nullopt, response.put().header().revision());
  } else if (response.has_delete_range()) {
    complete(c, Type::kOk, std::nullopt, response.delete_range().header().revision());
  }
}

void KvWorkload::read_ready(NodeId node, const raft::ReadState& read) {
  if (Client* c = waiting_at(node, id_of(read.context))) serve_get(*c, node);
}

void KvWorkload::serve_get(Client& c, NodeId node) {
  etcdserverpb::RangeRequest get;
  get.set_key(c.op->key);
  auto answer = cluster_.kv(node).store().range(get);
  if (!answer) {
    complete(c, Type::kFail, std::nullopt, 0);
    return;
  }
  std::optional<std::string> value;
  if (answer->kvs_size() > 0) value = answer->kvs(0).value();
  complete(c, Type::kOk, value, answer->header().revision());
}

void KvWorkload::read_refused(NodeId node, const std::string& context) {
  if (Client* c = waiting_at(node, id_of(context))) c->op->node = 0;  // ask again
}

}  // namespace etcetera::sim
