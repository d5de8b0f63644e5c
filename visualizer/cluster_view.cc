#include "visualizer/cluster_view.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>

#include "raft/describe.h"
#include "visualizer/dot_style.h"

namespace etcetera::viz {
namespace {

using raft::pb::Message;

struct Point {
  double x = 0, y = 0;  // inches
};

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

std::string pos(Point p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f,%.2f!", p.x, p.y);
  return buf;
}

// Every node the trace has shown so far, including those only named as a
// message's end.
std::set<NodeId> all_nodes(const Replay& r) {
  std::set<NodeId> ids;
  for (const auto& [id, look] : r.nodes())
    if (id != 0) ids.insert(id);
  for (const auto& f : r.in_flight()) {
    ids.insert(f.message.from());
    ids.insert(f.message.to());
  }
  if (const Message* m = r.message()) {
    ids.insert(m->from());
    ids.insert(m->to());
  }
  ids.erase(0);
  return ids;
}

// The partition's groups, with every node in exactly one of them (a node the
// partition event did not name sits alone).
std::vector<std::vector<NodeId>> groups_of(const Replay& r, const std::set<NodeId>& ids) {
  std::vector<std::vector<NodeId>> groups;
  std::set<NodeId> placed;
  for (const auto& g : r.partition()) {
    std::vector<NodeId> members;
    for (NodeId id : g)
      if (ids.contains(id) && placed.insert(id).second) members.push_back(id);
    if (!members.empty()) groups.push_back(members);
  }
  for (NodeId id : ids)
    if (!placed.contains(id)) groups.push_back({id});
  return groups;
}

constexpr double kRadius = 1.9;  // of the circle of nodes
constexpr double kColumn = 2.6;  // between partition groups
constexpr double kRow = 1.45;    // between nodes of a group
constexpr double kNodeWidth = 1.6;

std::string node_label(NodeId id, const NodeLook* look) {
  std::string rows = "<TR><TD><B>node " + n(id) + "</B></TD></TR>";
  if (look == nullptr) return "<<TABLE BORDER=\"0\" CELLSPACING=\"0\">" + rows + "</TABLE>>";
  const auto& s = look->state;
  auto row = [&](const std::string& text) { rows += "<TR><TD>" + text + "</TD></TR>"; };
  if (!look->up) {
    row("crashed");
    row("term " + n(s.term()) + " · last " + n(s.last_index()));
  } else {
    row(raft::role_name(s.role()) + " · term " + n(s.term()));
    row("vote " + (s.vote() ? n(s.vote()) : std::string("–")) + " · leader " +
        (s.leader() ? n(s.leader()) : std::string("–")));
    row("last " + n(s.last_index()) + " (term " + n(s.last_term()) + ")");
    row("commit " + n(s.commit()) + " · applied " + n(s.applied()));
  }
  return "<<TABLE BORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">" + rows + "</TABLE>>";
}

}  // namespace

std::string message_label(const Message& m) {
  const std::string t = " t" + n(m.term());
  const std::string no = m.reject() ? " ✗" : " ✓";
  switch (m.type()) {
    case raft::pb::PRE_VOTE_REQUEST:
      return "PreVote" + t + " last " + n(m.index()) + "/" + n(m.log_term());
    case raft::pb::REQUEST_VOTE_REQUEST:
      return "RequestVote" + t + " last " + n(m.index()) + "/" + n(m.log_term());
    case raft::pb::PRE_VOTE_RESPONSE:
      return "PreVote reply" + t + no;
    case raft::pb::REQUEST_VOTE_RESPONSE:
      return "Vote reply" + t + no;
    case raft::pb::APPEND_ENTRIES_REQUEST:
      return "Append" + t + " after " + n(m.index()) + "/" + n(m.log_term()) +
             (m.entries_size() ? " +" + n(static_cast<std::uint64_t>(m.entries_size())) : "") +
             " c" + n(m.commit());
    case raft::pb::APPEND_ENTRIES_RESPONSE:
      return "Append reply" + t + (m.reject() ? " ✗ at " : " ✓ to ") + n(m.index());
    case raft::pb::HEARTBEAT_REQUEST:
      return "Heartbeat" + t + " c" + n(m.commit());
    case raft::pb::HEARTBEAT_RESPONSE:
      return "Heartbeat reply" + t;
    case raft::pb::READ_INDEX_REQUEST:
      return "ReadIndex" + t;
    case raft::pb::READ_INDEX_RESPONSE:
      return "ReadIndex reply" + t + (m.reject() ? " ✗" : " at " + n(m.index()));
    case raft::pb::INSTALL_SNAPSHOT_REQUEST:
      return "Snapshot" + t + " " + n(m.snapshot().metadata().index()) + "/" +
             n(m.snapshot().metadata().term());
    case raft::pb::TIMEOUT_NOW_REQUEST:
      return "TimeoutNow" + t;
    default:
      return "message" + t;
  }
}

std::string ClusterView::dot(const Replay& r) const {
  const std::set<NodeId> ids = all_nodes(r);
  if (ids.empty()) return "";
  const NodeId current = r.step() > 0 ? r.event().node() : 0;

  std::string out =
      "digraph cluster_view {\n"
      "  graph [splines=true, overlap=true, outputorder=edgesfirst, pad=0.2, fontname=Helvetica];\n"
      "  node [shape=box, style=\"rounded,filled\", fontname=Helvetica, fontsize=10, "
      "width=" +
      std::to_string(kNodeWidth) +
      ", margin=0.05];\n"
      "  edge [fontname=Helvetica, fontsize=8, arrowsize=0.7];\n";

  // Places: a circle, or groups side by side (each framed) while partitioned.
  std::map<NodeId, Point> at;
  std::map<NodeId, int> group_index;
  if (r.partition().empty()) {
    const double step = 2 * std::numbers::pi / static_cast<double>(ids.size());
    double angle = std::numbers::pi / 2;
    for (NodeId id : ids) {
      at[id] = {kRadius * std::cos(angle), kRadius * std::sin(angle)};
      angle -= step;
    }
  } else {
    const auto groups = groups_of(r, ids);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const double x = kColumn * static_cast<double>(g);
      const double height = kRow * static_cast<double>(groups[g].size());
      for (std::size_t k = 0; k < groups[g].size(); ++k) {
        at[groups[g][k]] = {x, -kRow * static_cast<double>(k)};
        group_index[groups[g][k]] = static_cast<int>(g);
      }
      // The frame is a node of its own, declared first so it lies beneath.
      out += "  group" + std::to_string(g) + " [label=\"partition group " + std::to_string(g + 1) +
             "\", labelloc=t, shape=box, style=\"rounded,dashed\", " +
             "color=\"#888888\", fontcolor=\"#666666\", fixedsize=true, width=" +
             std::to_string(kNodeWidth + 0.5) + ", height=" + std::to_string(height + 0.2) +
             ", pos=\"" + pos({x, -kRow * static_cast<double>(groups[g].size() - 1) / 2 + 0.2}) +
             "\"];\n";
    }
  }

