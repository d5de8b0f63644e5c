// The space-time diagram: a lane per node (and one for the network's own
// events), time flowing down, one row per step, and an arrow from each
// message's send to its arrival (or to the cross where it was lost).
// Elections, commits, crashes, partitions and notes are written beside the
// step that made them.
//
// One diagram covers a window of kWindow steps, so every step of a window
// shares it; the current step is the element with id "ev<step>", which the
// player highlights.
#pragma once

#include "visualizer/view.h"

namespace etcetera::viz {

class SpacetimeView final : public View {
 public:
  static constexpr std::size_t kWindow = 40;
  std::string id() const override { return "spacetime"; }
  std::string title() const override { return "Space-time"; }
  std::string engine() const override { return "dot"; }
  std::string dot(const Replay& replay) const override;
  std::string mark(const Replay& replay) const override;

  // The same diagram for any window of steps [first, last] (1-based), for
  // etcetera-viz --window and the docs.
  std::string dot_window(const Replay& replay, std::size_t first, std::size_t last) const;
};

// A step's annotation in the space-time diagram ("leader t3", "commit 5",
// "crash"), or empty for the many steps that get only a dot.
std::string annotation(const raft::pb::Event& e);

}  // namespace etcetera::viz
