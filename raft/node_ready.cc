// Ready batches: what goes into one, and what advance() records once the
// application has carried it out (raft/ready.h states the order).
#include "raft/node.h"

namespace etcetera::raft {
namespace {

bool same(const pb::HardState& a, const pb::HardState& b) {
  return a.term() == b.term() && a.vote() == b.vote() && a.commit() == b.commit();
}

// Messages that speak of state this node must have on disk first: a vote (or
// the candidate's vote for itself), a term, entries claimed as appended.
bool needs_persist(const pb::Message& m) {
  return m.type() == pb::REQUEST_VOTE_REQUEST || m.type() == pb::REQUEST_VOTE_RESPONSE ||
         m.type() == pb::APPEND_ENTRIES_RESPONSE;
}

}  // namespace

pb::HardState Node::hard_state() const {
  pb::HardState hs;
  hs.set_term(current_term_);
  hs.set_vote(voted_for_);
  hs.set_commit(log_.committed());
  return hs;
}

void Node::send(pb::Message m) {
  m.set_from(id_);
  if (m.term() == 0) m.set_term(current_term_);
  const bool after_persist = needs_persist(m);
  trace([&](pb::Event& e) {
    *e.mutable_message_sent()->mutable_message() = m;
    e.mutable_message_sent()->set_after_persist(after_persist);
  });
  (after_persist ? msgs_after_persist_ : msgs_).push_back(std::move(m));
}

bool Node::has_ready() const {
  if (outstanding_) return false;
  return log_.has_unstable() || log_.pending_snapshot() ||
         !same(hard_state(), persisted_hard_state_) || !msgs_.empty() ||
         !msgs_after_persist_.empty() || log_.has_next_committed_entries() ||
         !ready_reads_.empty() || !refused_reads_.empty();
}

Ready Node::ready() {
  if (outstanding_)
    raft_fatal("ready() called again before advance() of Ready " +
               std::to_string(outstanding_->number));
  Ready rd;
  rd.number = next_ready_number_++;
  rd.snapshot = log_.pending_snapshot();
  if (pb::HardState hs = hard_state(); !same(hs, persisted_hard_state_)) rd.hard_state = hs;
  rd.entries = log_.unstable_entries();
  rd.messages = std::exchange(msgs_, {});
  rd.persisted_messages = std::exchange(msgs_after_persist_, {});
  rd.committed_entries = log_.next_committed_entries();
  rd.read_states = std::exchange(ready_reads_, {});
  rd.refused_reads = std::exchange(refused_reads_, {});
  Outstanding out{.number = rd.number,
                  .snapshot_index = rd.snapshot ? rd.snapshot->metadata().index() : 0,
                  .last_entry = std::nullopt,
                  .hard_state = rd.hard_state,
                  .applied_through = log_.applied()};
  if (!rd.entries.empty()) out.last_entry = {{rd.entries.back().index(), rd.entries.back().term()}};
  if (!rd.committed_entries.empty()) out.applied_through = rd.committed_entries.back().index();
  outstanding_ = out;
  return rd;
}

Result<void> Node::advance(std::uint64_t number) {
  ActionScope scope(*this, "Advance");
  if (!outstanding_ || outstanding_->number != number) {
    std::string why = outstanding_
                          ? "Ready " + std::to_string(number) + " is not the outstanding one (" +
                                std::to_string(outstanding_->number) + ")"
                          : "no Ready is outstanding";
    trace_refused("advance", why);
    return fail(Error::Code::kReadyMismatch, why);
  }
  const Outstanding done = *std::exchange(outstanding_, std::nullopt);
  if (done.hard_state) persisted_hard_state_ = *done.hard_state;
  if (done.snapshot_index > 0) {
    // Persisted and applied: the state machine now stands at the snapshot.
    log_.stable_snapshot_to(done.snapshot_index);
    if (done.snapshot_index > log_.applied()) {
      const Index from = log_.applied();
      log_.applied_to(done.snapshot_index);
      trace([&](pb::Event& e) {
        e.mutable_entries_applied()->set_from(from + 1);
        e.mutable_entries_applied()->set_to(done.snapshot_index);
      });
    }
  }
  if (done.last_entry) {
    log_.stable_to(done.last_entry->first, done.last_entry->second);
    trace([&](pb::Event& e) {
      e.mutable_entries_persisted()->set_through_index(done.last_entry->first);
      e.mutable_entries_persisted()->set_through_term(done.last_entry->second);
    });
  }
  if (const Index from = log_.applied(); done.applied_through > from) {
    log_.applied_to(done.applied_through);
    trace([&](pb::Event& e) {
      e.mutable_entries_applied()->set_from(from + 1);
      e.mutable_entries_applied()->set_to(done.applied_through);
    });
  }
  if (role_ == pb::LEADER && tracker_.progress(id_).maybe_update(log_.last_persisted_index())) {
    if (advance_commit_index()) bcast_append();
  }
  maybe_leave_joint();
  release_applied_reads();
  return {};
}

}  // namespace etcetera::raft
