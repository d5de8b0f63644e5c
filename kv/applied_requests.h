// kv::AppliedRequests — the state machine's memory of the client requests it
// has applied, so that a request proposed more than once (kv/proposer.h)
// takes effect once, and every copy after the first answers with the
// first one's result.
//
// A request is known by (proposer, id): the member that proposed it and
// that member's number for it. Per proposer the memory holds
//   - a floor: every request of that proposer numbered below it has been
//     answered to its client, so no copy of it may take effect any more;
//   - the result of each request applied at or above the floor, by id.
// Each request carries its proposer's current floor (Request.settled_below)
// and raises it here, so the memory holds about as many results as the
// proposer has requests in flight. This is the client-session table of
// Ongaro's dissertation (section 6.3), with the proposing member in the
// client's place and many requests in flight at once instead of one.
//
// Why a copy can arrive after the floor passed it: a request forwarded to
// a leader that was deposed, or sitting in a deposed leader's log, can be
// committed late, or a copy on its way can arrive after the proposer has
// moved on. Refusing it (kSettled) is what keeps an answer given at the
// deadline ("request timed out") from being overtaken.
//
// Deterministic: its state is a function of the entries applied, the same
// on every replica, and it travels in the state machine's snapshot.
// Requests with proposer 0 (nobody waits on them) are not remembered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "kv/error.h"
#include "kv/kv.pb.h"

namespace etcetera::kv {

class AppliedRequests {
 public:
  enum class Verdict {
    kNew,      // apply it, then record() its result
    kApplied,  // a copy: answer with the first application's result
    kSettled,  // a copy of a request already answered: it must not take effect
  };
  struct Admission {
    Verdict verdict;
    const pb::Response* first = nullptr;  // with kApplied
  };

  // Raises r's proposer's floor to r.settled_below (never past r.id: a
  // proposer's own request is not settled while it sends it), forgets the
  // results below the floor, and says what to do with r.
  Admission admit(const pb::Request& r);
  // Remembers the result of a request admit() called new.
  void record(const pb::Request& r, const pb::Response& result);

  // The remembered result of (proposer, id), if it applied and is above the floor.
  const pb::Response* find(std::uint64_t proposer, std::uint64_t id) const;
  std::uint64_t settled_below(std::uint64_t proposer) const;
  // Results held, over all proposers.
  std::size_t size() const;

  void to_snapshot(pb::Snapshot& out) const;
  // REQUIRES: nothing; a snapshot without proposers gives an empty memory.
  static Result<AppliedRequests> from_snapshot(const pb::Snapshot& in);

 private:
  struct Proposer {
    std::uint64_t settled_below = 0;
    std::map<std::uint64_t, pb::Response> applied;  // id -> first result
  };
  std::map<std::uint64_t, Proposer> proposers_;
};

}  // namespace etcetera::kv
