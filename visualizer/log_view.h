// The log view: a row per node, a cell per entry showing its term, coloured
// by term. Committed entries are filled, uncommitted ones only outlined;
// entries folded into a snapshot are grey. Entries the current leader's log
// contradicts — which the leader will overwrite — are struck through and
// framed in red, and the entries the current step appended are framed too.
// Long logs show their last kWindow indexes.
#pragma once

#include "visualizer/view.h"

namespace etcetera::viz {

class LogView final : public View {
 public:
  static constexpr std::size_t kWindow = 24;
  std::string id() const override { return "log"; }
  std::string title() const override { return "Logs"; }
  std::string engine() const override { return "dot"; }
  std::string dot(const Replay& replay) const override;
};

// Whether a follower's entry (index, term) will be overwritten by the leader
// whose log is `leader_log` (terms, index 1 first) in term `leader_term`: the
// leader holds another term at that index, or the entry lies beyond the
// leader's log with an older term (anything the leader appends there has a
// term of at least its own). Terms of 0 are unknown and never judged.
bool will_be_overwritten(const std::vector<Term>& leader_log, Term leader_term, Index index,
                         Term term);

}  // namespace etcetera::viz
