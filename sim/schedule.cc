#include "sim/schedule.h"

#include <algorithm>
#include <iterator>

#include "raft/describe.h"

namespace etcetera::sim {
namespace {

using raft::pb::Message;

std::string id_str(NodeId id) {
  return std::to_string(id);
}

// The script words that pick out the k-th message in flight: its
// destination, sender and type, and which of the messages that share them
// it is (nth, from 1, in send order).
std::string message_words(const Cluster& c, std::size_t k) {
  const Message& m = c.in_flight(k);
  int nth = 0;
  for (std::size_t i = 0; i <= k; ++i) {
    const Message& o = c.in_flight(i);
    if (o.to() == m.to() && o.from() == m.from() && o.type() == m.type()) ++nth;
  }
  return id_str(m.to()) + " from=" + id_str(m.from()) +
         " type=" + raft::message_type_name(m.type()) + " nth=" + std::to_string(nth);
}

// One membership change proposed on the leader: a new learner, a promotion,
// a demotion or a removal. Changes the configuration refuses are just that.
std::string change_membership(Cluster& c, NodeId leader, int which) {
  const auto& config = c.node(leader).configuration();
  raft::pb::ConfChange cc;
  auto* step = cc.add_changes();
  const auto members = config.members();
  auto pick = [&](int k) {
    return *std::next(members.begin(), k % static_cast<int>(members.size()));
  };
  std::string lines;
  std::string word;
  switch (which % 4) {
    case 0: {
      const NodeId fresh = c.ids().back() + 1;
      if (fresh > 7 || !c.add_node(fresh, leader)) return "";
      lines = "add-node " + id_str(fresh) + " from=" + id_str(leader) + "\n";
      step->set_type(raft::pb::ADD_LEARNER);
      step->set_node(fresh);
      word = "l" + id_str(fresh);
      break;
    }
    case 1:
      step->set_type(raft::pb::ADD_VOTER);
      step->set_node(pick(which / 4));
      word = "v" + id_str(step->node());
      break;
    case 2:
      step->set_type(raft::pb::ADD_LEARNER);
      step->set_node(pick(which / 4));
      word = "l" + id_str(step->node());
      break;
    default:
      step->set_type(raft::pb::REMOVE_NODE);
      step->set_node(pick(which / 4));
      word = "r" + id_str(step->node());
      break;
  }
  (void)c.node(leader).propose_conf_change(cc);
  return lines + "propose-conf-change " + id_str(leader) + " " + word;
}

// Two groups from the bits of `which`: node i goes with the first group
// when bit i is set. Returns nothing when one group would be empty.
std::vector<std::vector<NodeId>> two_groups(const std::vector<NodeId>& ids, int which) {
  std::vector<std::vector<NodeId>> groups(2);
  for (std::size_t i = 0; i < ids.size(); ++i)
    groups[((which >> i) & 1) ? 0 : 1].push_back(ids[i]);
  if (groups[0].empty() || groups[1].empty()) return {};
  return groups;
}

std::string group_words(const std::vector<std::vector<NodeId>>& groups) {
  std::string out;
  for (const auto& g : groups) {
    out += " ";
    for (std::size_t i = 0; i < g.size(); ++i)
      out += (i ? "," : "") + id_str(g[i]);
  }
  return out;
}

// "delay=0-2 loss=20 dup=10": a link's faults as set-link and add-nodes take them.
std::string link_words(const LinkFaults& f) {
  return "delay=" + std::to_string(f.min_delay) + "-" + std::to_string(f.max_delay) +
         " loss=" + std::to_string(f.loss) + " dup=" + std::to_string(f.duplicate);
}

// Merges "run 1" lines, and "tick ID" lines for one node, into one line.
std::vector<std::string> merged(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  std::string last;
  std::uint64_t count = 0;
  auto flush = [&] {
    if (count == 0) return;
    out.push_back(count == 1 ? last : last + " " + std::to_string(count));
    count = 0;
  };
  for (const auto& line : lines) {
    const bool mergeable = line == "run" || line.starts_with("tick ");
    if (mergeable && line == last) {
      ++count;
      continue;
    }
    flush();
    if (mergeable) {
      last = line;
      count = 1;
    } else {
      out.push_back(line);
    }
  }
  flush();
  return out;
}

// Profiles. Deliveries and time dominate, as in a real run; faults are rarer.
std::vector<FaultProfile> make_profiles() {
  using K = Kind;
  const std::vector<std::pair<int, Kind>> client = {{2, K::kPropose}, {1, K::kRead}};
  auto with = [&](std::vector<std::pair<int, Kind>> w) {
    w.insert(w.end(), client.begin(), client.end());
    return w;
  };
  return {
      {"none", "a healthy network: time passes, clients propose and read, nothing fails",
       with({{20, K::kTime}}), LinkFaults{0, 1, 0, 0}, 0},
      {"lossy", "links delay (0-3 ticks, so they reorder), lose 5% and duplicate 2% of messages",
       with({{20, K::kTime}}), LinkFaults{0, 3, 50, 20}, 100},
      {"partitions", "a lossy network that also isolates nodes and splits into two groups",
       with({{20, K::kTime}, {1, K::kIsolate}, {1, K::kPartition}, {2, K::kHeal}}),
       LinkFaults{0, 3, 20, 10}, 100},
      {"long-partitions",
       "partitions that outlast several election timeouts: a new leader rises while the old one, "
       "cut off, still believes it leads (stale reads show here)",
       with({{80, K::kTime}, {1, K::kIsolate}, {1, K::kHeal}}), LinkFaults{0, 2, 0, 0}, 50},
      {"crashes", "a lossy network whose nodes crash and restart from their disks",
       with({{20, K::kTime}, {1, K::kCrash}, {2, K::kRestart}, {1, K::kCompact}}),
       LinkFaults{0, 3, 20, 10}, 100},
      {"chaos",
       "everything: adversarial message order, loss, duplicates, partitions, crashes, "
       "compaction, membership changes, transfers and drifting clocks",
       with({{3, K::kTick},
             {6, K::kTickAll},
             {4, K::kTime},
             {12, K::kDeliver},
             {1, K::kDrop},
             {1, K::kDuplicate},
             {6, K::kReady},
             {1, K::kCrash},
             {2, K::kRestart},
             {1, K::kIsolate},
             {1, K::kPartition},
             {1, K::kHeal},
             {2, K::kStabilize},
             {1, K::kCompact},
             {1, K::kConfChange},
             {1, K::kTransfer}}),
       LinkFaults{0, 2, 0, 0}, 200},
  };
}

}  // namespace

std::string describe(const Step& s) {
  static const char* names[] = {"tick",    "tick-all",    "time",      "deliver", "drop",
                                "dup",     "ready",       "propose",   "read",    "crash",
                                "restart", "isolate",     "partition", "heal",    "stabilize",
                                "compact", "conf-change", "transfer"};
  return std::string(names[static_cast<int>(s.kind)]) + " node=" + std::to_string(s.node) +
         " which=" + std::to_string(s.which);
}

const std::vector<FaultProfile>& fault_profiles() {
  static const std::vector<FaultProfile> profiles = make_profiles();
  return profiles;
}

const FaultProfile* fault_profile(std::string_view name) {
  for (const auto& p : fault_profiles())
    if (p.name == name) return &p;
  return nullptr;
}

void CheckingSink::record(const raft::pb::Event& e) {
  view.apply(e);
  ++events;
  if (!violation)
    if (auto why = spec::check_raft_invariants(view)) violation = *why;
  if (next_) next_->record(e);
}

ClusterOptions cluster_options(const ScheduleOptions& o) {
  ClusterOptions c;
  c.nodes = o.nodes;
  c.election_tick = 4;
  c.pre_vote = o.pre_vote;
  c.check_quorum = o.check_quorum;
  c.max_inflight_msgs = 3;
  c.max_entries_per_msg = o.max_entries_per_msg;
  c.mutant = o.mutant;
  c.seed = o.seed;
  c.kv = o.kv;
  if (const auto* p = fault_profile(o.profile)) c.link = p->link;
  return c;
}

ScheduleRunner::ScheduleRunner(const ScheduleOptions& options, raft::TraceSink* trace)
    : options_(options),
      profile_(fault_profile(options.profile)),
      sink_(trace),
      cluster_(cluster_options(options), &sink_) {
  if (!profile_) raft::raft_fatal("sim: no fault profile named " + options.profile);
  // Clock rates come from their own stream, drawn once per node.
  raft::Rng clocks(options.seed ^ 0xc10cc10cULL);
  for (NodeId id : cluster_.ids()) {
    const std::uint32_t skew = profile_->clock_skew;
    const auto rate = static_cast<std::uint32_t>(1000 - skew + clocks.in_range(0, 2 * skew + 1));
    cluster_.set_clock_rate(id, rate);
  }
}

void ScheduleRunner::record(const std::string& line) {
  if (line.empty()) return;
  std::size_t start = 0;
  while (start < line.size()) {
    const auto end = std::min(line.find('\n', start), line.size());
    lines_.push_back(line.substr(start, end - start));
    start = end + 1;
  }
}

std::string ScheduleRunner::run(const Step& s) {
  Cluster& c = cluster_;
  const auto ids = c.ids();
  const auto id = ids[static_cast<std::size_t>(s.node - 1) % ids.size()];
  std::string line;
  switch (s.kind) {
    case Kind::kTick:
      if (!c.is_up(id)) break;
      c.tick(id);
      line = "tick " + id_str(id);
      break;
    case Kind::kTickAll:
      c.tick_all();
      line = "tick-all";
      break;
    case Kind::kTime:
      c.advance_time();
      line = "run";
      break;
    case Kind::kDeliver:
    case Kind::kDrop:
    case Kind::kDuplicate: {
      if (c.in_flight_count() == 0) break;
      const std::size_t k = static_cast<std::size_t>(s.which) % c.in_flight_count();
      const std::string words = message_words(c, k);
      std::size_t i = 0;
      auto is_k = [&](const Message&) { return i++ == k; };
      if (s.kind == Kind::kDuplicate) {
        c.network().duplicate(is_k);
        line = "duplicate-msgs " + words;
        break;
      }
      const Message m = c.take(is_k).front();
      if (s.kind == Kind::kDeliver) {
        c.deliver_or_lose(m);
        line = "deliver-msgs " + words;
      } else {
        c.drop(m);
        line = "drop-msgs " + words;
      }
      break;
    }
    case Kind::kReady:
      if (c.is_up(id) && c.process_ready(id)) line = "process-ready " + id_str(id);
      break;
    case Kind::kPropose:
      if (c.is_up(id)) propose(id, "v" + std::to_string(++requests_));
      break;
    case Kind::kRead:
      if (!c.is_up(id)) break;
      line = "read-index " + id_str(id) + " r" + std::to_string(++requests_);
      (void)c.node(id).read_index("r" + std::to_string(requests_));
      break;
    case Kind::kCrash:
      if (!c.is_up(id)) break;
      c.crash(id);
      line = "crash " + id_str(id);
      break;
    case Kind::kRestart:
      if (c.is_up(id)) break;
      (void)c.restart(id);
      line = "restart " + id_str(id);
      break;
    case Kind::kIsolate:
      c.isolate(id);
      line = "isolate " + id_str(id);
      break;
    case Kind::kPartition: {
      const auto groups = two_groups(ids, s.which);
      if (groups.empty()) break;
      c.partition(groups);
      line = "partition" + group_words(groups);
      break;
    }
    case Kind::kHeal:
      c.heal();
      line = "heal";
      break;
    case Kind::kStabilize:
      c.stabilize();
      line = "stabilize";
      break;
    case Kind::kCompact:
      if (c.is_up(id) && c.compact(id)) line = "compact " + id_str(id);
      break;
    case Kind::kConfChange:
      if (auto leader = c.leader()) line = change_membership(c, *leader, s.which);
      break;
    case Kind::kTransfer:
      if (auto leader = c.leader()) {
        (void)c.node(*leader).transfer_leadership(id);
        line = "transfer-leader " + id_str(*leader) + " " + id_str(id);
      }
      break;
  }
  record(line);
  return line;
}

void ScheduleRunner::heal_everything(const LinkFaults& link) {
  cluster_.heal();
  record("heal");
  cluster_.network().set_default_link(link);
  cluster_.network().clear_links();
  record("set-link " + link_words(link));
  for (NodeId id : cluster_.ids()) {
    if (cluster_.is_up(id)) continue;
    (void)cluster_.restart(id);
    record("restart " + id_str(id));
  }
}

void ScheduleRunner::advance_time() {
  cluster_.advance_time();
  record("run");
}

void ScheduleRunner::isolate(NodeId id) {
  cluster_.isolate(id);
  record("isolate " + id_str(id));
}

void ScheduleRunner::heal() {
  cluster_.heal();
  record("heal");
}

bool ScheduleRunner::propose(NodeId id, const std::string& value) {
  record("propose " + id_str(id) + " " + value);
  if (!cluster_.node(id).propose(value)) return false;
  if (std::find(accepted_.begin(), accepted_.end(), value) == accepted_.end())
    accepted_.push_back(value);
  return true;
}

std::vector<std::string> ScheduleRunner::pending() const {
  std::vector<std::string> out;
  for (const auto& v : accepted_) {
    bool applied = false;
    for (NodeId id : cluster_.ids()) {
      for (const auto& e : cluster_.applied(id))
        if (e.data() == v) applied = true;
      if (applied) break;
    }
    if (!applied) out.push_back(v);
  }
  return out;
}

std::string ScheduleRunner::script(const std::string& comment) const {
  std::string out;
  std::size_t start = 0;
  while (start < comment.size()) {
    const auto end = std::min(comment.find('\n', start), comment.size());
    out += "# " + comment.substr(start, end - start) + "\n";
    start = end + 1;
  }
  const ClusterOptions c = cluster_options(options_);
  out += "\nadd-nodes " + std::to_string(c.nodes) + " pre-vote=" + (c.pre_vote ? "true" : "false") +
         " check-quorum=" + (c.check_quorum ? "true" : "false") +
         " election=" + std::to_string(c.election_tick) +
         " max-inflight=" + std::to_string(c.max_inflight_msgs) +
         " max-entries=" + std::to_string(c.max_entries_per_msg) +
         " seed=" + std::to_string(c.seed) + " " + link_words(c.link);
  if (c.mutant != raft::Mutant::kNone) out += " bug=" + std::string(raft::mutant_name(c.mutant));
  out += "\n";
  for (NodeId id = 1; id <= static_cast<NodeId>(c.nodes); ++id)
    if (cluster_.clock_rate(id) != 1000)
      out += "clock-rate " + id_str(id) + " " + std::to_string(cluster_.clock_rate(id)) + "\n";
  for (const auto& line : merged(lines_))
    out += line + "\n";
  return out;
}

std::optional<std::string> run_schedule(const ScheduleOptions& o, const std::vector<Step>& steps,
                                        CheckingSink* checks) {
  ScheduleRunner runner(o);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    runner.run(steps[i]);
    if (runner.violation()) {
      if (checks) *checks = runner.checks();
      return "after step " + std::to_string(i) + " (" + describe(steps[i]) +
             "): " + *runner.violation();
    }
  }
  if (checks) *checks = runner.checks();
  return std::nullopt;
}

int total_step_weight(std::string_view profile) {
  int total = 0;
  for (const auto& [w, k] : fault_profile(profile)->weights)
    total += w;
  return total;
}

Kind kind_for(int pick, std::string_view profile) {
  for (const auto& [w, k] : fault_profile(profile)->weights) {
    if (pick < w) return k;
    pick -= w;
  }
  return Kind::kTime;
}

std::vector<Step> random_schedule(raft::Rng& rng, std::size_t length, std::string_view profile) {
  const auto total = static_cast<std::uint64_t>(total_step_weight(profile));
  std::vector<Step> steps;
  for (std::size_t i = 0; i < length; ++i) {
    const Kind kind = kind_for(static_cast<int>(rng.in_range(0, total)), profile);
    steps.push_back(
        Step{kind, static_cast<int>(rng.in_range(1, 8)), static_cast<int>(rng.in_range(0, 64))});
  }
  return steps;
}

}  // namespace etcetera::sim
