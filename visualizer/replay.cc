#include "visualizer/replay.h"

#include <algorithm>
#include <deque>

#include "spec/raft_invariants.h"

namespace etcetera::viz {

using raft::pb::Event;

Replay::Replay(std::vector<Event> events) : events_(std::move(events)) {
  match_messages();
}

// The same matching as the wire's (follow_messages), once over the whole
// trace: each arrival or loss takes the oldest copy with the same bytes.
void Replay::match_messages() {
  sent_at_.assign(events_.size(), 0);
  std::map<std::string, std::deque<std::size_t>> on_wire;
  for (std::size_t k = 1; k <= events_.size(); ++k) {
    const Event& e = events_[k - 1];
    switch (e.kind_case()) {
      case Event::kMessageSent:
        on_wire[e.message_sent().message().SerializeAsString()].push_back(k);
        break;
      case Event::kMessageDuplicated: {
        auto& copies = on_wire[e.message_duplicated().message().SerializeAsString()];
        sent_at_[k - 1] = copies.empty() ? 0 : copies.back();
        copies.push_back(copies.empty() ? k : copies.back());
        break;
      }
      case Event::kMessageReceived:
      case Event::kMessageLost: {
        const auto& m =
            e.has_message_received() ? e.message_received().message() : e.message_lost().message();
        auto it = on_wire.find(m.SerializeAsString());
        if (it == on_wire.end() || it->second.empty()) break;
        sent_at_[k - 1] = it->second.front();
        it->second.pop_front();
        break;
      }
      default:
        break;
    }
  }
}

void Replay::reset() {
  step_ = 0;
  nodes_.clear();
  view_ = spec::ClusterView();
  in_flight_.clear();
  partition_.clear();
  locks_ = LockBoard();
  fate_ = MessageFate::kNone;
  restarted_ = false;
  broken_.clear();
  violation_.reset();
}

void Replay::seek(std::size_t k) {
  if (k < step_) reset();
  while (step_ < k && !done())
    next();
}

void Replay::next() {
  const Event& e = events_[step_++];
  fate_ = MessageFate::kNone;
  violation_.reset();
  auto known = nodes_.find(e.node());
  restarted_ = e.has_started() && known != nodes_.end() && !known->second.up;
  view_.apply(e);
  if (e.has_state()) {
    NodeLook& look = nodes_[e.node()];
    look.state = e.state();
    look.up = true;
  } else if (e.kind_case() == Event::kStarted) {
    nodes_[e.node()].up = true;
  }
  follow_environment(e);
  locks_.apply(e);
  follow_messages(e);
  check_invariants();
}

void Replay::follow_environment(const Event& e) {
  switch (e.kind_case()) {
    case Event::kNodeCrashed:
      nodes_[e.node()].up = false;
      break;
    case Event::kNetworkPartitioned:
      partition_.clear();
      for (const auto& g : e.network_partitioned().groups())
        partition_.emplace_back(g.nodes().begin(), g.nodes().end());
      break;
    case Event::kNetworkHealed:
      partition_.clear();
      break;
    default:
      break;
  }
}

// A received or lost message retires its copy from the wire, found by the
// step that sent it; a message the trace never showed sent (the trace began
// later) was never drawn.
void Replay::follow_messages(const Event& e) {
  const std::size_t origin = sent_at_[step_ - 1];
  auto retire = [&] {
    auto it = std::ranges::find(in_flight_, origin, &Flight::sent);
    if (origin != 0 && it != in_flight_.end()) in_flight_.erase(it);
  };
  switch (e.kind_case()) {
    case Event::kMessageSent:
      in_flight_.push_back(Flight{e.message_sent().message(), step_});
      fate_ = MessageFate::kSent;
      break;
    case Event::kMessageDuplicated:
      in_flight_.push_back(Flight{e.message_duplicated().message(), origin ? origin : step_});
      fate_ = MessageFate::kDuplicated;
      break;
    case Event::kMessageReceived:
      retire();
      fate_ = MessageFate::kReceived;
      break;
    case Event::kMessageLost:
      retire();
      fate_ = MessageFate::kLost;
      break;
    default:
      break;
  }
}

const raft::pb::Message* Replay::message() const {
  if (step_ == 0) return nullptr;
  const Event& e = event();
  switch (e.kind_case()) {
    case Event::kMessageSent:
      return &e.message_sent().message();
    case Event::kMessageDuplicated:
      return &e.message_duplicated().message();
    case Event::kMessageReceived:
      return &e.message_received().message();
    case Event::kMessageLost:
      return &e.message_lost().message();
    default:
      return nullptr;
  }
}

NodeId Replay::leader() const {
  NodeId best = 0;
  Term best_term = 0;
  for (const auto& [id, look] : nodes_) {
    if (look.up && look.state.role() == raft::pb::LEADER && look.state.term() >= best_term) {
      best = id;
      best_term = look.state.term();
    }
  }
  return best;
}

void Replay::check_invariants() {
  for (const auto& inv : spec::raft_invariants()) {
    if (std::ranges::find(broken_, inv.name) != broken_.end()) continue;
    if (auto why = inv.check(view_)) {
      broken_.push_back(inv.name);
      if (!violation_) violation_ = std::string(inv.name) + ": " + *why;
    }
  }
}

}  // namespace etcetera::viz
