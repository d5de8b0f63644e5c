// The step validator, part one: the state changes an event shows. Which
// variables an action may change (the frame), and how: terms, votes, roles,
// commit indexes, restarts, compactions, membership entries.
#include "spec/raft_steps.h"

#include <algorithm>
#include <array>

#include "spec/raft_steps_internal.h"

namespace etcetera::spec {

void StepValidator::check(const ClusterView& view, const NodeView& before, const raft::pb::Event& e,
                          std::uint64_t number) {
  steps::Step(view, before, e, number, nodes_, coverage_, violations_).run();
}

namespace steps {
namespace {

constexpr unsigned kAll = kTerm | kVote | kRole | kLog | kCommit | kSnapshot;

// Each C++ action with the spec variables its spec counterpart may change.
// The C++-only actions that refine a spec action get that action's frame
// (HandleHeartbeatRequest: HandleAppendEntriesRequest without entries, so the
// commit index only); the stuttering ones may change nothing.
constexpr std::array<ActionInfo, 32> kActions = {{
    {"Restart", Act::kRestart, kAll},
    {"Tick", Act::kTick, 0},
    {"Timeout", Act::kTimeout, 0},
    {"BecomePreCandidate", Act::kBecomePreCandidate, kRole},
    {"BecomeCandidate", Act::kBecomeCandidate, kTerm | kVote | kRole},
    {"BecomeLeader", Act::kBecomeLeader, kRole | kLog},
    {"ClientRequest", Act::kClientRequest, kLog},
    {"ProposeConfChange", Act::kProposeConfChange, kLog},
    {"LeaveJoint", Act::kLeaveJoint, kLog},
    {"ApplyConfChange", Act::kApplyConfChange, kRole},
    {"Compact", Act::kCompact, kSnapshot},
    {"InstallSnapshot", Act::kInstallSnapshot, 0},
    {"AppendEntries", Act::kAppendEntries, 0},
    {"Heartbeat", Act::kHeartbeat, 0},
    {"AdvanceCommitIndex", Act::kAdvanceCommitIndex, kCommit},
    {"CheckQuorum", Act::kCheckQuorum, kRole},
    {"Receive", Act::kReceive, kRole},
    {"UpdateTerm", Act::kUpdateTerm, kTerm | kVote | kRole},
    {"DropStaleMessage", Act::kDropStaleMessage, 0},
    {"HandleRequestVoteRequest", Act::kHandleRequestVoteRequest, kVote},
    {"HandleRequestVoteResponse", Act::kHandleRequestVoteResponse, kRole},
    {"HandleAppendEntriesRequest", Act::kHandleAppendEntriesRequest, kLog | kCommit},
    {"HandleAppendEntriesResponse", Act::kHandleAppendEntriesResponse, 0},
    {"HandleHeartbeatRequest", Act::kHandleHeartbeatRequest, kCommit},
    {"HandleHeartbeatResponse", Act::kHandleHeartbeatResponse, 0},
    {"HandleInstallSnapshotRequest", Act::kHandleInstallSnapshotRequest,
     kLog | kCommit | kSnapshot},
    {"ReadIndex", Act::kReadIndex, 0},
    {"HandleReadIndexRequest", Act::kHandleReadIndexRequest, 0},
    {"HandleReadIndexResponse", Act::kHandleReadIndexResponse, 0},
    {"Advance", Act::kAdvance, 0},
    {"TransferLeadership", Act::kTransferLeadership, 0},
    {"HandleTimeoutNowRequest", Act::kHandleTimeoutNowRequest, 0},
}};

constexpr ActionInfo kUnknownAction = {"", Act::kUnknown, 0};

// Actions a node takes only when called from outside, never inside the
// handling of a message: their events end the handling of the last one.
bool outside_any_message(Act act) {
  switch (act) {
    case Act::kRestart:
    case Act::kTick:
    case Act::kTimeout:
    case Act::kClientRequest:
    case Act::kProposeConfChange:
    case Act::kLeaveJoint:
    case Act::kApplyConfChange:
    case Act::kCompact:
    case Act::kCheckQuorum:
    case Act::kReadIndex:
    case Act::kAdvance:
    case Act::kTransferLeadership:
      return true;
    default:
      return false;
  }
}

std::string pascal(std::string_view upper_snake) {
  std::string out;
  bool upper = true;
  for (char c : upper_snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? c : static_cast<char>(c - 'A' + 'a');
    upper = false;
  }
  return out;
}

}  // namespace

const ActionInfo& action_info(std::string_view name) {
  for (const ActionInfo& a : kActions)
    if (a.name == name) return a;
  return kUnknownAction;
}

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

std::string role_name(pb::Role role) {
  return pascal(pb::Role_Name(role));
}

std::string type_name(pb::MessageType type) {
  return pascal(pb::MessageType_Name(type));
}

std::string a_type(pb::MessageType type) {
  const std::string name = type_name(type);
  return (name.front() == 'A' || name.front() == 'I' ? "an " : "a ") + name;
}

std::string ids_text(const std::set<NodeId>& ids) {
  std::string out = "{";
  for (NodeId id : ids)
    out += (out.size() > 1 ? ", " : "") + n(id);
  return out + "}";
}

bool quorum_holds(const NodeView& leader, NodeId self, Index k, NodeId extra_from,
                  Index extra_index) {
  return leader.config.is_quorum([&](NodeId id) {
    if (id == self) return k <= leader.log.size();
    auto it = leader.match_index.find(id);
    Index match = it == leader.match_index.end() ? 0 : it->second;
    if (id == extra_from) match = std::max(match, extra_index);
    return match >= k;
  });
}

Index quorum_index(const NodeView& leader, NodeId self, NodeId extra_from, Index extra_index) {
  // quorum_holds falls as k grows: find the last k where it holds.
  Index lo = 0, hi = leader.log.size();
  while (lo < hi) {
    const Index mid = lo + (hi - lo + 1) / 2;
    if (quorum_holds(leader, self, mid, extra_from, extra_index)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

Step::Step(const ClusterView& view, const NodeView& before, const pb::Event& e,
           std::uint64_t number, std::map<NodeId, StepValidator::NodeSteps>& nodes,
           Coverage& coverage, std::vector<std::string>& violations)
    : view_(view),
      before_(before),
      e_(e),
      s_(e.state()),
      number_(number),
      id_(e.node()),
      action_(action_info(e.action())),
      nodes_(nodes),
      ctx_(nodes[e.node()]),
      coverage_(coverage),
      violations_(violations) {}

void Step::fail(const std::string& why) {
  constexpr std::size_t kKept = 200;  // enough to read; a broken run must not grow without end
  if (violations_.size() >= kKept) return;
  const std::string action = e_.action().empty() ? "(no action)" : e_.action();
  violations_.push_back(action + " at node " + n(id_) + " (event " + n(number_) + "): " + why);
}

void Step::run() {
  if (action_.act == Act::kUnknown) {
    fail("'" + e_.action() + "' is not an action of the implementation");
    return;
  }
  if (e_.kind_case() == pb::Event::kStarted) {
    check_restart();
    finish();
    return;
  }
  if (!ctx_.started) fail("an event before the node started");
  if (ctx_.must_adopt != 0 && action_.act != Act::kUpdateTerm) {
    fail("handles " + a_type(ctx_.msg.type) + " of term " + n(ctx_.must_adopt) +
         " above its term " + n(before_.current_term) +
         " without adopting it: only UpdateTerm is enabled");
    ctx_.must_adopt = 0;
  }
  if (check_frame()) {
    check_handler();
    if (s_.term() != before_.current_term) check_term_change();
    if (s_.vote() != before_.voted_for) check_vote_change();
    if (s_.role() != before_.role) check_role_change();
    if (s_.commit() != before_.commit_index) check_commit_change();
    check_event();
  }
  finish();
}

// The enabling conditions the handlers of requests and answers share.
void Step::check_handler() {
  switch (action_.act) {
    case Act::kHandleAppendEntriesRequest:
    case Act::kHandleHeartbeatRequest:
    case Act::kHandleInstallSnapshotRequest:
      expect();
      break;
    case Act::kHandleAppendEntriesResponse:
    case Act::kHandleHeartbeatResponse:
      if (before_.role != pb::LEADER)
        fail("handles an answer to a leader as a " + role_name(before_.role));
      break;
    default:
      break;
  }
}

// What the kind of event says beyond the state it leaves.
void Step::check_event() {
  switch (e_.kind_case()) {
    case pb::Event::kMessageReceived:
      received();
      break;
    case pb::Event::kMessageSent:
      sent();
      break;
    case pb::Event::kVoteCast:
      if (action_.act == Act::kHandleRequestVoteRequest) vote_verdict(true);
      if (action_.act == Act::kBecomeCandidate && e_.vote_cast().candidate() != id_)
        fail("voted for node " + n(e_.vote_cast().candidate()) + " as it became a candidate");
      break;
    case pb::Event::kVoteRejected:
      if (action_.act == Act::kHandleRequestVoteRequest) vote_verdict(false);
      break;
    case pb::Event::kEntriesAppended:
      if (action_.act == Act::kHandleAppendEntriesRequest) {
        appended_by_handler();
      } else {
        check_appended_one();
      }
      break;
    case pb::Event::kSnapshotRestored:
      snapshot_restored();
      break;
    case pb::Event::kLogCompacted:
      check_compacted();
      break;
    case pb::Event::kConfChanged:
      check_conf_changed();
      break;
    case pb::Event::kInputRefused:
      refused();
      break;
    default:
      break;
  }
}

// A change to a variable the action leaves UNCHANGED is no step of the spec.
bool Step::check_frame() {
  unsigned changed = 0;
  if (s_.term() != before_.current_term) changed |= kTerm;
  if (s_.vote() != before_.voted_for) changed |= kVote;
  if (s_.role() != before_.role) changed |= kRole;
  if (s_.commit() != before_.commit_index) changed |= kCommit;
  const auto kind = e_.kind_case();
  if (kind == pb::Event::kEntriesAppended || kind == pb::Event::kSnapshotRestored) changed |= kLog;
  if (kind == pb::Event::kLogCompacted || kind == pb::Event::kSnapshotRestored)
    changed |= kSnapshot;
  const unsigned bad = changed & ~action_.may_change;
  if (bad == 0) return true;
  const std::string unchanged = ", which " + e_.action() + " leaves unchanged";
  if (bad & kTerm)
    fail("changed currentTerm from " + n(before_.current_term) + " to " + n(s_.term()) + unchanged +
         " (only UpdateTerm and BecomeCandidate change a term)");
  if (bad & kVote)
    fail("changed votedFor from " + n(before_.voted_for) + " to " + n(s_.vote()) + unchanged);
  if (bad & kRole)
    fail("changed role from " + role_name(before_.role) + " to " + role_name(s_.role()) +
         unchanged);
  if (bad & kLog) fail("changed its log" + unchanged);
  if (bad & kCommit)
    fail("changed commitIndex from " + n(before_.commit_index) + " to " + n(s_.commit()) +
         unchanged);
  if (bad & kSnapshot) fail("changed its snapshot" + unchanged);
  return false;
}

// UpdateTerm takes the term of the message being handled; BecomeCandidate
// moves to the next term. The frame has ruled out every other action.
void Step::check_term_change() {
  if (action_.act == Act::kBecomeCandidate) {
    if (s_.term() != before_.current_term + 1)
      fail("started term " + n(s_.term()) + " from term " + n(before_.current_term) +
           "; BecomeCandidate starts currentTerm + 1");
    if (s_.vote() != id_) fail("started term " + n(s_.term()) + " without voting for itself");
    if (before_.role == pb::LEADER) fail("a leader started an election");
    const bool after_pre_vote = before_.role == pb::PRE_CANDIDATE;
    if (!after_pre_vote && !before_.config.is_voter(id_))
      fail("campaigns, but is not a voter of " + before_.config.describe() +
           ": Timeout is not enabled");
    if (after_pre_vote &&
        !before_.config.is_quorum([&](NodeId v) { return v == id_ || ctx_.prevotes.contains(v); }))
      fail("became a candidate with pre-votes from " + ids_text(ctx_.prevotes) +
           " and itself, not a quorum of " + before_.config.describe());
    coverage_.add(after_pre_vote ? Branch::kBecomeCandidateAfterPreVote
                                 : Branch::kBecomeCandidateDirect);
    if (!after_pre_vote) {
      const bool transfer = ctx_.msg.type == pb::TIMEOUT_NOW_REQUEST &&
                            (ctx_.last_act == static_cast<int>(Act::kReceive) ||
                             ctx_.last_act == static_cast<int>(Act::kUpdateTerm));
      coverage_.add(transfer ? Branch::kTimeoutTransfer : Branch::kTimeoutCandidate);
    }
    ctx_.leader_noop = false;
    return;
  }
  // UpdateTerm.
  if (ctx_.must_adopt == 0) {
    const bool pre_vote = ctx_.msg.active && ctx_.msg.term == s_.term() &&
                          !adopts_term(ctx_.msg.type, ctx_.msg.reject);
    fail(pre_vote ? "adopted term " + n(s_.term()) + " from " + a_type(ctx_.msg.type) +
                        ", which AdoptsTerm excludes"
                  : "adopted term " + n(s_.term()) + ", above its term " + n(before_.current_term) +
                        ", from no message that carries it");
    return;
  }
  if (s_.term() != ctx_.must_adopt)
    fail("adopted term " + n(s_.term()) + " instead of the message's term " + n(ctx_.must_adopt));
  if (s_.role() != pb::FOLLOWER)
    fail("is still " + role_name(s_.role()) + " after adopting term " + n(s_.term()) +
         ": UpdateTerm makes it a Follower");
  if (s_.vote() != 0)
    fail("kept a vote for node " + n(s_.vote()) + " into its new term " + n(s_.term()));
  switch (ctx_.role_at_receive) {
    case pb::LEADER:
      coverage_.add(Branch::kUpdateTermLeader);
      break;
    case pb::FOLLOWER:
      coverage_.add(Branch::kUpdateTermFollower);
      break;
    default:
      coverage_.add(Branch::kUpdateTermCandidate);
      break;
  }
  ctx_.must_adopt = 0;
}

// One vote per term: votedFor changes within a term only from Nil. The vote
// itself is judged where it is cast (vote_verdict) or with the new term.
void Step::check_vote_change() {
  if (s_.term() != before_.current_term) return;  // judged with the term
  if (before_.voted_for != 0)
    fail("voted twice in term " + n(s_.term()) + ": for node " + n(before_.voted_for) +
         ", then for node " + n(s_.vote()));
  else if (action_.act != Act::kHandleRequestVoteRequest)
    fail("voted for node " + n(s_.vote()) + " without a new term");
  else if (e_.kind_case() != pb::Event::kVoteCast)
    fail("voted for node " + n(s_.vote()) + " without reporting the vote");
}

void Step::check_role_change() {
  const pb::Role from = before_.role, to = s_.role();
  const std::string change = "became " + role_name(to) + " from " + role_name(from);
  const bool candidate = from == pb::PRE_CANDIDATE || from == pb::CANDIDATE;
  switch (action_.act) {
    case Act::kUpdateTerm:
      if (to != pb::FOLLOWER) fail(change + ": UpdateTerm makes it a Follower");
      if (ctx_.must_adopt == 0) fail(change + " with no higher term to adopt");
      break;
    case Act::kReceive: {
      // Node::step hands a leader's message to a (pre-)candidate as a
      // follower: the role' = Follower of the spec's handler.
      const pb::MessageType t = ctx_.msg.type;
      const bool from_leader = t == pb::APPEND_ENTRIES_REQUEST || t == pb::HEARTBEAT_REQUEST ||
                               t == pb::INSTALL_SNAPSHOT_REQUEST;
      if (to != pb::FOLLOWER || !candidate || !from_leader || ctx_.msg.term != s_.term())
        fail(change + " on receiving " + a_type(t) + " of term " + n(ctx_.msg.term));
      break;
    }
    case Act::kHandleRequestVoteResponse:
      // Counting rejections is the C++'s own: an election it cannot win ends.
      if (to != pb::FOLLOWER || !candidate || !ctx_.msg.reject)
        fail(change + " on a " + (ctx_.msg.reject ? "rejection" : "granted vote"));
      else
        coverage_.add(Branch::kVoteResponseLost);
      break;
    case Act::kCheckQuorum:
      if (from != pb::LEADER || to != pb::FOLLOWER)
        fail(change + ": CheckQuorum only makes a leader a Follower");
      else
        coverage_.add(Branch::kCheckQuorumStepsDown);
      break;
    case Act::kApplyConfChange:
      if (from != pb::LEADER || to != pb::FOLLOWER)
        fail(change + ": ApplyConfChange only makes a leader a Follower");
      else if (before_.config.joint() || before_.config.is_voter(id_))
        fail("stepped down although it is a voter of " + before_.config.describe());
      else
        coverage_.add(Branch::kApplyConfChangeStepsDown);
      break;
    case Act::kBecomePreCandidate:
      if (to != pb::PRE_CANDIDATE || (from != pb::FOLLOWER && from != pb::CANDIDATE)) {
        fail(change + ": Timeout makes a follower or candidate a PreCandidate");
        break;
      }
      if (!before_.config.is_voter(id_))
        fail("campaigns, but is not a voter of " + before_.config.describe() +
             ": Timeout is not enabled");
      coverage_.add(from == pb::FOLLOWER ? Branch::kBecomePreCandidateFromFollower
                                         : Branch::kBecomePreCandidateFromCandidate);
      coverage_.add(Branch::kTimeoutPreVote);
      ctx_.round_open = true;
      ctx_.round_asked.clear();
      ctx_.prevotes.clear();
      break;
    case Act::kBecomeCandidate:
      if (to != pb::CANDIDATE || from == pb::LEADER)
        fail(change + ": BecomeCandidate makes a non-leader a Candidate");
      break;
    case Act::kBecomeLeader: {
      if (from != pb::CANDIDATE || to != pb::LEADER) {
        fail(change + ": BecomeLeader makes a Candidate the Leader");
        break;
      }
      std::set<NodeId> votes = {id_};
      for (const auto& [voter, granted] : before_.votes_granted)
        if (granted) votes.insert(voter);
      if (!before_.config.is_quorum([&](NodeId v) { return votes.contains(v); }))
        fail("became leader of term " + n(s_.term()) + " with votes from " + ids_text(votes) +
             " only, not a quorum of " + before_.config.describe());
      if (!ctx_.leader_noop) fail("became leader without appending its no-op entry");
      coverage_.add(Branch::kBecomeLeaderQuorum);
      break;
    }
    default:
      break;  // the frame has ruled the others out
  }
}

void Step::check_commit_change() {
  const Index from = before_.commit_index, to = s_.commit();
  if (to < from) {
    fail("commitIndex went down from " + n(from) + " to " + n(to));
    return;
  }
  switch (action_.act) {
    case Act::kAdvanceCommitIndex:
      if (before_.role != pb::LEADER) {
        fail("advanced commitIndex to " + n(to) + " as a " + role_name(before_.role));
      } else if (to > before_.log.size()) {
        fail("committed index " + n(to) + " past its log of " + n(before_.log.size()));
      } else if (term_at(before_, to) != s_.term()) {
        fail("committed index " + n(to) + " of term " + n(term_at(before_, to)) +
             ", not of its term " + n(s_.term()) +
             ": only an entry of the leader's own term is committed by counting (Figure 8)");
      } else if (!quorum_holds(before_, id_, to)) {
        std::set<NodeId> holders = {id_};
        for (const auto& [peer, match] : before_.match_index)
          if (match >= to) holders.insert(peer);
        fail("committed index " + n(to) + ", which only " + ids_text(holders) +
             " hold: not a quorum of " + before_.config.describe());
      } else {
        coverage_.add(Branch::kAdvanceCommitIndexCommits);
      }
      break;
    case Act::kHandleAppendEntriesRequest:
    case Act::kHandleHeartbeatRequest:
    case Act::kHandleInstallSnapshotRequest:
      if (ctx_.expected.ready && to != ctx_.expected.commit)
        fail("set commitIndex to " + n(to) + " where the spec's handler sets it to " +
             n(ctx_.expected.commit));
      break;
    default:
      break;
  }
}

// Restart keeps the persistent variables and starts from the snapshot. The
// C++ restores what it had persisted, which may be less than it held (a
// Ready not yet persisted is lost), so what is checked is that nothing other
// nodes saw it persist is lost, and that the commit index does not grow.
void Step::check_restart() {
  const auto& st = e_.started();
  ctx_.msg.active = false;
  ctx_.must_adopt = 0;
  ctx_.expected = {};
  ctx_.vote_verdict = -1;
  ctx_.round_open = false;
  ctx_.prevotes.clear();
  ctx_.leader_noop = false;
  if (s_.role() != pb::FOLLOWER) fail("restarted as a " + role_name(s_.role()));
  if (!ctx_.started) {
    ctx_.started = true;
    coverage_.add(Branch::kRestartInit);
    return;
  }
  const Index snapshot = st.first_index() - 1;
  coverage_.add(snapshot > 0 ? Branch::kRestartFromSnapshot : Branch::kRestartNoSnapshot);
  if (s_.term() < ctx_.persisted_term)
    fail("restarted in term " + n(s_.term()) +
         ", but a message it sends only after persisting "
         "had already shown term " +
         n(ctx_.persisted_term));
  if (s_.term() == ctx_.persisted_vote_term && s_.vote() != ctx_.persisted_vote)
    fail("restarted with votedFor " + n(s_.vote()) + " in term " + n(s_.term()) +
         ", but its vote for node " + n(ctx_.persisted_vote) +
         " in that term had been persisted (a message showing it was delivered)");
  if (snapshot < ctx_.persisted_snapshot)
    fail("restarted from a snapshot through " + n(snapshot) + ", but its storage had been " +
         "compacted through " + n(ctx_.persisted_snapshot));
  if (s_.commit() > before_.commit_index)
    fail("restarted with commitIndex " + n(s_.commit()) + ", above the " + n(before_.commit_index) +
         " it had");
}

void Step::check_compacted() {
  const Index k = e_.log_compacted().index();
  if (k <= before_.snapshot_index)
    fail("compacted through " + n(k) + ", not past its snapshot through " +
         n(before_.snapshot_index));
  else if (k > before_.commit_index)
    fail("compacted through " + n(k) + ", past its commit index " + n(before_.commit_index));
  else if (e_.log_compacted().term() != term_at(before_, k))
    fail("compacted through " + n(k) + "/" + n(e_.log_compacted().term()) + ", but its entry " +
         n(k) + " has term " + n(term_at(before_, k)));
  else
    coverage_.add(Branch::kCompactCompacted);
  ctx_.persisted_snapshot = std::max(ctx_.persisted_snapshot, k);
}

// The C++ takes a configuration when it applies the entry (the spec's
// Config(i) follows the commit index): the entry must be a committed
// membership entry. Whether it follows the chain is ConfigChainInv's.
void Step::check_conf_changed() {
  const Index k = e_.conf_changed().index();
  if (k > before_.commit_index)
    fail("applied membership entry " + n(k) + " above its commit index " + n(before_.commit_index));
  else if (!std::ranges::binary_search(before_.conf_entries, k))
    fail("applied entry " + n(k) + " as a membership change, which its log does not show");
  else
    coverage_.add(Branch::kApplyConfChangeApplied);
}

// ClientRequest, ProposeConfChange, LeaveJoint and BecomeLeader append one
// entry of the current term at the end of the log.
void Step::check_appended_one() {
  const auto& a = e_.entries_appended();
  const Act act = action_.act;
  const bool conf = act == Act::kProposeConfChange || act == Act::kLeaveJoint;
  const bool shape = a.first_index() == before_.log.size() + 1 && a.terms_size() == 1 &&
                     a.terms(0) == s_.term() && a.truncated_from() == 0;
  if (!shape) {
    fail("wrote entries from " + n(a.first_index()) + " where " + e_.action() +
         " appends one entry of term " + n(s_.term()) + " after its last entry " +
         n(before_.log.size()));
    return;
  }
  const bool marked = a.conf_indexes_size() == 1 && a.conf_indexes(0) == a.first_index();
  if (conf != marked || (!conf && a.conf_indexes_size() > 0))
    fail(std::string(conf ? "appended an entry that is not a membership change"
                          : "appended a membership change"));
  if (act == Act::kBecomeLeader) {
    if (before_.role != pb::CANDIDATE) fail("appended a no-op as a " + role_name(before_.role));
    ctx_.leader_noop = true;
    return;
  }
  if (before_.role != pb::LEADER) {
    fail("appended an entry as a " + role_name(before_.role) + ": " + e_.action() +
         " is enabled only for a leader");
    return;
  }
  switch (act) {
    case Act::kClientRequest:
      coverage_.add(Branch::kClientRequestAppended);
      break;
    case Act::kProposeConfChange:
      if (before_.config.joint())
        fail("proposed a membership change while its configuration " + before_.config.describe() +
             " is joint");
      else if (conf_pending(before_))
        fail("proposed a membership change while entry " + n(before_.conf_entries.back()) +
             ", one too, is not committed");
      else if (!before_.config.is_voter(id_))
        fail("proposed a membership change although its configuration " +
             before_.config.describe() + " has removed it");
      else
        coverage_.add(Branch::kProposeConfChangeAppended);
      break;
    default:  // LeaveJoint
      if (!before_.config.joint())
        fail("left a joint configuration, but " + before_.config.describe() + " is not joint");
      else if (conf_pending(before_))
        fail("left the joint configuration while entry " + n(before_.conf_entries.back()) +
             " is not committed");
      else
        coverage_.add(Branch::kLeaveJointAppended);
      break;
  }
}

void Step::finish() {
  const bool pre_vote_send = action_.act == Act::kTimeout &&
                             e_.kind_case() == pb::Event::kMessageSent &&
                             e_.message_sent().message().type() == pb::PRE_VOTE_REQUEST;
  if (!pre_vote_send && action_.act != Act::kBecomePreCandidate) ctx_.round_open = false;
  if (outside_any_message(action_.act)) ctx_.msg.active = false;
  ctx_.last_act = static_cast<int>(action_.act);
}

}  // namespace steps
}  // namespace etcetera::spec
