#include "visualizer/log_view.h"

#include <algorithm>

#include "raft/describe.h"
#include "visualizer/dot_style.h"

namespace etcetera::viz {
namespace {

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

std::string cell(const std::string& text, const std::string& attrs) {
  return "<TD " + attrs + ">" + text + "</TD>";
}

}  // namespace

bool will_be_overwritten(const std::vector<Term>& leader_log, Term leader_term, Index index,
                         Term term) {
  if (term == 0 || index == 0) return false;
  if (index <= leader_log.size()) {
    const Term theirs = leader_log[index - 1];
    return theirs != 0 && theirs != term;
  }
  return term < leader_term;
}

std::string LogView::dot(const Replay& r) const {
  const auto& spec_nodes = r.view().nodes();
  std::vector<NodeId> ids;
  Index last = 0;
  for (const auto& [id, node] : spec_nodes) {
    if (id == 0) continue;
    ids.push_back(id);
    last = std::max<Index>(last, node.log.size());
  }
  if (ids.empty()) return "";
  const Index lo = last > kWindow ? last - kWindow + 1 : 1;

  const NodeId current = r.step() > 0 ? r.event().node() : 0;
  const NodeId leader = r.leader();
  const spec::NodeView* leader_view = nullptr;
  if (auto it = spec_nodes.find(leader); leader != 0 && it != spec_nodes.end())
    leader_view = &it->second;

  // The entries the current step appended, to frame them.
  NodeId appender = 0;
  Index appended_from = 0, appended_to = 0;
  if (r.step() > 0 && r.event().has_entries_appended()) {
    const auto& a = r.event().entries_appended();
    appender = r.event().node();
    appended_from = a.first_index();
    appended_to = a.first_index() + static_cast<Index>(a.terms_size());
  }

  std::string rows = "<TR>" + cell("index", "BORDER=\"0\" ALIGN=\"RIGHT\"");
  if (lo > 1) rows += cell("…", "BORDER=\"0\"");
  for (Index i = lo; i <= last; ++i)
    rows += cell("<FONT POINT-SIZE=\"8\">" + n(i) + "</FONT>", "BORDER=\"0\"");
  rows += "</TR>";

  for (NodeId id : ids) {
    const spec::NodeView& node = spec_nodes.at(id);
    auto look = r.nodes().find(id);
    const bool up = look == r.nodes().end() || look->second.up;
    const std::string row_fill = up ? role_fill(node.role) : std::string(kDownFill);
    const std::string name = "node " + n(id) + (up ? "" : " (down)");
    rows += "<TR>" + cell(id == current ? "<B>" + name + "</B>" : name,
                          "BGCOLOR=\"" + row_fill + "\" ALIGN=\"LEFT\"");
    if (lo > 1) rows += cell("1–" + n(lo - 1), "BORDER=\"0\"");
    for (Index i = lo; i <= last; ++i) {
      if (i > node.log.size()) {
        rows += cell(" ", "BORDER=\"0\"");
        continue;
      }
      const Term term = node.log[i - 1];
      std::string text = n(term);
      std::string fill = "white", border = "black", width = "1";
      if (i <= node.snapshot_index) {
        fill = "#e0e0e0";
        border = "#aaaaaa";
        text = "<FONT COLOR=\"#888888\">" + text + "</FONT>";
      } else if (i <= node.commit_index) {
        fill = term_fill(term);
      } else {
        border = term_ink(term);
        text = "<FONT COLOR=\"" + term_ink(term) + "\"><I>" + text + "</I></FONT>";
      }
      const bool doomed = leader_view != nullptr && id != leader && i > node.snapshot_index &&
                          will_be_overwritten(leader_view->log, leader_view->current_term, i, term);
      const bool fresh = id == appender && i >= appended_from && i < appended_to;
      if (doomed) text = "<S>" + text + "</S>";
      if (doomed || fresh) {
        border = std::string(kHighlight);
        width = "3";
      }
      rows += cell(text, "BGCOLOR=\"" + fill + "\" COLOR=\"" + border + "\" BORDER=\"" + width +
                             "\" WIDTH=\"22\"");
    }
    rows += cell("<FONT POINT-SIZE=\"9\">commit " + n(node.commit_index) + "</FONT>",
                 "BORDER=\"0\" ALIGN=\"LEFT\"");
    rows += "</TR>";
  }

  const std::string legend =
      "filled: committed · outlined: not yet committed · grey: in a snapshot · "
      "red frame: appended by this step, or struck through: the leader will overwrite it";
  return "digraph log_view {\n  graph [pad=0.1, fontname=Helvetica, fontsize=8, "
         "fontcolor=\"#666666\", "
         "labelloc=b, label=\"" +
         quote_escape(legend) +
         "\"];\n"
         "  node [shape=plaintext, fontname=Helvetica, fontsize=10];\n"
         "  logs [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"2\" "
         "CELLPADDING=\"3\">" +
         rows + "</TABLE>>];\n}\n";
}

}  // namespace etcetera::viz
