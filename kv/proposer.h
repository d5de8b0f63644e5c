// kv::Proposer — the proposing member's half of "a write applies at most
// once, and its answer is what happened" (docs/server.md, "At most once").
//
// The member a client calls gives the client's write an id unique in the
// cluster's history: this member's id and a number from a counter that
// starts above every number this member used before (the caller persists
// where it starts). It sends the request to the leader and waits until the
// request applies in its own state machine, whichever leader committed it.
// Until then it may send the same request again, with the same id: after a
// leader change, or when it cannot tell whether an attempt reached a log.
// The state machine applies each id at most once (kv/applied_requests.h),
// so a second copy changes nothing and answers with the first one's result.
//
// What the client is told:
//   - the result, once the request applied here (failed compares included);
//   - at the deadline, "timed out" if any attempt may have entered a log:
//     the write may yet apply, or may have; the caller cannot know. Once
//     this member's floor passes it, a late copy is refused (kSettled).
//   - at the deadline, "no leader" if no attempt can have: none was sent,
//     or each was refused by a member that was not leader.
// Nothing else: a request is never answered "failed" while a copy of it
// could still take effect.
//
// Pure bookkeeping, like the rest of kv/: no clock (times are the caller's,
// in any unit), no network, no threads. The server's driver
// (server/member_apply.cc) and the simulator's forwarding clients
// (sim/forwarding.h) drive it alike.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "kv/applied_requests.h"
#include "kv/kv.pb.h"
#include "kv/mutant.h"

namespace etcetera::kv {

class Proposer {
 public:
  using Id = std::uint64_t;
  using Time = std::uint64_t;
  using Term = std::uint64_t;

  struct Options {
    // An attempt with no answer for this long is taken as lost and sent
    // again (it may still arrive: the state machine applies one copy).
    Time resend_after = 0;
    Mutant mutant = Mutant::kNone;
  };

  // REQUIRES: member != 0 (0 marks requests nobody waits on), and first_id
  // above every id this member used before: ids of an earlier run may still
  // be in logs, and the state machine would take a new request for a copy.
  Proposer(std::uint64_t member, Id first_id, Options options);

  std::uint64_t member() const { return member_; }

  // Takes a client's request: stamps it with this member's id and a new
  // number, to send at the next take_due(). Returns its id.
  Id add(pb::Request r, Time deadline);

  // The requests to send now to the leader of `term` (the term this member
  // knows): new ones; those whose last attempt was refused or lost; those
  // a leader of an earlier term accepted (it has been deposed: its entry may
  // be gone); and those with an attempt unanswered for resend_after. Each is
  // stamped with this member's current floor, and counts as in flight.
  std::vector<pb::Request> take_due(Term term, Time now);

  // What became of an attempt at id.
  void accepted(Id id, Term term);  // the leader of `term` appended it to its log
  void refused(Id id);              // not appended: the member asked was not leader
  void lost(Id id);                 // unknown: the call broke, or no answer came

  // An applied entry's result: if it is one of this member's outstanding
  // requests, that request is done and its id is returned.
  std::optional<Id> settle(const pb::Response& result);
  // The outstanding requests that `applied` shows applied (a snapshot
  // installed here skipped their entries), with their first results.
  std::vector<std::pair<Id, pb::Response>> settle_from(const AppliedRequests& applied);

  // Requests given up: past their deadline, or all of them (the member
  // stops). maybe_applied: an attempt may have entered a log.
  struct GivenUp {
    Id id;
    bool maybe_applied;
  };
  std::vector<GivenUp> expire(Time now);
  std::vector<GivenUp> give_up_all();
  // One request, given up by its caller; nothing if it is not outstanding.
  std::optional<GivenUp> give_up(Id id);

  // Every request of this member numbered below this has been answered.
  Id settled_below() const;
  std::size_t outstanding() const { return requests_.size(); }
  // Attempts made after a request's first, since this proposer started.
  std::uint64_t resends() const { return resends_; }

 private:
  struct Outstanding {
    pb::Request request;
    Time deadline = 0;
    Time last_sent = 0;
    int in_flight = 0;        // attempts sent and not answered
    Term accepted_term = 0;   // the newest term whose leader appended it (0: none)
    bool maybe_in_log = false;  // an attempt was appended, or its fate is unknown
    bool sent_once = false;
  };
  bool due(const Outstanding& o, Term term, Time now) const;
  Outstanding* find(Id id);
  GivenUp remove(std::map<Id, Outstanding>::iterator it);

  std::uint64_t member_;
  Id next_id_;
  Options options_;
  std::map<Id, Outstanding> requests_;
  std::uint64_t resends_ = 0;
  // With Mutant::kReproposeAsNew: the id each resend was given -> the request's first id.
  std::map<Id, Id> aliases_;
};

}  // namespace etcetera::kv
