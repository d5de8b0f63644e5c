// The step validator, part two: messages. What a node receives (the message
// its handlers then work on), what it sends, and what the spec's handler
// would do with the message: the expected change to the log and the commit
// index, and the reply.
#include <algorithm>

#include "spec/raft_steps_internal.h"

namespace etcetera::spec::steps {
namespace {

bool is_vote_request(pb::MessageType t) {
  return t == pb::REQUEST_VOTE_REQUEST || t == pb::PRE_VOTE_REQUEST;
}

bool is_answer(pb::MessageType t) {
  return t == pb::REQUEST_VOTE_RESPONSE || t == pb::PRE_VOTE_RESPONSE ||
         t == pb::APPEND_ENTRIES_RESPONSE || t == pb::HEARTBEAT_RESPONSE;
}

// Messages sent only after the sender persisted the state they speak of
// (raft/ready.h): their delivery proves it persisted.
bool sent_after_persist(pb::MessageType t) {
  return t == pb::REQUEST_VOTE_REQUEST || t == pb::REQUEST_VOTE_RESPONSE ||
         t == pb::APPEND_ENTRIES_RESPONSE;
}

}  // namespace

bool Step::is_handled(const pb::Message& m) const {
  const auto& h = ctx_.msg;
  return h.active && m.type() == h.type && m.from() == h.from && m.term() == h.term &&
         m.index() == h.index && m.log_term() == h.log_term && m.commit() == h.commit &&
         m.reject() == h.reject &&
         static_cast<std::size_t>(m.entries_size()) == h.entry_terms.size();
}

// Node::step has taken a message: it is what the handlers of this step work
// on. Only its term is judged here (Node::step's term rules); its answers are
// counted as the spec's handlers count them.
void Step::received() {
  const pb::Message& m = e_.message_received().message();
  StepValidator::Handled& h = ctx_.msg;
  h.active = true;
  h.type = m.type();
  h.from = m.from();
  h.term = m.term();
  h.index = m.index();
  h.log_term = m.log_term();
  h.commit = m.commit();
  h.reject = m.reject();
  h.entry_terms.clear();
  h.entry_is_conf.clear();
  for (const pb::Entry& entry : m.entries()) {
    h.entry_terms.push_back(entry.term());
    h.entry_is_conf.push_back(entry.type() == pb::ENTRY_CONF_CHANGE);
  }
  h.snapshot_index = m.snapshot().metadata().index();
  h.snapshot_term = m.snapshot().metadata().term();
  ctx_.expected = {};
  ctx_.vote_verdict = -1;
  ctx_.role_at_receive = before_.role;
  const Term term = before_.current_term;
  if (m.term() > term && adopts_term(m.type(), m.reject())) ctx_.must_adopt = m.term();
  if (sent_after_persist(m.type())) {
    StepValidator::NodeSteps& sender = nodes_[m.from()];
    sender.persisted_term = std::max(sender.persisted_term, m.term());
    const NodeId vote = m.type() == pb::REQUEST_VOTE_REQUEST                   ? m.from()
                        : m.type() == pb::REQUEST_VOTE_RESPONSE && !m.reject() ? m.to()
                                                                               : 0;
    if (vote != 0 && m.term() >= sender.persisted_vote_term) {
      sender.persisted_vote_term = m.term();
      sender.persisted_vote = vote;
    }
  }
  // votesGranted of a PreCandidate: a granted answer for the term it asks about.
  if (m.type() == pb::PRE_VOTE_RESPONSE && !m.reject() && before_.role == pb::PRE_CANDIDATE &&
      m.term() == term + 1)
    ctx_.prevotes.insert(m.from());
  if (m.term() >= term && is_answer(m.type())) count_response(m);
}

// HandleRequestVoteResponse and HandleAppendEntriesResponse (with the
// AdvanceCommitIndex it calls) decide from the receiver's state alone, after
// UpdateTerm if the answer carries a term to adopt.
void Step::count_response(const pb::Message& m) {
  const bool adopt = ctx_.must_adopt != 0;
  const pb::Role role = adopt ? pb::FOLLOWER : before_.role;
  const Term term = adopt ? m.term() : before_.current_term;
  if (m.type() == pb::APPEND_ENTRIES_RESPONSE || m.type() == pb::HEARTBEAT_RESPONSE) {
    if (role != pb::LEADER) {
      coverage_.add(Branch::kAppendResponseNotLeader);
    } else if (m.type() == pb::HEARTBEAT_RESPONSE) {
      coverage_.add(Branch::kAppendResponseHeartbeat);
    } else if (m.reject()) {
      coverage_.add(Branch::kAppendResponseRejection);
    } else {
      coverage_.add(Branch::kAppendResponseSuccess);
      if (m.index() > before_.log.size()) return;  // refused by the leader
      const Index q = quorum_index(before_, id_, m.from(), m.index());
      if (q <= before_.commit_index)
        coverage_.add(Branch::kAdvanceCommitIndexNothingNew);
      else if (term_at(before_, q) != term)
        coverage_.add(Branch::kAdvanceCommitIndexEarlierTerm);
      // else it commits, counted when it does
    }
    return;
  }
  const bool pre_vote = m.type() == pb::PRE_VOTE_RESPONSE;
  const bool counts = pre_vote ? role == pb::PRE_CANDIDATE && m.term() == term + 1
                               : role == pb::CANDIDATE && m.term() == term;
  if (!counts) {
    coverage_.add(Branch::kVoteResponseNotCounted);
    return;
  }
  if (m.reject()) {
    coverage_.add(Branch::kVoteResponseRejection);
    return;
  }
  const auto granted = [&](NodeId v) {
    if (v == id_ || v == m.from()) return true;
    if (pre_vote) return ctx_.prevotes.contains(v);
    auto it = before_.votes_granted.find(v);
    return it != before_.votes_granted.end() && it->second;
  };
  const bool wins = before_.config.is_quorum(granted);
  coverage_.add(
      pre_vote ? (wins ? Branch::kVoteResponsePreVoteQuorum : Branch::kVoteResponsePreVoteCounted)
               : (wins ? Branch::kVoteResponseVoteQuorum : Branch::kVoteResponseVoteCounted));
}

void Step::sent() {
  const pb::Message& m = e_.message_sent().message();
  if (m.from() != id_) fail("sent " + a_type(m.type()) + " as node " + n(m.from()));
  const Act act = action_.act;
  const bool last_log_ok = m.index() == before_.log.size() && m.log_term() == last_term(before_);
  switch (m.type()) {
    case pb::PRE_VOTE_REQUEST:
      if (act != Act::kTimeout) {
        fail("sent a PreVoteRequest, which only Timeout sends");
      } else if (s_.role() != pb::PRE_CANDIDATE || m.term() != s_.term() + 1 || !last_log_ok) {
        fail("sent a PreVoteRequest for term " + n(m.term()) + " with last entry " + n(m.index()) +
             "/" + n(m.log_term()) + " as a " + role_name(s_.role()) + " of term " + n(s_.term()) +
             " whose log ends at " + n(before_.log.size()) + "/" + n(last_term(before_)));
      }
      if (!ctx_.round_open || ctx_.round_asked.contains(m.to())) {
        // Timeout again as a PreCandidate: a new round (no role change shows it).
        coverage_.add(Branch::kBecomePreCandidateNewRound);
        coverage_.add(Branch::kTimeoutPreVote);
        ctx_.round_asked.clear();
        ctx_.prevotes.clear();
      }
      ctx_.round_open = true;
      ctx_.round_asked.insert(m.to());
      break;
    case pb::REQUEST_VOTE_REQUEST:
      if (act != Act::kTimeout && act != Act::kHandleRequestVoteResponse &&
          act != Act::kHandleTimeoutNowRequest) {
        fail("sent a RequestVoteRequest, which only a new candidate sends");
      } else if (s_.role() != pb::CANDIDATE || m.term() != s_.term() || !last_log_ok) {
        fail("sent a RequestVoteRequest for term " + n(m.term()) + " with last entry " +
             n(m.index()) + "/" + n(m.log_term()) + " as a " + role_name(s_.role()) + " of term " +
             n(s_.term()) + " whose log ends at " + n(before_.log.size()) + "/" +
             n(last_term(before_)));
      }
      break;
    case pb::PRE_VOTE_RESPONSE:
    case pb::REQUEST_VOTE_RESPONSE:
      check_vote_reply(m);
      break;
    case pb::APPEND_ENTRIES_REQUEST:
      check_append_request(m);
      break;
    case pb::HEARTBEAT_REQUEST:
      if (act != Act::kHeartbeat || s_.role() != pb::LEADER || m.term() != s_.term())
        fail("sent a heartbeat of term " + n(m.term()) + " as a " + role_name(s_.role()) +
             " of term " + n(s_.term()));
      else if (m.commit() > s_.commit())
        fail("sent commit index " + n(m.commit()) + ", past its own " + n(s_.commit()));
      else
        coverage_.add(Branch::kAppendEntriesHeartbeat);
      break;
    case pb::INSTALL_SNAPSHOT_REQUEST: {
      const auto& meta = m.snapshot().metadata();
      if (act != Act::kInstallSnapshot || s_.role() != pb::LEADER || m.term() != s_.term())
        fail("sent a snapshot in term " + n(m.term()) + " as a " + role_name(s_.role()) +
             " of term " + n(s_.term()));
      else if (before_.snapshot_index == 0 || meta.index() != before_.snapshot_index ||
               meta.term() != before_.snapshot_term)
        fail("sent snapshot " + n(meta.index()) + "/" + n(meta.term()) + ", but its snapshot is " +
             n(before_.snapshot_index) + "/" + n(before_.snapshot_term));
      else
        coverage_.add(Branch::kSendSnapshotSent);
      break;
    }
    case pb::APPEND_ENTRIES_RESPONSE:
    case pb::HEARTBEAT_RESPONSE:
      check_append_reply(m);
      break;
    default:
      break;  // not messages of the spec: ReadIndex and TimeoutNow
  }
}

void Step::check_vote_reply(const pb::Message& m) {
  if (action_.act == Act::kDropStaleMessage) {
    // The C++ answers a stale pre-vote with its newer term; the spec drops it.
    if (m.type() != pb::PRE_VOTE_RESPONSE || !m.reject() || m.term() != s_.term())
      fail("answered a stale message with " + a_type(m.type()));
    else
      coverage_.add(Branch::kDropStaleMessageAnswered);
    return;
  }
  if (action_.act != Act::kHandleRequestVoteRequest) {
    fail("sent " + a_type(m.type()) + ", which only HandleRequestVoteRequest sends");
    return;
  }
  if (ctx_.vote_verdict < 0) {
    fail("answered a vote request without deciding it");
    return;
  }
  const auto& h = ctx_.msg;
  const bool granted = ctx_.vote_verdict == 1;
  const bool pre_vote = h.type == pb::PRE_VOTE_REQUEST;
  const auto want = pre_vote ? pb::PRE_VOTE_RESPONSE : pb::REQUEST_VOTE_RESPONSE;
  const Term term = pre_vote && granted ? h.term : s_.term();
  if (m.type() != want || m.to() != h.from)
    fail("answered " + a_type(h.type) + " from node " + n(h.from) + " with " + a_type(m.type()) +
         " to node " + n(m.to()));
  else if (m.reject() == granted)
    fail(std::string("answered a ") + (granted ? "granted" : "refused") + " vote with a " +
         (m.reject() ? "rejection" : "grant"));
  else if (m.term() != term)
    fail("answered in term " + n(m.term()) + " where the spec's handler answers in term " +
         n(term));
}

// AppendEntries(i, j): the entries at nextIndex with the term of the one
// before, from a leader whose snapshot does not cover them. The commit index
// it carries is the leader's (the spec caps it at the last entry sent).
void Step::check_append_request(const pb::Message& m) {
  if (action_.act != Act::kAppendEntries) {
    fail("sent an AppendEntriesRequest, which only AppendEntries sends");
    return;
  }
  if (s_.role() != pb::LEADER || m.term() != s_.term()) {
    fail("sent an AppendEntriesRequest of term " + n(m.term()) + " as a " + role_name(s_.role()) +
         " of term " + n(s_.term()) + ": AppendEntries is enabled only for a leader");
    return;
  }
  const Index prev = m.index(), len = before_.log.size();
  if (prev < before_.snapshot_index) {
    fail("sent entries after " + n(prev) + ", which its snapshot through " +
         n(before_.snapshot_index) + " covers: only SendSnapshot is enabled");
    return;
  }
  if (prev > len) {
    fail("sent prevLogIndex " + n(prev) + " past its last entry " + n(len));
    return;
  }
  const Term prev_term =
      prev == before_.snapshot_index ? before_.snapshot_term : term_at(before_, prev);
  if (m.log_term() != prev_term) {
    fail("sent prevLogTerm " + n(m.log_term()) + " for its entry " + n(prev) + " of term " +
         n(prev_term));
    return;
  }
  Index k = prev;
  for (const pb::Entry& entry : m.entries()) {
    ++k;
    if (entry.index() != k || k > len || entry.term() != term_at(before_, k)) {
      fail("sent entry " + n(entry.index()) + "/" + n(entry.term()) + ", but its entry " + n(k) +
           " has term " + n(term_at(before_, k)));
      return;
    }
  }
  if (m.commit() > s_.commit()) {
    fail("sent commit index " + n(m.commit()) + ", past its own " + n(s_.commit()));
    return;
  }
  coverage_.add(m.entries_size() > 0 ? Branch::kAppendEntriesWithEntries
                                     : Branch::kAppendEntriesEmpty);
}

// The reply ends the handler: it must be the spec's, and the handler's
// changes must all have been made by then.
void Step::check_append_reply(const pb::Message& m) {
  const Act act = action_.act;
  if (act == Act::kDropStaleMessage) {
    // The C++ answers a stale leader with its newer term; the spec drops it.
    if (m.type() != pb::APPEND_ENTRIES_RESPONSE || !m.reject() || m.term() != s_.term())
      fail("answered a stale message with " + a_type(m.type()));
    else
      coverage_.add(Branch::kDropStaleMessageAnswered);
    return;
  }
  const bool heartbeat = act == Act::kHandleHeartbeatRequest;
  if (act != Act::kHandleAppendEntriesRequest && act != Act::kHandleInstallSnapshotRequest &&
      !heartbeat) {
    fail("sent " + a_type(m.type()) + ", which only the append and snapshot handlers send");
    return;
  }
  const StepValidator::Expected& x = ctx_.expected;
  if (!x.ready || x.branch == Branch::kCount) return;
  const auto want = heartbeat ? pb::HEARTBEAT_RESPONSE : pb::APPEND_ENTRIES_RESPONSE;
  if (m.type() != want || m.to() != ctx_.msg.from || m.term() != s_.term()) {
    fail("answered " + a_type(ctx_.msg.type) + " from node " + n(ctx_.msg.from) + " with " +
         a_type(m.type()) + " of term " + n(m.term()) + " to node " + n(m.to()));
    return;
  }
  if (!heartbeat) {
    if (m.reject() != x.reject)
      fail(std::string("answered with a ") + (m.reject() ? "rejection" : "success") +
           " where the spec's handler " + (x.reject ? "rejects" : "succeeds"));
    else if (m.index() != x.reply_index)
      fail("answered with index " + n(m.index()) + " where the spec's handler answers " +
           n(x.reply_index));
    else if (x.reject &&
             (m.conflict_term() != x.conflict_term || m.conflict_index() != x.conflict_index))
      fail("hinted conflict term " + n(m.conflict_term()) + " from index " + n(m.conflict_index()) +
           " where the spec's handler hints term " + n(x.conflict_term) + " from index " +
           n(x.conflict_index));
  }
  if (s_.commit() < x.commit)
    fail("answered with commitIndex " + n(s_.commit()) + " where the spec's handler makes it " +
         n(x.commit));
  if (x.first_write != 0 && !x.wrote)
    fail("answered without writing the request's entries from " + n(x.first_write));
  if (x.restore && !x.restored) fail("answered without installing the snapshot");
}

// HandleRequestVoteRequest's decision, reported as VoteCast or VoteRejected.
void Step::vote_verdict(bool granted) {
  const auto& h = ctx_.msg;
  if (!h.active || !is_vote_request(h.type)) {
    fail("decided a vote with no vote request to handle");
    return;
  }
  const Term term = before_.current_term;
  const bool pre_vote = h.type == pb::PRE_VOTE_REQUEST;
  if (!(h.term == term || (h.term > term && !adopts_term(h.type, h.reject)))) {
    fail("decided " + a_type(h.type) + " of term " + n(h.term) + " in its term " + n(term) +
         ": the handler needs a message of its own term (IsCurrent)");
    return;
  }
  ctx_.vote_verdict = granted ? 1 : 0;
  const bool log_ok = log_up_to_date(before_, h.log_term, h.index);
  const std::string whose = "node " + n(h.from) + ", whose log ends at " + n(h.index) + "/" +
                            n(h.log_term) + " behind its own " + n(before_.log.size()) + "/" +
                            n(last_term(before_));
  const NodeId voted = before_.voted_for;
  if (granted) {
    const auto& vc = e_.vote_cast();
    if (vc.candidate() != h.from || vc.pre_vote() != pre_vote)
      fail("granted a vote to node " + n(vc.candidate()) + " while handling a " +
           type_name(h.type) + " from node " + n(h.from));
    else if (!log_ok)
      fail(std::string(pre_vote ? "granted a pre-vote to " : "granted a vote to ") + whose +
           " (the election restriction)");
    else if (pre_vote && h.term > term)
      coverage_.add(Branch::kRequestVotePreVoteGranted);
    else if (pre_vote && ((voted == 0 && s_.leader() == 0) || voted == h.from))
      coverage_.add(Branch::kRequestVotePreVoteGrantedOwnTerm);
    else if (pre_vote)
      fail("granted a pre-vote for its own term " + n(term) + " while " +
           (voted != 0 ? "voted for node " + n(voted) : "following node " + n(s_.leader())));
    else if (voted != 0 && voted != h.from)
      fail("voted for node " + n(h.from) + " in term " + n(term) +
           ", although it had voted for node " + n(voted) + " in that term");
    else if (s_.vote() != h.from)
      fail("granted its vote to node " + n(h.from) + " but votedFor is " + n(s_.vote()));
    else
      coverage_.add(Branch::kRequestVoteGranted);
    return;
  }
  if (pre_vote) {
    if (h.term > term && log_ok)
      fail("refused a pre-vote for term " + n(h.term) + " to node " + n(h.from) +
           ", whose log is up to date: the spec grants it");
    else
      coverage_.add(Branch::kRequestVotePreVoteRefused);
  } else if (!log_ok) {
    coverage_.add(Branch::kRequestVoteRefusedLog);
  } else if (voted != 0 && voted != h.from) {
    coverage_.add(Branch::kRequestVoteRefusedVoted);
  } else if (s_.leader() != 0) {
    coverage_.add(Branch::kRequestVoteRefusedLeaderKnown);  // leader stickiness
  } else {
    fail("refused its vote in term " + n(term) + " to node " + n(h.from) +
         ", whose log is up to date, with no vote cast and no leader known: the spec grants it");
  }
}

// At the first event of HandleAppendEntriesRequest, HandleHeartbeatRequest
// or HandleInstallSnapshotRequest: the enabling condition, and what the
// spec's handler does from the node's state now.
void Step::expect() {
  StepValidator::Expected& x = ctx_.expected;
  if (x.ready) return;
  x.ready = true;
  const auto& h = ctx_.msg;
  const Act act = action_.act;
  const auto want = act == Act::kHandleAppendEntriesRequest ? pb::APPEND_ENTRIES_REQUEST
                    : act == Act::kHandleHeartbeatRequest   ? pb::HEARTBEAT_REQUEST
                                                            : pb::INSTALL_SNAPSHOT_REQUEST;
  if (!h.active || h.type != want) {
    fail("runs with no " + type_name(want) + " to handle");
    return;  // branch stays kCount: nothing more to compare
  }
  if (h.term != before_.current_term) {
    fail("handles " + a_type(h.type) + " of term " + n(h.term) + " in its term " +
         n(before_.current_term) + ": the handler needs a message of its own term (IsCurrent)");
    return;
  }
  if (before_.role != pb::FOLLOWER) {
    fail("handles " + a_type(h.type) + " as a " + role_name(before_.role) +
         ": a leader may not, and a candidate becomes a Follower first");
    return;
  }
  x.commit = before_.commit_index;
  if (act == Act::kHandleAppendEntriesRequest)
    expect_append();
  else if (act == Act::kHandleHeartbeatRequest)
    expect_heartbeat();
  else
    expect_snapshot();
  coverage_.add(x.branch);
}

void Step::expect_append() {
  const auto& h = ctx_.msg;
  StepValidator::Expected& x = ctx_.expected;
  const Index len = before_.log.size(), prev = h.index, commit = before_.commit_index;
  if (prev < commit) {
    // The C++ answers any request below its commit index with it; the spec
    // only those below its snapshot (spec/README.md).
    x.branch = Branch::kAppendRequestBelowCommit;
    x.reply_index = commit;
    return;
  }
  const bool log_ok = prev == 0 || (prev <= len && term_at(before_, prev) == h.log_term);
  if (!log_ok) {
    x.branch = Branch::kAppendRequestRejects;
    x.reject = true;
    x.reply_index = prev;
    if (prev <= len) {
      x.conflict_term = term_at(before_, prev);
      Index first = prev;
      while (first > before_.snapshot_index + 1 && term_at(before_, first - 1) == x.conflict_term)
        --first;
      x.conflict_index = first;
    } else {
      x.conflict_index = len + 1;
    }
    return;
  }
  // The first entry not already held (same index and term): a request may be
  // late or duplicated, so what matches is kept, with everything after it.
  for (std::size_t k = 0; k < h.entry_terms.size(); ++k) {
    const Index idx = prev + 1 + k;
    if (idx > len || term_at(before_, idx) != h.entry_terms[k]) {
      x.first_write = idx;
      break;
    }
  }
  x.branch = h.entry_terms.empty()  ? Branch::kAppendRequestNoEntries
             : x.first_write == 0   ? Branch::kAppendRequestAlreadyHeld
             : x.first_write <= len ? Branch::kAppendRequestTruncates
                                    : Branch::kAppendRequestAppends;
  const Index last_new = prev + h.entry_terms.size();
  x.commit = std::max(commit, std::min(h.commit, last_new));
  x.reply_index = last_new;
}

// A heartbeat is an AppendEntries whose prevLogIndex is the commit index it
// carries and that has no entry: its consistency check holds iff the
// follower's entry there is the one committed, and then it learns that index.
void Step::expect_heartbeat() {
  const auto& h = ctx_.msg;
  StepValidator::Expected& x = ctx_.expected;
  const Index commit = before_.commit_index;
  if (h.commit > before_.log.size()) {
    x.branch = Branch::kAppendRequestHeartbeatRefused;
    return;
  }
  x.branch = Branch::kAppendRequestHeartbeat;
  x.commit = std::max(commit, h.commit);
  if (h.commit <= commit) return;
  auto it = view_.committed().find(h.commit);
  if (it != view_.committed().end() && it->second.term != term_at(before_, h.commit))
    fail("learns commit index " + n(h.commit) + " from a heartbeat, but its entry " + n(h.commit) +
         " has term " + n(term_at(before_, h.commit)) + ", not the committed " +
         n(it->second.term) + ": the AppendEntries it stands for fails the consistency check");
}

void Step::expect_snapshot() {
  const auto& h = ctx_.msg;
  StepValidator::Expected& x = ctx_.expected;
  const Index idx = h.snapshot_index;
  if (idx <= before_.commit_index) {
    x.branch = Branch::kSnapshotRequestRefused;
    x.reply_index = before_.commit_index;
    return;
  }
  x.commit = idx;
  x.reply_index = idx;
  if (idx <= before_.log.size() && term_at(before_, idx) == h.snapshot_term) {
    x.branch = Branch::kSnapshotRequestKeepsSuffix;
  } else {
    x.branch = Branch::kSnapshotRequestReplacesLog;
    x.restore = true;
  }
}

// HandleAppendEntriesRequest writes from the first entry it does not hold,
// exactly the request's entries from there, and nothing else.
void Step::appended_by_handler() {
  StepValidator::Expected& x = ctx_.expected;
  if (!x.ready || x.branch == Branch::kCount) return;
  const auto& h = ctx_.msg;
  const auto& a = e_.entries_appended();
  const Index first = a.first_index(), prev = h.index, end = prev + h.entry_terms.size();
  const auto request_term = [&](Index k) { return h.entry_terms[k - prev - 1]; };
  if (x.first_write == 0 || first < x.first_write) {
    if (first > prev && first <= end && first <= before_.log.size() &&
        term_at(before_, first) == request_term(first))
      fail("truncated entry " + n(first) + " of term " + n(term_at(before_, first)) +
           " although the request's entry " + n(first) + " has term " + n(request_term(first)));
    else if (x.branch == Branch::kAppendRequestBelowCommit)
      fail("changed its log although the request's prevLogIndex " + n(prev) +
           " is below its commit index " + n(before_.commit_index));
    else if (x.reject)
      fail("changed its log although it has no entry " + n(prev) + "/" + n(h.log_term) +
           ": the consistency check fails");
    else
      fail("wrote its log from " + n(first) + ", outside the request's entries " + n(prev + 1) +
           ".." + n(end));
    return;
  }
  if (first > x.first_write) {
    fail("kept entry " + n(x.first_write) + " of term " + n(term_at(before_, x.first_write)) +
         " although the request's entry " + n(x.first_write) + " has term " +
         n(request_term(x.first_write)));
    return;
  }
  bool same = static_cast<Index>(a.terms_size()) == end - first + 1;
  for (int k = 0; same && k < a.terms_size(); ++k)
    same = a.terms(k) == request_term(first + static_cast<Index>(k));
  std::vector<Index> conf;
  for (Index k = first; k <= end; ++k)
    if (h.entry_is_conf[k - prev - 1]) conf.push_back(k);
  if (!same)
    fail("wrote " + n(static_cast<Index>(a.terms_size())) + " entries from " + n(first) +
         " that are not the request's entries " + n(first) + ".." + n(end));
  else if (!std::equal(conf.begin(), conf.end(), a.conf_indexes().begin(), a.conf_indexes().end()))
    fail("wrote entries from " + n(first) + " whose membership changes are not the request's");
  x.wrote = true;
}

void Step::snapshot_restored() {
  StepValidator::Expected& x = ctx_.expected;
  if (!x.ready || x.branch == Branch::kCount) return;
  const auto& r = e_.snapshot_restored();
  const auto& h = ctx_.msg;
  if (!x.restore)
    fail("installed snapshot " + n(r.index()) + "/" + n(r.term()) + " although " +
         (x.branch == Branch::kSnapshotRequestRefused
              ? "it is not newer than its commit index " + n(before_.commit_index)
              : "its log holds that entry: it keeps the entries after it"));
  else if (r.index() != h.snapshot_index || r.term() != h.snapshot_term)
    fail("installed snapshot " + n(r.index()) + "/" + n(r.term()) + " instead of the request's " +
         n(h.snapshot_index) + "/" + n(h.snapshot_term));
  x.restored = true;
}

// A refusal changes no spec variable: a stuttering step, or DropMessage when
// it discards the message being handled. Counted by the branch it stands for.
void Step::refused() {
  const auto& r = e_.input_refused();
  const auto& h = ctx_.msg;
  // Reads abandoned when a leadership ends are refused under whatever
  // action ended it: not a refusal of that action.
  if (r.input() == "read_index") return;
  switch (action_.act) {
    case Act::kReceive:
      if (!r.has_message() || !is_handled(r.message()))
        coverage_.add(Branch::kDropMessageRefused);
      else if (!is_answer(h.type))  // answers were counted by their handler
        coverage_.add(Branch::kDropMessageIgnoredInRole);
      break;
    case Act::kUpdateTerm:
      if (r.has_message() && is_handled(r.message()) && is_vote_request(h.type) &&
          s_.leader() != 0) {
        coverage_.add(Branch::kDropMessageLeaderLease);  // leader stickiness
        ctx_.must_adopt = 0;
      } else {
        fail("refused to adopt the term of " + a_type(h.type) +
             ": only a vote request is ignored, while a leader is known");
      }
      break;
    case Act::kDropStaleMessage:
      if (!h.active || h.term >= before_.current_term)
        fail("dropped a message of term " + n(h.term) + " as stale in its term " +
             n(before_.current_term));
      else
        coverage_.add(Branch::kDropStaleMessageDropped);
      break;
    case Act::kHandleAppendEntriesResponse:
      coverage_.add(Branch::kAppendResponseIgnored);
      break;
    case Act::kTimeout:
      coverage_.add(before_.role == pb::LEADER      ? Branch::kTimeoutRefusedLeader
                    : !before_.config.is_voter(id_) ? Branch::kTimeoutRefusedNotVoter
                                                    : Branch::kTimeoutRefusedUnapplied);
      break;
    case Act::kClientRequest:
      coverage_.add(before_.role != pb::LEADER ? Branch::kClientRequestNotLeader
                                               : Branch::kClientRequestRefused);
      break;
    case Act::kProposeConfChange:
      coverage_.add(before_.role != pb::LEADER ? Branch::kProposeConfChangeNotLeader
                    : before_.config.joint() || conf_pending(before_)
                        ? Branch::kProposeConfChangeJointOrPending
                        : Branch::kProposeConfChangeRefused);
      break;
    case Act::kApplyConfChange:
      if (r.input() == "apply_conf_change") coverage_.add(Branch::kApplyConfChangeRefused);
      break;
    default:
      break;
  }
}

}  // namespace etcetera::spec::steps