  for (NodeId id : ids) {
    auto it = r.nodes().find(id);
    const NodeLook* look = it == r.nodes().end() ? nullptr : &it->second;
    const bool up = look == nullptr || look->up;
    const std::string fill =
        !up ? std::string(kDownFill) : role_fill(look ? look->state.role() : raft::pb::FOLLOWER);
    out += "  n" + n(id) + " [id=\"node" + n(id) + "\", label=" + node_label(id, look) +
           ", fillcolor=\"" + fill + "\", pos=\"" + pos(at[id]) + "\"";
    if (!up) out += ", style=\"rounded,filled,dashed\", fontcolor=\"#666666\"";
    if (id == current) out += ", color=\"" + std::string(kHighlight) + "\", penwidth=3";
    out += "];\n";
  }

  // One arrow per direction of a link, labelled with its messages.
  std::map<std::pair<NodeId, NodeId>, std::vector<std::string>> lines;
  std::map<std::pair<NodeId, NodeId>, bool> has_new;
  for (const auto& f : r.in_flight()) {
    const auto link = std::make_pair(f.message.from(), f.message.to());
    lines[link].push_back(message_label(f.message));
    if (f.sent == r.step() && r.fate() == MessageFate::kSent) has_new[link] = true;
  }
  const bool cut_links = !r.partition().empty();
  for (const auto& [link, labels] : lines) {
    std::string text;
    const std::size_t shown = std::min<std::size_t>(labels.size(), 3);
    for (std::size_t i = 0; i < shown; ++i)
      text += html_escape(labels[i]) + "\\l";
    if (labels.size() > shown) text += "+" + std::to_string(labels.size() - shown) + " more\\l";
    const bool cut = cut_links && group_index[link.first] != group_index[link.second];
    out += "  n" + n(link.first) + " -> n" + n(link.second) + " [label=\"" + text + "\"";
    if (has_new[link])
      out += ", color=\"" + std::string(kHighlight) + "\", penwidth=2.2";
    else if (cut)
      out += ", color=\"#c62828\", style=dashed";
    else
      out += ", color=\"#555555\"";
    out += "];\n";
  }

  // The message this step received, lost or copied is off the wire (or a
  // copy of it), so it gets an arrow of its own.
  if (const Message* m = r.message(); m && r.fate() != MessageFate::kSent) {
    std::string what;
    std::string style = "solid";
    switch (r.fate()) {
      case MessageFate::kReceived:
        what = "received: ";
        break;
      case MessageFate::kLost:
        what = "lost: ";
        style = "dashed";
        break;
      default:
        what = "copied: ";
        style = "dotted";
        break;
    }
    out += "  n" + n(m->from()) + " -> n" + n(m->to()) + " [label=\"" +
           html_escape(what + message_label(*m)) + "\", color=\"" + std::string(kHighlight) +
           "\", fontcolor=\"" + std::string(kHighlight) + "\", penwidth=2.2, style=" + style +
           (r.fate() == MessageFate::kLost ? ", arrowhead=tee" : "") + "];\n";
  }

  if (const auto& v = r.violation())
    out += "  graph [label=\"" + quote_wrapped("INVARIANT VIOLATED: " + *v, 70) +
           "\", labelloc=t, fontcolor=\"" + std::string(kHighlight) + "\", fontsize=12];\n";
  out += "}\n";
  return out;
}

}  // namespace etcetera::viz
