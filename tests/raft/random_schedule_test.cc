// Property: over random schedules of ticks, deliveries, losses, crashes,
// restarts, partitions and client requests, every invariant of spec/Raft.tla
// holds after every single event of the trace. rapidcheck shrinks a failing
// schedule to a short one and prints it.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "sim/cluster.h"
#include "spec/raft_invariants.h"

namespace {

using etcetera::raft::NodeId;
using etcetera::raft::pb::Message;

enum class Kind {
  kTick,
  kTickAll,
  kDeliver,
  kDrop,
  kReady,
  kPropose,
  kRead,
  kCrash,
  kRestart,
  kIsolate,
  kHeal,
  kStabilize,
  kCompact,
  kConfChange,
  kTransfer
};

struct Step {
  Kind kind;
  int node;   // 1-based, modulo the cluster size
  int which;  // which in-flight message, modulo their number
};

std::string describe(const Step& s) {
  static const char* names[] = {"tick",    "tick-all",  "deliver", "drop",        "ready",
                                "propose", "read",      "crash",   "restart",     "isolate",
                                "heal",    "stabilize", "compact", "conf-change", "transfer"};
  return std::string(names[static_cast<int>(s.kind)]) + " node=" + std::to_string(s.node) +
         " which=" + std::to_string(s.which);
}

// Checks the invariants after every event, as it is recorded.
class CheckingSink final : public etcetera::raft::TraceSink {
 public:
  void record(const etcetera::raft::pb::Event& e) override {
    view.apply(e);
    ++events;
    if (!violation)
      if (auto why = etcetera::spec::check_raft_invariants(view)) violation = *why;
  }
  etcetera::spec::ClusterView view;
  std::optional<std::string> violation;
  std::size_t events = 0;
};

rc::Gen<Step> gen_step() {
  // Deliveries and ticks dominate, as in a real run; faults are rarer.
  auto kind = rc::gen::weightedElement<Kind>({{3, Kind::kTick},
                                              {6, Kind::kTickAll},
                                              {12, Kind::kDeliver},
                                              {1, Kind::kDrop},
                                              {6, Kind::kReady},
                                              {2, Kind::kPropose},
                                              {1, Kind::kRead},
                                              {1, Kind::kCrash},
                                              {2, Kind::kRestart},
                                              {1, Kind::kIsolate},
                                              {1, Kind::kHeal},
                                              {2, Kind::kStabilize},
                                              {1, Kind::kCompact},
                                              {1, Kind::kConfChange},
                                              {1, Kind::kTransfer}});
  return rc::gen::build<Step>(rc::gen::set(&Step::kind, kind),
                              rc::gen::set(&Step::node, rc::gen::inRange(1, 6)),
                              rc::gen::set(&Step::which, rc::gen::inRange(0, 8)));
}

// One membership change proposed on the leader: a new learner, a promotion,
// a demotion or a removal. Changes the configuration refuses are just that.
void change_membership(etcetera::sim::Cluster& c, NodeId leader, int which) {
  const auto& config = c.node(leader).configuration();
  etcetera::raft::pb::ConfChange cc;
  auto* step = cc.add_changes();
  const auto members = config.members();
  auto pick = [&](int k) {
    return *std::next(members.begin(), k % static_cast<int>(members.size()));
  };
  switch (which % 4) {
    case 0: {
      const NodeId fresh = c.ids().back() + 1;
      if (fresh > 7 || !c.add_node(fresh, leader)) return;
      step->set_type(etcetera::raft::pb::ADD_LEARNER);
      step->set_node(fresh);
      break;
    }
    case 1:
      step->set_type(etcetera::raft::pb::ADD_VOTER);
      step->set_node(pick(which / 4));
      break;
    case 2:
      step->set_type(etcetera::raft::pb::ADD_LEARNER);
      step->set_node(pick(which / 4));
      break;
    default:
      step->set_type(etcetera::raft::pb::REMOVE_NODE);
      step->set_node(pick(which / 4));
      break;
  }
  (void)c.node(leader).propose_conf_change(cc);
}

void run(etcetera::sim::Cluster& c, const Step& s, int& proposals) {
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
      if (c.in_flight().empty()) break;
      const std::size_t k = static_cast<std::size_t>(s.which) % c.in_flight().size();
      std::size_t i = 0;
      auto taken = c.take([&](const Message&) { return i++ == k; });
      if (s.kind == Kind::kDeliver && c.can_deliver(taken.front())) c.deliver(taken.front());
      break;
    }
    case Kind::kReady:
      if (c.is_up(id)) c.process_ready(id);
      break;
    case Kind::kPropose:
      if (c.is_up(id)) (void)c.node(id).propose("v" + std::to_string(++proposals));
      break;
    case Kind::kRead:
      if (c.is_up(id)) (void)c.node(id).read_index("r" + std::to_string(++proposals));
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

}  // namespace

TEST_CASE("Raft invariants hold after every event of random fault schedules") {
  rc::prop("schedule", [] {
    const int nodes = *rc::gen::inRange(1, 6);
    const bool pre_vote = *rc::gen::arbitrary<bool>();
    const bool check_quorum = *rc::gen::arbitrary<bool>();
    const auto steps =
        *rc::gen::container<std::vector<Step>>(*rc::gen::inRange(100, 1200), gen_step());
    CheckingSink sink;
    etcetera::sim::ClusterOptions o;
    o.nodes = nodes;
    o.election_tick = 4;  // short timeouts: many elections per schedule
    o.pre_vote = pre_vote;
    o.check_quorum = check_quorum;
    o.max_inflight_msgs = 3;
    o.max_entries_per_msg = 2;
    etcetera::sim::Cluster cluster(o, &sink);
    int proposals = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      run(cluster, steps[i], proposals);
      if (sink.violation) {
        RC_FAIL("after step " + std::to_string(i) + " (" + describe(steps[i]) +
                "): " + *sink.violation);
      }
    }
    // Shows, in the test output, how many schedules reached the interesting cases.
    RC_CLASSIFY(sink.view.leaders().size() >= 2, "two or more terms with a leader");
    RC_CLASSIFY(!sink.view.committed().empty(), "entries committed");
    RC_CLASSIFY(sink.events >= 500, "500 events or more");
    RC_CLASSIFY(cluster.ids().size() > static_cast<std::size_t>(nodes), "a node joined");
  });
}
