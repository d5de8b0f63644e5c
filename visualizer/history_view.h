// The history view: the part of a history that a linearizability check found
// wanting, drawn as a timeline in one self-contained HTML page (inline SVG
// and CSS; no script, nothing fetched). One lane per client process; each
// operation a bar from its call to its return. The longest order the checker
// could explain is numbered, with a linearization point on each bar that
// agrees with the order; the operation that could not follow it is red.
//
// The horizontal axis is the rank of the drawn operations' events, not their
// raw positions in the history: a part is one key of a history that
// interleaves many, and raw positions would squeeze most bars into slivers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "spec/linearizability/checker.h"
#include "spec/linearizability/history.h"
#include "spec/linearizability/model.h"

namespace etcetera::viz {

// A part up to this many operations is drawn from its start.
inline constexpr std::size_t kWholePartUpTo = 60;
// For a longer one, the window reaches back to the earliest call among this
// many last operations of the explained order (with a known outcome) and the
// operation that could not follow.
inline constexpr std::size_t kWindowTail = 20;

// Which operations of a part the diagram draws.
struct HistoryWindow {
  std::vector<std::size_t> operations;  // indices into the history, in order of call
  bool windowed = false;                // cut down to the window around the failure
  // The window, as history event positions: an operation is drawn if it
  // overlaps [from, to].
  std::size_t from = 0, to = spec::lin::kNever;
};

// Operations called after the stuck one returned are never drawn: the
// explained order ends before them. A part of up to kWholePartUpTo
// operations is drawn from its start; for a longer one, `from` is the
// earliest call among the last kWindowTail operations of `part.longest`
// whose outcome is known and the stuck one. An operation of unknown outcome
// overlaps every window after its call, so those that the order already
// placed before that tail are left out: in the drawn order they took effect
// before the window.
HistoryWindow history_window(const spec::lin::History& history, const spec::lin::PartResult& part);

// A short text for a bar: "put v3", "get → v2", "get → nil", "get → \"\"",
// "cas v1→v2 ✗" (with the key after the function when `with_key`: "put k1 v3").
std::string op_label(const spec::lin::Operation& op, bool with_key);

// The page for a part that is not linearizable (part.verdict is
// kNotLinearizable); `model` is the one the part was checked against, for
// the state the explained order leaves.
std::string history_html(const spec::lin::History& history, const spec::lin::PartResult& part,
                         const spec::lin::Model& model, std::string_view title);

}  // namespace etcetera::viz
