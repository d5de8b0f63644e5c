// Elections: the timer, pre-votes and votes, and CheckQuorum
// (Raft paper, section 5.2; thesis 9.6 for PreVote, 6.2 for CheckQuorum).
#include "raft/node.h"

namespace etcetera::raft {

// Only voters keep an election timer: learners and nodes not yet (or no
// longer) in the configuration never campaign.
void Node::tick_election() {
  if (++election_elapsed_ < randomized_election_timeout_ || !promotable()) return;
  election_elapsed_ = 0;
  timeout();
}

void Node::tick_heartbeat() {
  ++heartbeat_elapsed_;
  if (++election_elapsed_ >= config_.election_tick) {
    election_elapsed_ = 0;
    abort_leader_transfer("the target did not take over within an election timeout");
    if (config_.check_quorum) check_quorum();
    if (role_ != pb::LEADER) return;
  }
  if (heartbeat_elapsed_ >= config_.heartbeat_tick) {
    heartbeat_elapsed_ = 0;
    bcast_heartbeat(read_only_.last_context());  // also retries a lost ReadIndex round
  }
}

// Timeout: the election timer fired (or campaign() was called). With PreVote
// the node first asks whether it could win; without, it starts the election.
void Node::timeout() {
  ActionScope scope(*this, "Timeout");
  if (role_ == pb::LEADER) {
    trace_refused("campaign", "this node already leads term " + std::to_string(current_term_));
    return;
  }
  if (!promotable()) {
    trace_refused("campaign", "node " + std::to_string(id_) + " is not a voter");
    return;
  }
  // After a restart the committed membership entries are applied again: until
  // they are, this node may campaign in a configuration that has removed it.
  if (unapplied_conf_change()) {
    trace_refused("campaign", "a committed membership change is not applied yet");
    return;
  }
  // The no-prevote mutant (raft/mutant.h) skips the pre-vote round and
  // raises its term at once, which is what PreVote is there to prevent
  // (thesis 9.6). It still answers other nodes' pre-votes.
  start_election(config_.pre_vote && config_.mutant != Mutant::kNoPreVote);
}

// Becomes (pre-)candidate, votes for itself and asks every other voter. The
// request carries the term the node would campaign in: for a pre-vote that is
// the next term, which the node does not enter yet.
void Node::start_election(bool pre_vote, bool transfer) {
  if (pre_vote) {
    ActionScope scope(*this, "BecomePreCandidate");
    become_pre_candidate();
  } else {
    ActionScope scope(*this, "BecomeCandidate");
    become_candidate();
  }
  tracker_.record_vote(id_, true);
  if (tracker_.tally_votes() == VoteResult::kWon) {  // a single voter wins at once
    if (pre_vote) {
      start_election(false);
    } else {
      ActionScope scope(*this, "BecomeLeader");
      become_leader();
    }
    return;
  }
  for (NodeId to : tracker_.voters().ids()) {
    if (to == id_) continue;
    pb::Message m;
    m.set_type(pre_vote ? pb::PRE_VOTE_REQUEST : pb::REQUEST_VOTE_REQUEST);
    m.set_leadership_transfer(transfer);
    m.set_to(to);
    m.set_term(pre_vote ? current_term_ + 1 : current_term_);
    m.set_index(log_.last_index());
    m.set_log_term(log_.last_term());
    send(m);
  }
}

// HandleRequestVoteRequest, for votes and pre-votes alike. A vote is granted
// at most once per term, and only to a candidate whose log is at least as up
// to date as ours (section 5.4.1). A pre-vote promises nothing and changes
// nothing here: it only says "I would vote for you in that term".
void Node::handle_request_vote_request(const pb::Message& m) {
  ActionScope scope(*this, "HandleRequestVoteRequest");
  const bool pre_vote = m.type() == pb::PRE_VOTE_REQUEST;
  const bool can_vote = voted_for_ == m.from() || (voted_for_ == kNoNode && leader_ == kNoNode) ||
                        (pre_vote && m.term() > current_term_);
  const bool grant = can_vote && (log_.is_up_to_date(m.index(), m.log_term()) ||
                                  config_.mutant == Mutant::kVoteWithoutLogCheck);
  pb::Message reply;
  reply.set_type(pre_vote ? pb::PRE_VOTE_RESPONSE : pb::REQUEST_VOTE_RESPONSE);
  reply.set_to(m.from());
  reply.set_reject(!grant);
  // A granted pre-vote answers in the asked-about term; everything else in ours.
  reply.set_term(grant && pre_vote ? m.term() : current_term_);
  if (grant && !pre_vote) {
    election_elapsed_ = 0;
    voted_for_ = m.from();
  }
  if (grant) {
    trace([&](pb::Event& e) {
      e.mutable_vote_cast()->set_candidate(m.from());
      e.mutable_vote_cast()->set_pre_vote(pre_vote);
    });
  } else {
    std::string why =
        !can_vote ? (voted_for_ != kNoNode ? "already voted for " + std::to_string(voted_for_)
                                           : "follows leader " + std::to_string(leader_))
                  : "its log " + std::to_string(m.index()) + "/" + std::to_string(m.log_term()) +
                        " is behind ours " + std::to_string(log_.last_index()) + "/" +
                        std::to_string(log_.last_term());
    trace([&](pb::Event& e) {
      auto* r = e.mutable_vote_rejected();
      r->set_candidate(m.from());
      r->set_pre_vote(pre_vote);
      r->set_reason(why + " in term " + std::to_string(current_term_));
    });
  }
  send(reply);
}

// HandleRequestVoteResponse: count the answer; a majority makes a
// pre-candidate a candidate and a candidate the leader; a majority against
// sends it back to being a follower.
void Node::handle_request_vote_response(const pb::Message& m) {
  ActionScope scope(*this, "HandleRequestVoteResponse");
  const bool pre_vote = m.type() == pb::PRE_VOTE_RESPONSE;
  if (pre_vote != (role_ == pb::PRE_CANDIDATE)) {
    trace_refused("step", "an answer to an election this node is no longer running", &m);
    return;
  }
  // A granted pre-vote echoes the term it was asked about: one for another
  // term answers an earlier round, whose voters may since have found a leader.
  if (pre_vote && !m.reject() && m.term() != current_term_ + 1) {
    trace_refused("step",
                  "a pre-vote for term " + std::to_string(m.term()) + ", not for the term " +
                      std::to_string(current_term_ + 1) + " this node asks about",
                  &m);
    return;
  }
  tracker_.record_vote(m.from(), !m.reject());
  switch (tracker_.tally_votes()) {
    case VoteResult::kWon:
      if (pre_vote) {
        start_election(false);
      } else {
        ActionScope won(*this, "BecomeLeader");
        become_leader();
      }
      break;
    case VoteResult::kLost:
      become_follower(current_term_, kNoNode);
      break;
    case VoteResult::kPending:
      break;
  }
}

// CheckQuorum: once per election timeout, a leader that has not heard from a
// majority steps down, so that a leader cut off from the cluster stops
// serving (its reads would be stale) and clients go elsewhere.
void Node::check_quorum() {
  ActionScope scope(*this, "CheckQuorum");
  if (tracker_.quorum_active_and_reset(id_)) return;
  become_follower(current_term_, kNoNode);
}

}  // namespace etcetera::raft
