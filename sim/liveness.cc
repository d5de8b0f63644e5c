#include "sim/liveness.h"

#include <algorithm>

#include "raft/describe.h"

namespace etcetera::sim {
namespace {

Time ceil_div(Time a, Time b) {
  return (a + b - 1) / b;
}

// The highest-term leader, if it has committed an entry of its own term:
// until then it cannot serve reads or know what is committed (section 6.4).
std::optional<NodeId> established_leader(Cluster& c) {
  const auto leader = c.leader();
  if (!leader) return std::nullopt;
  const auto& log = c.node(*leader).log();
  if (log.term(log.committed()) != c.node(*leader).term()) return std::nullopt;
  return leader;
}

// The leader has applied everything in its log and its configuration is
// not joint: no membership change is under way that could still remove it.
bool settled(Cluster& c, NodeId leader) {
  const auto& n = c.node(leader);
  return n.log().applied() == n.log().last_index() && !n.configuration().voters.joint();
}

bool applied_by(const Cluster& c, NodeId id, const std::string& value) {
  const auto& applied = c.applied(id);
  return std::any_of(applied.begin(), applied.end(),
                     [&](const raft::pb::Entry& e) { return e.data() == value; });
}

std::string join(const std::vector<std::string>& values, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < values.size() && i < max; ++i)
    out += (i ? " " : "") + values[i];
  if (values.size() > max) out += " ...";
  return out;
}

}  // namespace

LivenessBounds liveness_bounds(const ScheduleRunner& runner, std::size_t pending) {
  const ClusterOptions o = cluster_options(runner.options());
  const Cluster& c = runner.cluster();
  std::uint32_t slowest = 1000;
  for (NodeId id : c.ids())
    slowest = std::min(slowest, c.clock_rate(id));
  const Time delay = std::min<Time>(o.link.max_delay, 1);  // as check_liveness sets it
  const auto election = static_cast<Time>(o.election_tick);
  const auto spread = static_cast<Time>(o.election_spread.value_or(o.election_tick));
  // A node's randomized timeout is below election + spread ticks of its own
  // clock (2 * election by default); the slowest clock takes longest to count them.
  const Time timeout = ceil_div((election + spread) * 1000, slowest);
  LivenessBounds b;
  b.round = timeout + 4 * delay + 2;
  // Without PreVote a node that cannot win (its log is behind) still raises
  // everyone's term when it times out, and a candidate that could win steps
  // down to it: each such timeout can cost the round in progress.
  b.leader = (runner.options().pre_vote ? 4 : 8) * b.round;
  b.retry = 2 * election;
  const Time per_round_trip = o.max_inflight_msgs * o.max_entries_per_msg;
  const Time batches = ceil_div(static_cast<Time>(pending), per_round_trip) + 1;
  b.commit = b.leader + b.retry + batches * (2 * delay + 2) + b.round;
  b.cut_off = 3 * timeout;
  b.rejoin = b.round;
  return b;
}

LivenessReport check_liveness(ScheduleRunner& runner) {
  Cluster& c = runner.cluster();
  // Raft's timing requirement (paper, section 5.6): a round trip must be
  // well within an election timeout, or CheckQuorum deposes healthy leaders.
  // Schedules run with 4-tick timeouts, so once stable, delays are 0-1 tick.
  const LinkFaults stable{0, std::min<Time>(cluster_options(runner.options()).link.max_delay, 1), 0,
                          0};
  runner.heal_everything(stable);
  LivenessReport report;
  report.pending = runner.pending().size();
  report.bounds = liveness_bounds(runner, report.pending);
  const LivenessBounds& b = report.bounds;
  const Time start = c.now();
  auto since = [&] { return c.now() - start; };

  // 1 and 2: a leader, then every pending value applied.
  std::optional<Time> leader_at;
  std::optional<Time> last_retry;
  for (;;) {
    if (runner.violation()) return report;
    const auto leader = established_leader(c);
    if (leader && !leader_at) leader_at = since();
    if (leader && (!last_retry || c.now() - *last_retry >= b.retry)) {
      for (const auto& v : runner.pending())
        runner.propose(*leader, v);
      last_retry = c.now();
    }
    if (leader && runner.pending().empty() && settled(c, *leader)) break;
    if (!leader_at && since() >= b.leader) {
      report.failure =
          "no leader established within " + std::to_string(b.leader) + " ticks of stability";
      return report;
    }
    if (since() >= b.commit) {
      report.failure = std::to_string(runner.pending().size()) + " values still pending after " +
                       std::to_string(b.commit) +
                       " ticks of stability: " + join(runner.pending(), 8);
      return report;
    }
    runner.advance_time();
  }
  report.leader_after = *leader_at;
  report.commit_after = since();

  // 3: a follower that rejoins does not disrupt the leader. Without PreVote
  // the thesis promises no such thing, so the check is for PreVote only.
  if (!runner.options().pre_vote) return report;
  // A transfer started before stability has ended by now, one way or the other.
  for (Time t = 0; t < b.round; ++t)
    runner.advance_time();
  const auto leader = established_leader(c);
  if (!leader || !settled(c, *leader)) return report;  // it moved on: nothing to measure
  const auto cs = c.node(*leader).configuration().to_conf_state();
  std::vector<NodeId> followers;
  for (NodeId v : cs.voters())
    if (v != *leader && c.is_up(v)) followers.push_back(v);
  if (cs.voters_size() < 3 || followers.size() + 1 != static_cast<std::size_t>(cs.voters_size()))
    return report;  // cutting one off would leave no quorum
  const NodeId cut = followers.front();
  const raft::Term term = c.node(*leader).term();
  report.rejoin_checked = true;
  runner.isolate(cut);
  // While it is away the cluster commits a value, so that the follower's log
  // is behind when it returns: PreVote then keeps it from winning (or even
  // starting) an election. With a log still up to date, PreVote alone would
  // let it in, and only CheckQuorum's lease would protect the leader.
  const std::string away = "away" + std::to_string(runner.requests() + 1);
  runner.propose(*leader, away);
  for (Time t = 0; t < b.cut_off; ++t)
    runner.advance_time();
  if (!applied_by(c, *leader, away)) {
    report.failure = "leader " + std::to_string(*leader) + " did not commit '" + away +
                     "' within " + std::to_string(b.cut_off) + " ticks with node " +
                     std::to_string(cut) + " cut off";
    return report;
  }
  runner.heal();
  const std::string value = "rejoin" + std::to_string(runner.requests() + 1);
  runner.propose(*leader, value);
  for (Time t = 0; t < b.rejoin; ++t) {
    runner.advance_time();
    if (runner.violation()) return report;
    if (!c.is_up(*leader) || c.node(*leader).role() != raft::pb::LEADER ||
        c.node(*leader).term() != term) {
      report.failure = "node " + std::to_string(cut) + ", cut off for " +
                       std::to_string(b.cut_off) + " ticks, disrupted leader " +
                       std::to_string(*leader) + " of term " + std::to_string(term) +
                       " when it came back (now " + raft::role_name(c.node(*leader).role()) +
                       " in term " + std::to_string(c.node(*leader).term()) + ")";
      return report;
    }
  }
  if (!applied_by(c, *leader, value))
    report.failure = "leader " + std::to_string(*leader) + " did not commit '" + value +
                     "' within " + std::to_string(b.rejoin) + " ticks of the follower's return";
  return report;
}

}  // namespace etcetera::sim
