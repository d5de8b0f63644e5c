// kv::LeaseClock — when leases run out, on the leader only.
//
// Which leases exist is replicated state (kv/lessor.h); when each expires is
// not. Only the leader keeps expiry times, on its own clock, and an expired
// lease is revoked by proposing a LeaseRevoke through raft, so every replica
// deletes the same keys at the same revision. A follower keeps no times and
// expires nothing. The rules, as etcd's lessor has them (docs/kv.md, "Leases"):
//   - promote(): a new leader gives every lease its full TTL plus `extend`
//     (the election timeout) from now, so no lease expires because of the
//     election: a client had no leader to send keep-alives to meanwhile.
//   - keep_alive(): the lease's expiry becomes now + TTL.
//   - a lease granted while leading expires TTL after the leader first sees it.
//   - expired(): leases past their expiry; each is offered once, then again
//     after `retry` if it still exists (the revoke may have been lost).
// Time is the driver's, in milliseconds; the clock reads none of its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "kv/error.h"
#include "kv/lessor.h"

namespace etcetera::kv {

using Millis = std::int64_t;

struct LeaseTime {
  std::int64_t remaining_ttl = 0;  // seconds, rounded up; -1 when expired
  std::int64_t granted_ttl = 0;
};

class LeaseClock {
 public:
  bool primary() const { return primary_; }

  void promote(const Lessor& lessor, Millis now, Millis extend);
  void demote();

  // REQUIRES: primary() (kNotPrimary otherwise). kLeaseNotFound for a lease
  // the lessor does not hold. Returns the renewed TTL in seconds.
  Result<std::int64_t> keep_alive(const Lessor& lessor, LeaseId id, Millis now);
  Result<LeaseTime> time_to_live(const Lessor& lessor, LeaseId id, Millis now);

  // Brings the clock in line with the lessor (new leases get their TTL from
  // now, revoked ones are forgotten) and returns the leases to revoke.
  std::vector<LeaseId> expired(const Lessor& lessor, Millis now, Millis retry);

 private:
  struct Expiry {
    Millis at = 0;
    std::optional<Millis> offered;  // when expired() last returned it
  };
  void sync(const Lessor& lessor, Millis now);

  bool primary_ = false;
  std::map<LeaseId, Expiry> expiries_;
};

}  // namespace etcetera::kv
