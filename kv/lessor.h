// Lessor — the replicated lease table: which leases exist, their granted
// TTL, and which keys each one holds. Every replica keeps the same table,
// changed only by applied entries. When a lease runs out is not decided here:
// that is the leader's clock (kv/lease_clock.h), because replicas must never
// disagree about which keys exist at a revision.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "kv/revision.h"

namespace etcetera::kv {

struct Lease {
  LeaseId id = 0;
  std::int64_t ttl = 0;        // granted TTL, seconds
  std::set<std::string> keys;  // keys whose current version is attached
};

// etcd's bounds: no lease may live longer than this many seconds.
inline constexpr std::int64_t kMaxLeaseTtl = 9'000'000'000;

class Lessor {
 public:
  bool contains(LeaseId id) const { return leases_.contains(id); }
  const Lease* find(LeaseId id) const;
  const std::map<LeaseId, Lease>& leases() const { return leases_; }

  // REQUIRES: id != 0 and !contains(id).
  void grant(LeaseId id, std::int64_t ttl);
  // Removes the lease; returns the keys it held, in key order.
  std::vector<std::string> revoke(LeaseId id);

  void attach(LeaseId id, const std::string& key);
  void detach(LeaseId id, const std::string& key);

 private:
  std::map<LeaseId, Lease> leases_;
};

}  // namespace etcetera::kv
