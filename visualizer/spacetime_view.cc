#include "visualizer/spacetime_view.h"

#include <set>

#include "raft/describe.h"
#include "visualizer/dot_style.h"

namespace etcetera::viz {
namespace {

using raft::pb::Event;

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

// The lane an event is drawn in: a lost message at its destination (where it
// failed to arrive), the network's events in lane 0, the rest at their node.
NodeId lane_of(const Event& e) {
  if (e.has_message_lost()) return e.message_lost().message().to();
  return e.node();
}

std::string point(std::size_t step, NodeId lane) {
  return "p" + n(step) + "_" + n(lane);
}

}  // namespace

std::string annotation(const Event& e) {
  switch (e.kind_case()) {
    case Event::kRoleChanged:
      if (e.role_changed().to() == raft::pb::LEADER) return "leader t" + n(e.state().term());
      if (e.role_changed().to() == raft::pb::CANDIDATE) return "candidate t" + n(e.state().term());
      if (e.role_changed().to() == raft::pb::PRE_CANDIDATE) return "pre-candidate";
      return raft::role_name(e.role_changed().to());
    case Event::kCommitAdvanced:
      return "commit " + n(e.commit_advanced().to());
    case Event::kNodeCrashed:
      return "crash";
    case Event::kStarted:
      return "start";
    case Event::kProposalAccepted:
      return "propose " + n(e.proposal_accepted().index());
    case Event::kVoteCast:
      return (e.vote_cast().pre_vote() ? "pre-vote " : "vote ") + n(e.vote_cast().candidate());
    case Event::kNetworkPartitioned:
      // describe() gives "Partition: partitioned: {1,2} {3}"; the lane says the rest.
      return raft::describe(e).substr(e.action().size() + 2);
    case Event::kNetworkHealed:
      return "heal";
    case Event::kNote:
      return e.note().text();
    case Event::kMessageLost:
      return "lost";
    case Event::kSnapshotRestored:
      return "snapshot " + n(e.snapshot_restored().index());
    case Event::kLogCompacted:
      return "compact " + n(e.log_compacted().index());
    case Event::kConfChanged:
      return "config";
    case Event::kLockAcquired:
      return "c" + n(e.lock_acquired().client()) + " holds (" +
             std::to_string(e.lock_acquired().token()) + ")";
    case Event::kLockReleased:
      return "c" + n(e.lock_released().client()) + " lets go";
    case Event::kClientPaused:
      return "c" + n(e.client_paused().client()) + " pauses";
    case Event::kLeaseEnded:
      return "c" + n(e.lease_ended().client()) + " lease gone";
    case Event::kResourceWritten:
      return "c" + n(e.resource_written().client()) +
             (e.resource_written().accepted() ? " writes" : " write REFUSED");
    default:
      return "";
  }
}

std::string SpacetimeView::mark(const Replay& r) const {
  return r.step() > 0 ? "ev" + n(r.step()) : "";
}

std::string SpacetimeView::dot(const Replay& r) const {
  if (r.step() == 0) return "";
  const std::size_t first = (r.step() - 1) / kWindow * kWindow + 1;
  return dot_window(r, first, std::min(first + kWindow - 1, r.steps()));
}

std::string SpacetimeView::dot_window(const Replay& r, std::size_t first, std::size_t last) const {
  const auto& events = r.events();
  // Lanes for every node of the whole trace, so windows line up.
  std::set<NodeId> lanes;
  bool clients = false;  // lane 0 also holds lock clients' events (raft/trace.proto, 50 and up)
  for (const auto& e : events) {
    lanes.insert(lane_of(e));
    clients = clients || e.kind_case() >= Event::kLockEnqueued;
  }
  std::vector<NodeId> order(lanes.begin(), lanes.end());  // 0 (the network), if any, first

  std::string out =
      "digraph spacetime {\n"
      "  graph [rankdir=TB, nodesep=0.35, ranksep=0.06, pad=0.15, fontname=Helvetica];\n"
      "  node [fontname=Helvetica, fontsize=9];\n"
      "  edge [arrowsize=0.5];\n";

  // Headers, kept in lane order by invisible edges within their rank.
  out += "  { rank=same; time [label=\"time\", shape=plaintext];";
  for (NodeId lane : order)
    out += " h" + n(lane) + " [label=\"" +
           (lane == 0 ? std::string(clients ? "network, clients" : "network") : "node " + n(lane)) +
           "\", shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\"];";
  out += " }\n  time";
  for (NodeId lane : order)
    out += " -> h" + n(lane);
  out += " [style=invis];\n";

  // One row per step, holding the step's event in its lane and, in the time
  // column, the time where it changes. Only the event is drawn: the rows are
  // kept in order by the invisible time column, the lanes by the lines that
  // join each lane's events.
  std::uint64_t shown_time = ~0ULL;
  for (std::size_t k = first; k <= last; ++k) {
    const Event& e = events[k - 1];
    const NodeId lane = lane_of(e);
    out += "  { rank=same; ";
    const bool new_time = e.time() != shown_time;
    shown_time = e.time();
    out += "t" + n(k) +
           (new_time ? " [shape=plaintext, label=\"t=" + n(e.time()) +
                           "\", fontcolor=\"#777777\", height=0.18];"
                     : " [shape=point, style=invis, height=0.18];");
    {
      const std::string note = annotation(e);
      const bool crash = e.has_node_crashed() || e.has_message_lost();
      std::string attrs = "id=\"ev" + n(k) + "\", tooltip=\"" +
                          quote_escape("step " + n(k) + ": " + raft::describe(e)) + "\"";
      if (note.empty()) {
        attrs += ", shape=circle, width=0.09, label=\"\", style=filled, fillcolor=\"#555555\"";
      } else {
        const bool big = e.has_role_changed() && e.role_changed().to() == raft::pb::LEADER;
        attrs +=
            ", shape=box, style=\"rounded,filled\", height=0.18, margin=\"0.04,0.01\", label=\"" +
            quote_escape(note) + "\", fillcolor=\"" +
            (crash ? std::string("#ffcdd2")
             : big ? role_fill(raft::pb::LEADER)
                   : std::string("#ffffff")) +
            "\"" + (big ? ", penwidth=2" : "");
      }
      out += " " + point(k, lane) + " [" + attrs + "];";
    }
    out += " }\n";
  }

  // Lanes: each lane's events joined in order, heavy so the lanes stay straight.
  for (NodeId l : order) {
    std::string chain = "h" + n(l);
    for (std::size_t k = first; k <= last; ++k)
      if (lane_of(events[k - 1]) == l) chain += " -> " + point(k, l);
    out += "  " + chain + " [arrowhead=none, color=\"#cccccc\", weight=100];\n";
  }
  out += "  time";
  for (std::size_t k = first; k <= last; ++k)
    out += " -> t" + n(k);
  out += " [style=invis, weight=100];\n";

  // Messages whose send and fate both fall in the window.
  for (std::size_t k = first; k <= last; ++k) {
    const Event& e = events[k - 1];
    if (!e.has_message_received() && !e.has_message_lost()) continue;
    const std::size_t from = r.sent_at(k);
    if (from < first || from == 0) continue;
    const auto& m =
        e.has_message_received() ? e.message_received().message() : e.message_lost().message();
    const bool lost = e.has_message_lost();
    const bool heartbeat =
        m.type() == raft::pb::HEARTBEAT_REQUEST || m.type() == raft::pb::HEARTBEAT_RESPONSE;
    out += "  " + point(from, lane_of(events[from - 1])) + " -> " + point(k, lane_of(e)) +
           " [constraint=false, color=\"" +
           (lost        ? std::string("#c62828")
            : heartbeat ? std::string("#bbbbbb")
                        : term_ink(m.term())) +
           "\"" + (lost ? ", style=dashed, arrowhead=tee" : "") + ", tooltip=\"" +
           quote_escape(raft::describe(m)) + "\"];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace etcetera::viz
