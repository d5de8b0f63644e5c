// Trace events that more than one handler reports.
#include "raft/node.h"

namespace etcetera::raft {

void Node::fill_state(pb::NodeState& s) const {
  s.set_role(role_);
  s.set_term(current_term_);
  s.set_vote(voted_for_);
  s.set_leader(leader_);
  s.set_commit(log_.committed());
  s.set_applied(log_.applied());
  s.set_last_index(log_.last_index());
  s.set_last_term(log_.last_term());
}

void Node::trace_refused(std::string_view input, std::string reason, const pb::Message* m) const {
  trace([&](pb::Event& e) {
    auto* r = e.mutable_input_refused();
    r->set_input(std::string(input));
    r->set_reason(std::move(reason));
    if (m != nullptr) *r->mutable_message() = *m;
  });
}

pb::NodeState Node::trace_state() const {
  pb::NodeState s;
  fill_state(s);
  return s;
}

void Node::trace_appended(Index first, Index truncated_from) const {
  trace([&](pb::Event& e) {
    auto* a = e.mutable_entries_appended();
    a->set_first_index(first);
    a->set_truncated_from(truncated_from);
    const Index end = log_.last_index() + 1;
    for (const pb::Entry& entry : log_.entries(first, end, end - first)) {
      a->add_terms(entry.term());
      if (entry.type() == pb::ENTRY_CONF_CHANGE) a->add_conf_indexes(entry.index());
    }
  });
}

void Node::trace_commit(Index from) const {
  if (log_.committed() == from) return;
  trace([&](pb::Event& e) {
    e.mutable_commit_advanced()->set_from(from);
    e.mutable_commit_advanced()->set_to(log_.committed());
  });
}

}  // namespace etcetera::raft
