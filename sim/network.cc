#include "sim/network.h"

#include <algorithm>

namespace etcetera::sim {

using raft::pb::Message;

std::string describe(const LinkFaults& f) {
  return "delay=" + std::to_string(f.min_delay) + "-" + std::to_string(f.max_delay) +
         " loss=" + std::to_string(f.loss) + "/1000 dup=" + std::to_string(f.duplicate) + "/1000";
}

const LinkFaults& Network::link(NodeId from, NodeId to) const {
  auto it = links_.find({from, to});
  return it == links_.end() ? default_link_ : it->second;
}

void Network::put(const Message& m, Time due) {
  in_flight_.push_back(InFlight{m, due, next_seq_++});
}

LinkFate draw_fate(raft::Rng& rng, const LinkFaults& f) {
  LinkFate fate;
  fate.lost = rng.in_range(0, 1000) < f.loss;
  fate.twice = rng.in_range(0, 1000) < f.duplicate;
  const Time span = f.max_delay >= f.min_delay ? f.max_delay - f.min_delay : 0;
  fate.delay = f.min_delay + rng.in_range(0, span + 1);
  fate.second_delay = f.min_delay + rng.in_range(0, span + 1);
  return fate;
}

void Network::send(const Message& m, Time now) {
  ++stats_.sent;
  const LinkFate fate = draw_fate(rng_, link(m.from(), m.to()));
  if (fate.lost) {
    ++stats_.lost;
    if (observer_) observer_->lost_on_link(m);
    return;
  }
  put(m, now + fate.delay);
  if (fate.twice) {
    ++stats_.duplicated;
    put(m, now + fate.second_delay);
    if (observer_) observer_->duplicated(m);
  }
}

std::vector<Message> Network::take(const std::function<bool(const Message&)>& match) {
  std::vector<Message> out;
  std::deque<InFlight> rest;
  for (auto& f : in_flight_) {
    if (match(f.message)) {
      out.push_back(std::move(f.message));
    } else {
      rest.push_back(std::move(f));
    }
  }
  in_flight_ = std::move(rest);
  return out;
}

std::vector<Message> Network::take_due(Time now) {
  std::vector<InFlight> due;
  std::deque<InFlight> rest;
  for (auto& f : in_flight_) {
    if (f.due <= now) {
      due.push_back(std::move(f));
    } else {
      rest.push_back(std::move(f));
    }
  }
  in_flight_ = std::move(rest);
  std::stable_sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) {
    return a.due != b.due ? a.due < b.due : a.seq < b.seq;
  });
  std::vector<Message> out;
  for (auto& f : due)
    out.push_back(std::move(f.message));
  return out;
}

std::optional<Message> Network::take_next_due(Time now) {
  auto next = in_flight_.end();
  for (auto f = in_flight_.begin(); f != in_flight_.end(); ++f)
    if (f->due <= now && (next == in_flight_.end() || f->due < next->due)) next = f;
  if (next == in_flight_.end()) return std::nullopt;
  Message m = std::move(next->message);
  in_flight_.erase(next);
  return m;
}

int Network::duplicate(const std::function<bool(const Message&)>& match) {
  std::deque<InFlight> out;
  int copies = 0;
  for (auto& f : in_flight_) {
    const bool copy = match(f.message);
    out.push_back(f);
    if (copy) {
      out.push_back(InFlight{f.message, f.due, next_seq_++});
      ++copies;
      if (observer_) observer_->duplicated(f.message);
    }
  }
  in_flight_ = std::move(out);
  stats_.duplicated += static_cast<std::uint64_t>(copies);
  return copies;
}

void Network::partition(const std::vector<std::vector<NodeId>>& groups) {
  group_.clear();
  for (const auto& g : groups) {
    const int id = next_group_++;
    for (NodeId n : g)
      group_[n] = id;
  }
}

void Network::isolate(NodeId id) {
  group_[id] = next_group_++;
}

int Network::group_of(NodeId id) const {
  auto it = group_.find(id);
  return it == group_.end() ? 0 : it->second;
}

bool Network::is_isolated(NodeId id) const {
  const int g = group_of(id);
  if (g == 0) return false;
  return std::none_of(group_.begin(), group_.end(),
                      [&](const auto& kv) { return kv.first != id && kv.second == g; });
}

std::vector<std::vector<NodeId>> Network::groups(const std::vector<NodeId>& ids) const {
  std::map<int, std::vector<NodeId>> by_group;
  for (NodeId id : ids)
    by_group[group_of(id)].push_back(id);
  std::vector<std::vector<NodeId>> out;
  for (auto& [g, members] : by_group)
    out.push_back(std::move(members));
  return out;
}

std::string Network::describe_partition(const std::vector<NodeId>& ids) const {
  if (group_.empty()) return "";
  std::string out;
  for (const auto& members : groups(ids)) {
    out += out.empty() ? "{" : " {";
    for (std::size_t i = 0; i < members.size(); ++i)
      out += (i ? "," : "") + std::to_string(members[i]);
    out += "}";
  }
  return out;
}

}  // namespace etcetera::sim
