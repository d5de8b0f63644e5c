#include "sim/schedule.h"

#include <iterator>

namespace etcetera::sim {
namespace {

using raft::NodeId;
using raft::pb::Message;

// One membership change proposed on the leader: a new learner, a promotion,
// a demotion or a removal. Changes the configuration refuses are just that.
void change_membership(sim::Cluster& c, raft::NodeId leader, int which) {
  const auto& config = c.node(leader).configuration();
  raft::pb::ConfChange cc;
  auto* step = cc.add_changes();
  const auto members = config.members();
  auto pick = [&](int k) {
    return *std::next(members.begin(), k % static_cast<int>(members.size()));
  };
  switch (which % 4) {
    case 0: {
      const NodeId fresh = c.ids().back() + 1;
      if (fresh > 7 || !c.add_node(fresh, leader)) return;
      step->set_type(raft::pb::ADD_LEARNER);
      step->set_node(fresh);
      break;
    }
    case 1:
      step->set_type(raft::pb::ADD_VOTER);
      step->set_node(pick(which / 4));
      break;
    case 2:
      step->set_type(raft::pb::ADD_LEARNER);
      step->set_node(pick(which / 4));
      break;
    default:
      step->set_type(raft::pb::REMOVE_NODE);
      step->set_node(pick(which / 4));
      break;
  }
  (void)c.node(leader).propose_conf_change(cc);
}

}  // namespace

void run_step(sim::Cluster& c, const Step& s, int& requests) {
  const auto ids = c.ids();
  const auto id = ids[static_cast<std::size_t>(s.node - 1) % ids.size()];
  switch (s.kind) {
    case Kind::kTick:
      if (c.is_up(id)) c.node(id).tick();
      break;
    case Kind::kTickAll:
      c.tick_all();
      break;
    case Kind::kDeliver:
    case Kind::kDrop: {
      if (c.in_flight_count() == 0) break;
      const std::size_t k = static_cast<std::size_t>(s.which) % c.in_flight_count();
      std::size_t i = 0;
      auto taken = c.take([&](const Message&) { return i++ == k; });
      if (s.kind == Kind::kDeliver && c.can_deliver(taken.front())) c.deliver(taken.front());
      break;
    }
    case Kind::kReady:
      if (c.is_up(id)) c.process_ready(id);
      break;
    case Kind::kPropose:
      if (c.is_up(id)) (void)c.node(id).propose("v" + std::to_string(++requests));
      break;
    case Kind::kRead:
      if (c.is_up(id)) (void)c.node(id).read_index("r" + std::to_string(++requests));
      break;
    case Kind::kCrash:
      c.crash(id);
      break;
    case Kind::kRestart:
      if (!c.is_up(id)) (void)c.restart(id);
      break;
    case Kind::kIsolate:
      c.isolate(id);
      break;
    case Kind::kHeal:
      c.heal();
      break;
    case Kind::kStabilize:
      c.stabilize();
      break;
    case Kind::kCompact:
      if (c.is_up(id)) (void)c.compact(id);
      break;
    case Kind::kConfChange:
      if (auto leader = c.leader()) change_membership(c, *leader, s.which);
      break;
    case Kind::kTransfer:
      if (auto leader = c.leader()) (void)c.node(*leader).transfer_leadership(id);
      break;
  }
}

std::string describe(const Step& s) {
  static const char* names[] = {"tick",    "tick-all",  "deliver", "drop",        "ready",
                                "propose", "read",      "crash",   "restart",     "isolate",
                                "heal",    "stabilize", "compact", "conf-change", "transfer"};
  return std::string(names[static_cast<int>(s.kind)]) + " node=" + std::to_string(s.node) +
         " which=" + std::to_string(s.which);
}

const std::vector<std::pair<int, Kind>>& step_weights() {
  static const std::vector<std::pair<int, Kind>> weights = {
      {3, Kind::kTick},    {6, Kind::kTickAll},    {12, Kind::kDeliver}, {1, Kind::kDrop},
      {6, Kind::kReady},   {2, Kind::kPropose},    {1, Kind::kRead},     {1, Kind::kCrash},
      {2, Kind::kRestart}, {1, Kind::kIsolate},    {1, Kind::kHeal},     {2, Kind::kStabilize},
      {1, Kind::kCompact}, {1, Kind::kConfChange}, {1, Kind::kTransfer}};
  return weights;
}

void CheckingSink::record(const raft::pb::Event& e) {
  view.apply(e);
  ++events;
  if (!violation)
    if (auto why = spec::check_raft_invariants(view)) violation = *why;
}

sim::ClusterOptions cluster_options(const ScheduleOptions& o) {
  sim::ClusterOptions c;
  c.nodes = o.nodes;
  c.election_tick = 4;
  c.pre_vote = o.pre_vote;
  c.check_quorum = o.check_quorum;
  c.max_inflight_msgs = 3;
  c.max_entries_per_msg = o.max_entries_per_msg;
  c.mutant = o.mutant;
  return c;
}

std::optional<std::string> run_schedule(const ScheduleOptions& o, const std::vector<Step>& steps,
                                        CheckingSink& sink) {
  sim::Cluster cluster(cluster_options(o), &sink);
  int requests = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    run_step(cluster, steps[i], requests);
    if (sink.violation)
      return "after step " + std::to_string(i) + " (" + describe(steps[i]) +
             "): " + *sink.violation;
  }
  return std::nullopt;
}

int total_step_weight() {
  int total = 0;
  for (const auto& [w, k] : step_weights())
    total += w;
  return total;
}

Kind kind_for(int pick) {
  for (const auto& [w, k] : step_weights()) {
    if (pick < w) return k;
    pick -= w;
  }
  return Kind::kTick;
}

std::vector<Step> random_schedule(raft::Rng& rng, std::size_t length) {
  const auto total = static_cast<std::uint64_t>(total_step_weight());
  std::vector<Step> steps;
  for (std::size_t i = 0; i < length; ++i) {
    const Kind kind = kind_for(static_cast<int>(rng.in_range(0, total)));
    steps.push_back(
        Step{kind, static_cast<int>(rng.in_range(1, 6)), static_cast<int>(rng.in_range(0, 8))});
  }
  return steps;
}

}  // namespace etcetera::sim
