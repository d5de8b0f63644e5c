// View: one kind of diagram of a replay's current step, as Graphviz DOT.
// The player shows one panel per view; etcetera-viz writes one file per view
// and step. A new diagram (the lock queue, a client history) is one more
// View: nothing else in the visualizer changes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "visualizer/replay.h"

namespace etcetera::viz {

class View {
 public:
  virtual ~View() = default;
  // A short name for ids and file names ("cluster"), and a title to show.
  virtual std::string id() const = 0;
  virtual std::string title() const = 0;
  // The Graphviz layout engine the DOT is written for ("dot", "neato").
  virtual std::string engine() const = 0;
  // The diagram of the replay's current step; empty when the view has
  // nothing to show. Steps whose DOT is the same share one rendered frame,
  // so a view should leave out what did not change what it draws.
  virtual std::string dot(const Replay& replay) const = 0;
  // The id of the element of the diagram that stands for the current step,
  // when one diagram spans many steps (the space-time view); else empty.
  virtual std::string mark(const Replay&) const { return ""; }
};

// The cluster, log, space-time and lock views, in that order (the lock view
// draws nothing until a trace shows a lock event).
std::vector<std::unique_ptr<View>> standard_views();

}  // namespace etcetera::viz
