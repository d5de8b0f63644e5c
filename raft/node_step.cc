// step(): every message passes through here. First what every role does —
// validate it, apply the term rules (UpdateTerm, DropStaleMessage) — then
// one short dispatch table per role.
#include <algorithm>
#include <limits>

#include "raft/describe.h"
#include "raft/node.h"

namespace etcetera::raft {
namespace {

bool is_vote_request(const pb::Message& m) {
  return m.type() == pb::REQUEST_VOTE_REQUEST || m.type() == pb::PRE_VOTE_REQUEST;
}

std::string type_name(const pb::Message& m) {
  return message_type_name(m.type());
}

}  // namespace

Result<void> Node::step_encoded(std::string_view bytes) {
  ActionScope scope(*this, "Receive");
  pb::Message m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    std::string why =
        "a payload of " + std::to_string(bytes.size()) + " bytes does not decode as a raft message";
    trace_refused("step", why);
    return fail(Error::Code::kInvalidMessage, why);
  }
  return step(m);
}

Result<void> Node::step(const pb::Message& m) {
  ActionScope scope(*this, "Receive");
  if (auto ok = validate_message(m); !ok) {
    trace_refused("step", ok.error().message, &m);
    return ok;
  }
  trace([&](pb::Event& e) { *e.mutable_message_received()->mutable_message() = m; });
  if (!update_term(m)) return {};
  if (is_vote_request(m)) {
    handle_request_vote_request(m);
    return {};
  }
  switch (role_) {
    case pb::LEADER:
      step_leader(m);
      break;
    case pb::CANDIDATE:
    case pb::PRE_CANDIDATE:
      step_candidate(m);
      break;
    default:
      step_follower(m);
      break;
  }
  return {};
}

// A message this node cannot act on at all. Each check names what is wrong.
Result<void> Node::validate_message(const pb::Message& m) const {
  auto bad = [&](std::string why) {
    std::string what = pb::MessageType_IsValid(m.type()) && m.type() != pb::MESSAGE_UNKNOWN
                           ? type_name(m)
                           : "a message of type " + std::to_string(m.type());
    return fail(Error::Code::kInvalidMessage,
                what + " from " + std::to_string(m.from()) + ": " + why);
  };
  if (m.type() == pb::MESSAGE_UNKNOWN || !pb::MessageType_IsValid(m.type()))
    return bad("unknown message type");
  if (m.to() != id_)
    return bad("addressed to node " + std::to_string(m.to()) + ", not to this node");
  if (m.from() == id_) return bad("a node does not send messages to itself");
  if (m.term() == 0) return bad("term 0 is before any election");
  if (m.type() == pb::READ_INDEX_REQUEST && m.context().empty())
    return bad("a read needs a non-empty context to be told apart");
  if ((m.type() == pb::INSTALL_SNAPSHOT_REQUEST) != m.has_snapshot())
    return bad("a snapshot travels only in, and always in, an InstallSnapshot request");
  if (m.has_snapshot()) {
    const auto& meta = m.snapshot().metadata();
    if (meta.index() == 0 || meta.term() == 0 || meta.term() > m.term())
      return bad("snapshot " + std::to_string(meta.index()) + "/" + std::to_string(meta.term()) +
                 " is empty or newer than the message");
    if (meta.conf_state().voters().empty())
      return bad("the snapshot's configuration has no voters");
  }
  if (m.type() != pb::APPEND_ENTRIES_REQUEST && m.entries_size() > 0)
    return bad("only AppendEntries requests carry entries");
  if (m.index() > std::numeric_limits<Index>::max() - static_cast<Index>(m.entries_size()) - 1)
    return bad("index " + std::to_string(m.index()) + " is out of range");
  Index expected = m.index() + 1;
  Term prev = m.log_term();
  for (const auto& e : m.entries()) {
    if (e.index() != expected) return bad("entries are not consecutive after the previous index");
    if (e.term() < prev || e.term() > m.term())
      return bad("entry " + std::to_string(e.index()) + " has term " + std::to_string(e.term()) +
                 ", out of order or newer than the message");
    ++expected;
    prev = e.term();
  }
  return {};
}

// Leader stickiness (thesis 4.2.3, 9.6): a node that heard from a leader
// within the election timeout does not help anyone replace it.
bool Node::in_leader_lease() const {
  return (config_.check_quorum || config_.pre_vote) && leader_ != kNoNode &&
         election_elapsed_ < config_.election_tick;
}

