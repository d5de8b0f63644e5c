// The geometry of the history view (visualizer/history_view.h), apart from
// the drawing: which column each call and return gets and how wide it is,
// which lane and row each bar takes, and where the linearization points
// fall. Used by history_view.cc only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "spec/linearizability/checker.h"
#include "spec/linearizability/history.h"

namespace etcetera::viz::history_layout {

// In SVG pixels. Bar text is monospace so that its width, and so the room a
// bar needs, is known without a browser.
inline constexpr double kLabelWidth = 112;  // the lane labels' column
inline constexpr double kAxisHeight = 34;
inline constexpr double kRowHeight = 40;  // a lane has one row, more if its process's bars overlap
inline constexpr double kBarHeight = 20;
inline constexpr double kCharWidth = 6.7;  // of the bars' 11px monospace
// Narrow, so that a busy window stays on one screen; two order numbers in
// one row always stand more than a column apart.
inline constexpr double kMinColumn = 16;
inline constexpr double kMaxBarText = 190;  // longer labels are cut; the tooltip has them whole
inline constexpr double kUnknownTail = 54;  // "unknown" at the end of a bar that never returns
inline constexpr double kRightMargin = 40;  // between the last event and the right edge

// Where everything goes. Columns are ranks: column c holds the c-th event
// position among the drawn operations' calls and returns.
struct Layout {
  struct Lane {
    std::uint64_t process = 0;
    std::size_t rows = 1;
    double top = 0;
  };
  struct Slot {
    std::size_t lane = 0, row = 0;
  };

  std::vector<std::size_t> ops;              // drawn, in order of call
  std::vector<std::size_t> positions;        // their event positions, ascending
  std::map<std::size_t, std::size_t> order;  // op -> place in the explained order, from 1
  std::map<std::size_t, double> point;       // op -> its linearization point, in columns
  std::vector<std::size_t> drawn_order;      // the drawn operations of the order, in order
  std::vector<Lane> lanes;
  std::map<std::size_t, Slot> slot;
  // The x of each column, and last the right edge, where unknown returns
  // go. Columns are as wide as the bars ending in them need.
  std::vector<double> left;
  double height = 0;  // of the lanes together

  // An unknown return is one column past the last event: the right edge.
  double column_of(std::size_t position) const;
  // Between two columns (a linearization point), in proportion.
  double x(double column) const;
  double width() const { return left.back() + 12; }
  // Bars sit low in their row, leaving the order number room above.
  double bar_top(std::size_t op) const {
    const Slot& s = slot.at(op);
    return lanes[s.lane].top + static_cast<double>(s.row + 1) * kRowHeight - kBarHeight - 6;
  }
};

// The layout of `ops` (indices into `history`, in order of call) of `part`.
Layout lay_out(const spec::lin::History& history, const spec::lin::PartResult& part,
               const std::vector<std::size_t>& ops);

// Characters (UTF-8 code points) in `text`.
std::size_t chars(const std::string& text);
// Whether `ops` touch more than one key, so that bars must name theirs.
bool spans_keys(const spec::lin::History& history, const std::vector<std::size_t>& ops);

}  // namespace etcetera::viz::history_layout
