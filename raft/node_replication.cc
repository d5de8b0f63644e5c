// Log replication: AppendEntries and its answers, heartbeats, and the commit
// rule (Raft paper, sections 5.3 and 5.4.2; thesis 10.2.2 for pipelining and flow control).
#include <algorithm>

#include "raft/node.h"

namespace etcetera::raft {

// ClientRequest (and the leader's no-op): the entry joins the leader's log,
// unstable until the next Ready is persisted.
Index Node::append_entry(std::string data, pb::EntryType type) {
  pb::Entry e;
  e.set_term(current_term_);
  e.set_index(log_.last_index() + 1);
  e.set_type(type);
  e.set_data(std::move(data));
  log_.append(std::span(&e, 1));
  trace([&](pb::Event& ev) { ev.mutable_proposal_accepted()->set_index(e.index()); });
  trace_appended(e.index(), 0);
  return e.index();
}

// AppendEntries(i, j): sends follower `to` the entries from its next index,
// with the term of the entry before them for the consistency check. Returns
// whether a message went out.
bool Node::send_append(NodeId to, bool send_if_empty) {
  ActionScope scope(*this, "AppendEntries");
  Progress& pr = tracker_.progress(to);
  if (pr.is_paused()) return false;
  // What the follower needs next was compacted away: only a snapshot can help.
  if (pr.next < log_.first_index() || !log_.term(pr.next - 1)) return send_snapshot(to);
  std::vector<pb::Entry> entries =
      log_.entries(pr.next, log_.last_index() + 1, config_.max_entries_per_msg,
                   config_.max_bytes_per_msg);
  if (entries.empty() && !send_if_empty) return false;
  pb::Message m;
  m.set_type(pb::APPEND_ENTRIES_REQUEST);
  m.set_to(to);
  m.set_index(pr.next - 1);
  m.set_log_term(*log_.term(pr.next - 1));
  m.set_commit(log_.committed());
  for (auto& e : entries)
    *m.add_entries() = std::move(e);
  pr.sent_append(m.entries_size() > 0 ? m.entries().rbegin()->index() : 0);
  send(std::move(m));
  return true;
}

// To every member but this node: learners receive the log too.
void Node::bcast_append() {
  for (const auto& [to, pr] : tracker_.all_progress())
    if (to != id_) send_append(to);
}

// Heartbeats carry no entries: they keep followers from starting elections,
// tell them the commit index they can safely use (no more than they match),
// and, with a context, confirm a ReadIndex round.
void Node::send_heartbeat(NodeId to, const std::string& context) {
  ActionScope scope(*this, "Heartbeat");
  pb::Message m;
  m.set_type(pb::HEARTBEAT_REQUEST);
  m.set_to(to);
  m.set_commit(std::min(tracker_.progress(to).match, log_.committed()));
  m.set_context(context);
  send(std::move(m));
}

void Node::bcast_heartbeat(const std::string& context) {
  for (const auto& [to, pr] : tracker_.all_progress())
    if (to != id_) send_heartbeat(to, context);
}

// HandleAppendEntriesRequest: the consistency check, then append (Figure 2).
// A rejection carries the hint: the term of our entry at prev_index and the
// first index we hold of that term (thesis 3.5), so the leader skips a whole
// term per round trip instead of one entry.
void Node::handle_append_entries_request(const pb::Message& m) {
  ActionScope scope(*this, "HandleAppendEntriesRequest");
  pb::Message reply;
  reply.set_type(pb::APPEND_ENTRIES_RESPONSE);
  reply.set_to(m.from());
  if (m.index() < log_.committed()) {
    // Everything through our commit index is known to match the leader's:
    // a late or duplicated request; say how far we really are.
    reply.set_index(log_.committed());
    send(std::move(reply));
    return;
  }
  const Index last_before = log_.last_index();
  const Index commit_before = log_.committed();
  std::vector<pb::Entry> entries(m.entries().begin(), m.entries().end());
  if (auto appended = log_.maybe_append(m.index(), m.log_term(), m.commit(), entries,
                                        config_.mutant == Mutant::kTruncateOnStaleAppend)) {
    if (const Index first = appended->first_written; first != 0)
      trace_appended(first, first <= last_before ? first : 0);
    trace_commit(commit_before);
    reply.set_index(appended->last_new);
  } else {
    const auto [conflict_term, conflict_index] = log_.conflict_hint(m.index());
    reply.set_reject(true);
    reply.set_index(m.index());
    reply.set_conflict_term(conflict_term);
    reply.set_conflict_index(conflict_index);
  }
  send(std::move(reply));
}

// HandleAppendEntriesResponse: on success, the follower matches through
// m.index(); on rejection, move next back using the hint and probe again.
void Node::handle_append_entries_response(const pb::Message& m) {
  ActionScope scope(*this, "HandleAppendEntriesResponse");
  if (m.index() > log_.last_index()) {
    trace_refused("step",
                  "an answer about index " + std::to_string(m.index()) +
                      ", past this leader's last index " + std::to_string(log_.last_index()),
                  &m);
    return;
  }
  if (!answer_from_member(m)) return;
  Progress& pr = tracker_.progress(m.from());
  pr.recent_active = true;
  if (m.reject()) {
    // A rejection of an append we no longer have outstanding is stale; while
    // a snapshot is on its way, every rejection is.
    bool stale = m.index() != pr.next - 1;
    if (pr.state == Progress::State::kReplicate) stale = m.index() <= pr.match;
    if (pr.state == Progress::State::kSnapshot) stale = true;
    if (stale) {
      trace_refused("step", "a stale rejection of index " + std::to_string(m.index()), &m);
      return;
    }
    Index next = m.conflict_index();
    if (m.conflict_term() != 0) {
      if (auto last = log_.last_index_of_term(m.conflict_term())) next = *last + 1;
    }
    // Never past the rejected index (progress is guaranteed), never at or below match.
    next = std::max(std::min(next, m.index()), pr.match + 1);
    pr.become_probe();
    pr.next = next;
    send_append(m.from());
    return;
  }
  const bool was_probe = pr.state == Progress::State::kProbe;
  const bool was_paused = pr.is_paused();
  // A probe answered at the known match index confirms the match as well.
  if (!pr.maybe_update(m.index()) && !(was_probe && m.index() == pr.match)) return;
  if (was_probe || (pr.state == Progress::State::kSnapshot && pr.match >= pr.pending_snapshot)) {
    pr.become_replicate();
  } else {
    pr.inflights.free_to(m.index());
  }
  if (m.from() == lead_transferee_ && pr.match == log_.last_index()) send_timeout_now(m.from());
  if (advance_commit_index()) {
    bcast_append();  // followers learn the new commit index
  } else if (was_paused) {
    send_append(m.from());  // it missed what was sent while paused, the commit index at least
  }
  while (send_append(m.from(), false)) {  // then fill the window with what is left
  }
}

void Node::handle_heartbeat_request(const pb::Message& m) {
  ActionScope scope(*this, "HandleHeartbeatRequest");
  const Index before = log_.committed();
  if (m.commit() > log_.last_index()) {
    trace_refused("step",
                  "heartbeat commit " + std::to_string(m.commit()) +
                      " is past this node's last index " + std::to_string(log_.last_index()),
                  &m);
  } else {
    log_.commit_to(m.commit());
    trace_commit(before);
  }
  pb::Message reply;
  reply.set_type(pb::HEARTBEAT_RESPONSE);
  reply.set_to(m.from());
  reply.set_context(m.context());
  send(std::move(reply));
}

void Node::handle_heartbeat_response(const pb::Message& m) {
  ActionScope scope(*this, "HandleHeartbeatResponse");
  if (!answer_from_member(m)) return;
  Progress& pr = tracker_.progress(m.from());
  pr.recent_active = true;
  pr.probe_sent = false;  // the follower is reachable: probe again
  // A snapshot that is not acknowledged within an election timeout's worth of
  // heartbeats was probably lost: probe, which sends it again if still needed.
  if (pr.state == Progress::State::kSnapshot && ++pr.snapshot_heartbeats >= config_.election_tick)
    pr.become_probe();
  if (pr.state == Progress::State::kReplicate && pr.inflights.full()) pr.inflights.free_first_one();
  if (pr.match < log_.last_index()) send_append(m.from());
  if (!m.context().empty()) confirm_reads(m.from(), m.context());
}

// AdvanceCommitIndex: the highest index a majority matches becomes committed
// — but only if its entry is from the current term. An older entry is
// committed indirectly, by the one after it (section 5.4.2, Figure 8).
// Answers from a node removed since the request went out are refused: the
// leader keeps no progress for it any more.
bool Node::answer_from_member(const pb::Message& m) const {
  if (tracker_.has_progress(m.from())) return true;
  trace_refused("step",
                "an answer from node " + std::to_string(m.from()) + ", which is no longer a member",
                &m);
  return false;
}

bool Node::advance_commit_index() {
  ActionScope scope(*this, "AdvanceCommitIndex");
  const Index quorum_index = tracker_.committed_index();
  const bool own_term =
      log_.term(quorum_index) == current_term_ || config_.mutant == Mutant::kFigure8Commit;
  if (quorum_index <= log_.committed() || !own_term) return false;
  const Index before = log_.committed();
  log_.commit_to(quorum_index);
  trace_commit(before);
  return true;
}

bool Node::committed_entry_in_current_term() const {
  return log_.term(log_.committed()) == current_term_;
}

}  // namespace etcetera::raft