// UpdateTerm: any message with a newer term makes this node a follower of that
// term, with three exceptions that must not raise the term (see below).
// Returns false when the message is dropped.
bool Node::update_term(const pb::Message& m) {
  if (m.term() < current_term_) {
    drop_stale_message(m);
    return false;
  }
  if (m.term() == current_term_) return true;
  ActionScope scope(*this, "UpdateTerm");
  if (is_vote_request(m) && !m.leadership_transfer() && in_leader_lease()) {
    trace_refused("step",
                  "a " + type_name(m) + " from " + std::to_string(m.from()) + " while the leader " +
                      std::to_string(leader_) + " was heard from within the election timeout",
                  &m);
    return false;
  }
  // A pre-vote is a question about the next term, not a move into it.
  if (m.type() == pb::PRE_VOTE_REQUEST) return true;
  // A granted pre-vote comes back with the term we asked about; we move
  // there only if we win (start_election), not on each answer.
  if (m.type() == pb::PRE_VOTE_RESPONSE && !m.reject()) return true;
  const bool from_leader =
      m.type() == pb::APPEND_ENTRIES_REQUEST || m.type() == pb::HEARTBEAT_REQUEST ||
      m.type() == pb::INSTALL_SNAPSHOT_REQUEST || m.type() == pb::TIMEOUT_NOW_REQUEST;
  if (m.from() == lead_transferee_)
    abort_leader_transfer(
        "node " + std::to_string(m.from()) + " campaigns in term " + std::to_string(m.term()),
        true);
  // The leader-no-step-down mutant (raft/mutant.h) forgets half of the rule
  // for all servers (Raft paper, Figure 2): it takes the newer term, and
  // clears its vote, but does not convert to follower.
  if (role_ == pb::LEADER && config_.mutant == Mutant::kLeaderNoStepDown) {
    set_term(m.term());
    return true;
  }
  // The election timer restarts only on hearing from a leader or granting
  // a vote (Raft paper, Figure 2). A follower that merely learns of a newer
  // term from a candidate keeps counting: otherwise a candidate that cannot
  // win (its log is behind) and times out often keeps resetting the timer of
  // the one node that could win, and no leader is ever elected.
  const int elapsed = election_elapsed_;
  const int timeout = randomized_election_timeout_;
  const bool keep_timer = !from_leader && role_ == pb::FOLLOWER;
  become_follower(m.term(), from_leader ? m.from() : kNoNode);
  if (keep_timer) {
    election_elapsed_ = elapsed;
    randomized_election_timeout_ = timeout;
  }
  return true;
}

// DropStaleMessage: a message from an older term is ignored. Two kinds get an
// answer, so that their sender learns the newer term: an old leader's appends
// (otherwise, with PreVote on, a partitioned leader might never hear of the
// new term), and pre-votes (so the pre-candidate stops).
void Node::drop_stale_message(const pb::Message& m) {
  ActionScope scope(*this, "DropStaleMessage");
  trace_refused(
      "step",
      "stale term " + std::to_string(m.term()) + " < current term " + std::to_string(current_term_),
      &m);
  pb::Message reply;
  reply.set_to(m.from());
  if ((config_.check_quorum || config_.pre_vote) &&
      (m.type() == pb::APPEND_ENTRIES_REQUEST || m.type() == pb::HEARTBEAT_REQUEST ||
       m.type() == pb::INSTALL_SNAPSHOT_REQUEST)) {
    reply.set_type(pb::APPEND_ENTRIES_RESPONSE);
    reply.set_reject(true);
    reply.set_index(m.index());
    send(reply);
  } else if (m.type() == pb::PRE_VOTE_REQUEST) {
    reply.set_type(pb::PRE_VOTE_RESPONSE);
    reply.set_reject(true);
    send(reply);
  }
}

void Node::step_leader(const pb::Message& m) {
  switch (m.type()) {
    case pb::APPEND_ENTRIES_RESPONSE:
      handle_append_entries_response(m);
      break;
    case pb::HEARTBEAT_RESPONSE:
      handle_heartbeat_response(m);
      break;
    case pb::READ_INDEX_REQUEST:
      handle_read_index_request(m);
      break;
    case pb::APPEND_ENTRIES_REQUEST:
    case pb::HEARTBEAT_REQUEST:
      trace_refused(
          "step",
          "another leader claims term " + std::to_string(m.term()) + ", which this node leads", &m);
      break;
    default:  // late vote answers, a read answer meant for a follower
      trace_refused("step", "a leader ignores " + type_name(m), &m);
  }
}

void Node::step_candidate(const pb::Message& m) {
  switch (m.type()) {
    case pb::PRE_VOTE_RESPONSE:
    case pb::REQUEST_VOTE_RESPONSE:
      handle_request_vote_response(m);
      break;
    case pb::APPEND_ENTRIES_REQUEST:
    case pb::HEARTBEAT_REQUEST:
    case pb::INSTALL_SNAPSHOT_REQUEST:
      // Someone won this term (or, for a pre-candidate, still leads it).
      become_follower(m.term(), m.from());
      step_follower(m);
      break;
    case pb::READ_INDEX_RESPONSE:
      handle_read_index_response(m);
      break;
    default:
      trace_refused("step", "a candidate ignores " + type_name(m), &m);
  }
}

void Node::step_follower(const pb::Message& m) {
  switch (m.type()) {
    case pb::APPEND_ENTRIES_REQUEST:
    case pb::HEARTBEAT_REQUEST:
    case pb::INSTALL_SNAPSHOT_REQUEST:
      election_elapsed_ = 0;
      set_leader(m.from());
      if (m.type() == pb::APPEND_ENTRIES_REQUEST) {
        handle_append_entries_request(m);
      } else if (m.type() == pb::HEARTBEAT_REQUEST) {
        handle_heartbeat_request(m);
      } else {
        handle_install_snapshot_request(m);
      }
      break;
    case pb::TIMEOUT_NOW_REQUEST:
      handle_timeout_now_request(m);
      break;
    case pb::READ_INDEX_RESPONSE:
      handle_read_index_response(m);
      break;
    default:
      trace_refused("step", "a follower ignores " + type_name(m), &m);
  }
}

}  // namespace etcetera::raft
