#include "tests/spec/trace_builder.h"

namespace etcetera::tests {
namespace {

pb::ConfState conf_state(const std::vector<NodeId>& incoming,
                         const std::vector<NodeId>& outgoing = {}) {
  pb::ConfState cs;
  for (NodeId id : incoming)
    cs.add_voters(id);
  for (NodeId id : outgoing)
    cs.add_voters_outgoing(id);
  return cs;
}

pb::Message message(pb::MessageType type, NodeId from, NodeId to, Term term) {
  pb::Message m;
  m.set_type(type);
  m.set_from(from);
  m.set_to(to);
  m.set_term(term);
  return m;
}

}  // namespace

pb::Event TraceBuilder::event(NodeId id, const std::string& action) {
  pb::Event e;
  e.set_node(id);
  e.set_action(action);
  return e;
}

void TraceBuilder::emit(const pb::Event& e) {
  pb::Event out = e;
  *out.mutable_state() = states_[e.node()];
  view_.apply(out);
}

TraceBuilder& TraceBuilder::start(NodeId id, std::vector<Term> terms, Term term, NodeId vote,
                                  Index commit, Index first_index, std::vector<Index> conf) {
  pb::NodeState& s = states_[id];
  s = pb::NodeState();
  s.set_term(term);
  s.set_vote(vote);
  s.set_commit(commit);
  pb::Event e = event(id, "Restart");
  auto* st = e.mutable_started();
  st->set_first_index(first_index);
  if (first_index > 1) st->set_snapshot_term(terms.empty() ? term : terms.front());
  for (Term t : terms)
    st->add_terms(t);
  for (Index k : conf)
    st->add_conf_indexes(k);
  *st->mutable_conf_state() = conf_state(voters_);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::role(NodeId id, const std::string& action, pb::Role to) {
  pb::Event e = event(id, action);
  e.mutable_role_changed()->set_from(states_[id].role());
  e.mutable_role_changed()->set_to(to);
  states_[id].set_role(to);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::term(NodeId id, const std::string& action, Term to, NodeId vote) {
  pb::Event e = event(id, action);
  e.mutable_term_changed()->set_from(states_[id].term());
  e.mutable_term_changed()->set_to(to);
  states_[id].set_term(to);
  states_[id].set_vote(vote);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::leader(NodeId id, const std::string& action, NodeId leader) {
  pb::Event e = event(id, action);
  e.mutable_leader_changed()->set_leader(leader);
  states_[id].set_leader(leader);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::vote(NodeId id, const std::string& action, NodeId candidate,
                                 bool pre_vote) {
  pb::Event e = event(id, action);
  e.mutable_vote_cast()->set_candidate(candidate);
  e.mutable_vote_cast()->set_pre_vote(pre_vote);
  if (!pre_vote) states_[id].set_vote(candidate);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::reject_vote(NodeId id, NodeId candidate, bool pre_vote) {
  pb::Event e = event(id, "HandleRequestVoteRequest");
  e.mutable_vote_rejected()->set_candidate(candidate);
  e.mutable_vote_rejected()->set_pre_vote(pre_vote);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::append(NodeId id, const std::string& action, Index first,
                                   std::vector<Term> terms, std::vector<Index> conf) {
  pb::Event e = event(id, action);
  auto* a = e.mutable_entries_appended();
  a->set_first_index(first);
  if (view_.nodes().contains(id) && first <= view_.nodes().at(id).log.size())
    a->set_truncated_from(first);
  for (Term t : terms)
    a->add_terms(t);
  for (Index k : conf)
    a->add_conf_indexes(k);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::commit(NodeId id, const std::string& action, Index to) {
  pb::Event e = event(id, action);
  e.mutable_commit_advanced()->set_from(states_[id].commit());
  e.mutable_commit_advanced()->set_to(to);
  states_[id].set_commit(to);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::send(NodeId id, const std::string& action, const pb::Message& m) {
  pb::Event e = event(id, action);
  *e.mutable_message_sent()->mutable_message() = m;
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::receive(NodeId id, const pb::Message& m) {
  pb::Event e = event(id, "Receive");
  *e.mutable_message_received()->mutable_message() = m;
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::refuse(NodeId id, const std::string& action, const std::string& input,
                                   const pb::Message* m) {
  pb::Event e = event(id, action);
  e.mutable_input_refused()->set_input(input);
  if (m != nullptr) *e.mutable_input_refused()->mutable_message() = *m;
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::compact(NodeId id, Index index, Term term) {
  pb::Event e = event(id, "Compact");
  e.mutable_log_compacted()->set_index(index);
  e.mutable_log_compacted()->set_term(term);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::apply_conf(NodeId id, Index index, bool enter,
                                       std::vector<NodeId> incoming, std::vector<NodeId> outgoing) {
  pb::Event e = event(id, "ApplyConfChange");
  auto* c = e.mutable_conf_changed();
  c->set_index(index);
  if (enter) c->mutable_change()->add_changes()->set_node(incoming.back());
  *c->mutable_conf_state() = conf_state(incoming, outgoing);
  emit(e);
  return *this;
}

TraceBuilder& TraceBuilder::elect(NodeId id, Term t) {
  const NodeId voter = id % voters_.size() + 1;
  const auto& log = view_.nodes().at(id).log;
  const Index last = log.size();
  const Term last_term = log.empty() ? 0 : log.back();
  const pb::Message request = vote_request(id, voter, t, last, last_term);
  term(id, "BecomeCandidate", t, id);
  role(id, "BecomeCandidate", pb::CANDIDATE);
  vote(id, "BecomeCandidate", id);
  send(id, "Timeout", request);
  receive(voter, request);
  if (states_[voter].term() < t) {
    if (states_[voter].role() != pb::FOLLOWER) role(voter, "UpdateTerm", pb::FOLLOWER);
    term(voter, "UpdateTerm", t);
  }
  vote(voter, "HandleRequestVoteRequest", id);
  send(voter, "HandleRequestVoteRequest", vote_response(voter, id, t, true));
  receive(id, vote_response(voter, id, t, true));
  append(id, "BecomeLeader", last + 1, {t});
  role(id, "BecomeLeader", pb::LEADER);
  return leader(id, "BecomeLeader", id);
}

pb::Message vote_request(NodeId from, NodeId to, Term term, Index last_index, Term last_term,
                         bool pre_vote) {
  pb::Message m =
      message(pre_vote ? pb::PRE_VOTE_REQUEST : pb::REQUEST_VOTE_REQUEST, from, to, term);
  m.set_index(last_index);
  m.set_log_term(last_term);
  return m;
}

pb::Message vote_response(NodeId from, NodeId to, Term term, bool granted, bool pre_vote) {
  pb::Message m =
      message(pre_vote ? pb::PRE_VOTE_RESPONSE : pb::REQUEST_VOTE_RESPONSE, from, to, term);
  m.set_reject(!granted);
  return m;
}

pb::Message append_request(NodeId from, NodeId to, Term term, Index prev, Term prev_term,
                           std::vector<Term> entry_terms, Index commit) {
  pb::Message m = message(pb::APPEND_ENTRIES_REQUEST, from, to, term);
  m.set_index(prev);
  m.set_log_term(prev_term);
  m.set_commit(commit);
  Index k = prev;
  for (Term t : entry_terms) {
    auto* e = m.add_entries();
    e->set_index(++k);
    e->set_term(t);
  }
  return m;
}

pb::Message append_response(NodeId from, NodeId to, Term term, Index index, bool reject,
                            Term conflict_term, Index conflict_index) {
  pb::Message m = message(pb::APPEND_ENTRIES_RESPONSE, from, to, term);
  m.set_index(index);
  m.set_reject(reject);
  m.set_conflict_term(conflict_term);
  m.set_conflict_index(conflict_index);
  return m;
}

pb::Message heartbeat(NodeId from, NodeId to, Term term, Index commit) {
  pb::Message m = message(pb::HEARTBEAT_REQUEST, from, to, term);
  m.set_commit(commit);
  return m;
}

pb::Message snapshot_request(NodeId from, NodeId to, Term term, Index index, Term snapshot_term,
                             std::vector<NodeId> voters) {
  pb::Message m = message(pb::INSTALL_SNAPSHOT_REQUEST, from, to, term);
  auto* meta = m.mutable_snapshot()->mutable_metadata();
  meta->set_index(index);
  meta->set_term(snapshot_term);
  *meta->mutable_conf_state() = conf_state(voters);
  return m;
}

}  // namespace etcetera::tests
