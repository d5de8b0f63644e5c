#include "sim/forwarding.h"

#include <algorithm>

#include "kv/state_machine.h"

namespace etcetera::sim {

namespace {

// Ids of one start of a node lie above those of all its earlier starts.
constexpr int kIdBitsPerStart = 40;

}  // namespace

Forwarding::Forwarding(Cluster& cluster, std::uint64_t seed, kv::Proposer::Options options)
    : cluster_(cluster), rng_(seed * 0x9e3779b97f4a7c15ULL + 7), options_(options) {}

Forwarding::Node* Forwarding::proposer_at(NodeId id) {
  if (!cluster_.is_up(id)) {
    nodes_.erase(id);  // a crash loses the process, and what it waited for
    return nullptr;
  }
  const int starts = cluster_.starts(id);
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.starts != starts) {
    nodes_.erase(id);
    const Id first = (static_cast<Id>(starts) << kIdBitsPerStart) + 1;
    it = nodes_.emplace(id, Node{starts, kv::Proposer(id, first, options_)}).first;
  }
  return &it->second;
}

Forwarding::Id Forwarding::submit(NodeId at, kv::pb::Request r, Time deadline) {
  Node* n = proposer_at(at);
  const Id id = n->proposer.add(std::move(r), deadline);
  send_due(at, *n);
  return id;
}

std::vector<Forwarding::Settled> Forwarding::step() {
  const Time now = cluster_.now();
  std::vector<Envelope> due;
  std::vector<Envelope> rest;
  for (auto& e : wire_)
    (e.due <= now ? due : rest).push_back(std::move(e));
  wire_ = std::move(rest);
  for (const auto& e : due)
    deliver(e);
  std::vector<Settled> settled;
  for (NodeId id : cluster_.ids()) {
    Node* n = proposer_at(id);
    if (n == nullptr) continue;
    for (auto& [request, result] : n->proposer.settle_from(cluster_.kv(id).applied_requests()))
      settled.push_back(Settled{id, request, std::move(result)});
    send_due(id, *n);
  }
  return settled;
}

void Forwarding::send_due(NodeId id, Node& n) {
  raft::Node& node = cluster_.node(id);
  const bool leads = node.role() == raft::pb::LEADER;
  const NodeId leader = node.leader();
  if (!leads && (leader == raft::kNoNode || leader == id)) return;  // nobody to send to yet
  const std::uint64_t resends = n.proposer.resends();
  const auto requests = n.proposer.take_due(node.term(), cluster_.now());
  stats_.resent += n.proposer.resends() - resends;
  for (const auto& r : requests) {
    if (leads) {
      propose_at_leader(id, r, id);
    } else {
      ++stats_.forwarded;
      put_on_wire(Envelope{Envelope::Kind::kRequest, id, leader, 0, r, 0, 0});
    }
  }
}

void Forwarding::propose_at_leader(NodeId at, const kv::pb::Request& r, NodeId answer_to) {
  raft::Node& node = cluster_.node(at);
  Envelope answer{Envelope::Kind::kRefused, at, answer_to, 0, {}, r.id(), 0};
  if (node.role() == raft::pb::LEADER && node.propose(kv::encode(r))) {
    ++stats_.proposed;
    answer.kind = Envelope::Kind::kAccepted;
    answer.term = node.term();
  } else {
    ++stats_.refused;
  }
  if (answer_to != at) return put_on_wire(std::move(answer));
  deliver(answer);  // the leader's own request: no wire in between
}

void Forwarding::put_on_wire(Envelope e) {
  const LinkFate fate = draw_fate(rng_, cluster_.network().link(e.from, e.to));
  if (fate.lost) {
    ++stats_.lost;
    return;
  }
  e.due = cluster_.now() + fate.delay;
  if (fate.twice) {
    Envelope copy = e;
    copy.due = cluster_.now() + fate.second_delay;
    wire_.push_back(std::move(copy));
  }
  wire_.push_back(std::move(e));
}

void Forwarding::deliver(const Envelope& e) {
  // Lost when its destination is down or cut off, as raft's messages are.
  if (!cluster_.is_up(e.to) || !cluster_.network().connected(e.from, e.to)) {
    ++stats_.lost;
    return;
  }
  if (e.kind == Envelope::Kind::kRequest) return propose_at_leader(e.to, e.request, e.from);
  Node* n = proposer_at(e.to);
  if (n == nullptr) return;
  if (e.kind == Envelope::Kind::kAccepted)
    n->proposer.accepted(e.id, e.term);
  else
    n->proposer.refused(e.id);
}

std::optional<Forwarding::Id> Forwarding::settle(NodeId node, const kv::pb::Response& result) {
  if (result.duplicate()) ++stats_.duplicates;
  if (result.duplicate() && result.has_error()) ++stats_.late;
  Node* n = proposer_at(node);
  if (n == nullptr) return std::nullopt;
  return n->proposer.settle(result);
}

std::optional<bool> Forwarding::give_up(NodeId node, Id id) {
  Node* n = proposer_at(node);
  if (n == nullptr) return std::nullopt;
  auto given_up = n->proposer.give_up(id);
  if (!given_up) return std::nullopt;
  return given_up->maybe_applied;
}

}  // namespace etcetera::sim
