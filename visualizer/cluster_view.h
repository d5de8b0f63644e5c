// The cluster view: every node as a box (role, term, vote, last log entry,
// commit and applied index; grey when crashed), the messages on the wire as
// arrows between them, the partition's groups as dashed frames, and the
// current step's node and message in red.
//
// Nodes keep their places from step to step (a circle; side-by-side groups
// while partitioned), so that a reader stepping through sees only what
// changed move. Messages between the same two nodes share one arrow whose
// label lists them, oldest first.
#pragma once

#include "visualizer/view.h"

namespace etcetera::viz {

class ClusterView final : public View {
 public:
  std::string id() const override { return "cluster"; }
  std::string title() const override { return "Cluster"; }
  std::string engine() const override { return "neato"; }
  std::string dot(const Replay& replay) const override;
};

// A message in a few words for an arrow's label: "AppendEntries t2 4/2 +3".
std::string message_label(const raft::pb::Message& m);

}  // namespace etcetera::viz
