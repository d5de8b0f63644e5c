#include "visualizer/history_layout.h"

#include <algorithm>
#include <set>

#include "visualizer/history_view.h"

namespace etcetera::viz::history_layout {
namespace {

using spec::lin::History;
using spec::lin::kNever;
using spec::lin::Operation;
using spec::lin::PartResult;

// A linearization point for each drawn operation of the explained order,
// consistent with it: each one at its call, or just after the point before
// it if that is later. This fits inside every bar because the order is a
// valid one: no operation comes after another that returned before its
// call. Points that share a column are spread across it, in order.
void place_points(const History& h, const PartResult& part, Layout& l) {
  const std::set<std::size_t> drawn(l.ops.begin(), l.ops.end());
  std::vector<double> base;
  double last = -1;
  for (std::size_t i = 0; i < part.longest.size(); ++i) {
    const std::size_t op = part.longest[i];
    l.order[op] = i + 1;
    if (!drawn.contains(op)) continue;
    last = std::max(last, l.column_of(h.operations[op].call));
    l.drawn_order.push_back(op);
    base.push_back(last);
  }
  for (std::size_t i = 0; i < base.size();) {
    std::size_t j = i;
    while (j < base.size() && base[j] == base[i])
      ++j;
    for (std::size_t k = i; k < j; ++k)
      l.point[l.drawn_order[k]] =
          base[k] + static_cast<double>(k - i + 1) / static_cast<double>(j - i + 1);
    i = j;
  }
}

// One lane per process, in process order; within a lane an operation takes
// the first row free at its call (a process whose operation never returned
// may, in a hand-made history, call again).
void place_lanes(const History& h, Layout& l) {
  std::map<std::uint64_t, std::vector<double>> busy_until;  // process -> per row
  for (std::size_t op : l.ops)
    busy_until[h.operations[op].process];
  std::map<std::uint64_t, std::size_t> lane_of;
  for (const auto& [process, rows] : busy_until) {
    lane_of[process] = l.lanes.size();
    l.lanes.push_back(Layout::Lane{process, 1, 0});
  }
  for (std::size_t op : l.ops) {
    const Operation& o = h.operations[op];
    auto& rows = busy_until[o.process];
    const double call = l.column_of(o.call);
    std::size_t row = 0;
    while (row < rows.size() && rows[row] >= call)
      ++row;
    if (row == rows.size()) rows.push_back(0);
    rows[row] = l.column_of(o.ret);
    const std::size_t lane = lane_of[o.process];
    l.lanes[lane].rows = std::max(l.lanes[lane].rows, row + 1);
    l.slot[op] = Layout::Slot{lane, row};
  }
  double top = kAxisHeight;
  for (auto& lane : l.lanes) {
    lane.top = top;
    top += static_cast<double>(lane.rows) * kRowHeight;
  }
  l.height = top - kAxisHeight;
}

// Each column starts where the bars ending in it have room for their text,
// so a quick operation among slow ones still reads; one pass from the left
// suffices because a bar's call is always left of its return.
void size_columns(const History& h, Layout& l) {
  const bool with_key = spans_keys(h, l.ops);
  const std::size_t n = l.positions.size();
  std::vector<std::vector<std::size_t>> ending(n + 1);
  for (std::size_t op : l.ops)
    ending[static_cast<std::size_t>(l.column_of(h.operations[op].ret))].push_back(op);
  l.left.assign(n + 1, kLabelWidth + 16);
  for (std::size_t c = 0; c <= n; ++c) {
    if (c > 0) l.left[c] = l.left[c - 1] + (c == n ? kRightMargin : kMinColumn);
    for (std::size_t op : ending[c]) {
      const Operation& o = h.operations[op];
      double need = std::min(static_cast<double>(chars(op_label(o, with_key))) * kCharWidth + 12,
                             kMaxBarText);
      if (o.ret == kNever) need += kUnknownTail;
      const auto call = static_cast<std::size_t>(l.column_of(o.call));
      l.left[c] = std::max(l.left[c], l.left[call] + need);
    }
  }
}

}  // namespace

double Layout::column_of(std::size_t position) const {
  if (position == kNever) return static_cast<double>(positions.size());
  return static_cast<double>(std::lower_bound(positions.begin(), positions.end(), position) -
                             positions.begin());
}

double Layout::x(double column) const {
  const auto c = static_cast<std::size_t>(column);
  if (c + 1 >= left.size()) return left.back();
  return left[c] + (column - static_cast<double>(c)) * (left[c + 1] - left[c]);
}

Layout lay_out(const History& h, const PartResult& part, const std::vector<std::size_t>& ops) {
  Layout l;
  l.ops = ops;
  std::set<std::size_t> positions;
  for (std::size_t op : l.ops) {
    positions.insert(h.operations[op].call);
    if (h.operations[op].ret != kNever) positions.insert(h.operations[op].ret);
  }
  l.positions.assign(positions.begin(), positions.end());
  size_columns(h, l);
  place_points(h, part, l);
  place_lanes(h, l);
  return l;
}

std::size_t chars(const std::string& text) {
  std::size_t n = 0;
  for (char c : text)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  return n;
}

bool spans_keys(const History& h, const std::vector<std::size_t>& ops) {
  for (std::size_t op : ops)
    if (h.operations[op].key != h.operations[ops.front()].key) return true;
  return false;
}

}  // namespace etcetera::viz::history_layout
