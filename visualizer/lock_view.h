// The lock view: each lock's queue as the store holds it, the lock clients
// and what each believes, and the protected resource (visualizer/lock_board.h).
//
//   - The queue is a table in create-revision order: the first key holds the
//     lock (its revision is the fencing token) once its client reads that
//     it is first; each later key waits for the deletion of the one before
//     it (no thundering herd).
//   - A client is green while it believes it holds the lock and its key
//     still heads the queue; RED when it believes it holds a lock whose
//     queue no longer starts with its key (its lease ran out); dashed while
//     its process is paused.
//   - The resource shows the highest token it has accepted and its last
//     verdict; a refused write is red.
// The element the current step changed is drawn in the highlight colour.
// Empty (no panel) until the trace shows a lock event.
#pragma once

#include "visualizer/view.h"

namespace etcetera::viz {

class LockView final : public View {
 public:
  std::string id() const override { return "locks"; }
  std::string title() const override { return "Locks"; }
  std::string engine() const override { return "dot"; }
  std::string dot(const Replay& replay) const override;
};

}  // namespace etcetera::viz
