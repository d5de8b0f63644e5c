#include "kv/lease_clock.h"

namespace etcetera::kv {

namespace {
constexpr Millis kMillisPerSecond = 1000;
}

void LeaseClock::promote(const Lessor& lessor, Millis now, Millis extend) {
  primary_ = true;
  expiries_.clear();
  for (const auto& [id, lease] : lessor.leases()) {
    expiries_[id] = Expiry{now + extend + lease.ttl * kMillisPerSecond, std::nullopt};
  }
}

void LeaseClock::demote() {
  primary_ = false;
  expiries_.clear();
}

void LeaseClock::sync(const Lessor& lessor, Millis now) {
  for (auto it = expiries_.begin(); it != expiries_.end();) {
    it = lessor.contains(it->first) ? std::next(it) : expiries_.erase(it);
  }
  for (const auto& [id, lease] : lessor.leases()) {
    if (!expiries_.contains(id)) expiries_[id] = Expiry{now + lease.ttl * kMillisPerSecond, {}};
  }
}

Result<std::int64_t> LeaseClock::keep_alive(const Lessor& lessor, LeaseId id, Millis now) {
  if (!primary_) return fail(Error::Code::kNotPrimary, "keep-alives go to the leader");
  const Lease* lease = lessor.find(id);
  if (lease == nullptr) return fail(Error::Code::kLeaseNotFound, "lease " + std::to_string(id));
  sync(lessor, now);
  Expiry& expiry = expiries_[id];
  // A lease already past its expiry is as good as revoked: the revoke is on
  // its way, and renewing it now would let its keys outlive the promise.
  if (expiry.at <= now)
    return fail(Error::Code::kLeaseNotFound, "lease " + std::to_string(id) + " expired");
  expiry = Expiry{now + lease->ttl * kMillisPerSecond, std::nullopt};
  return lease->ttl;
}

Result<LeaseTime> LeaseClock::time_to_live(const Lessor& lessor, LeaseId id, Millis now) {
  if (!primary_) return fail(Error::Code::kNotPrimary, "time-to-live is the leader's to say");
  const Lease* lease = lessor.find(id);
  if (lease == nullptr) return fail(Error::Code::kLeaseNotFound, "lease " + std::to_string(id));
  sync(lessor, now);
  const Millis left = expiries_.at(id).at - now;
  LeaseTime time;
  time.granted_ttl = lease->ttl;
  time.remaining_ttl = left <= 0 ? -1 : (left + kMillisPerSecond - 1) / kMillisPerSecond;
  return time;
}

std::vector<LeaseId> LeaseClock::expired(const Lessor& lessor, Millis now, Millis retry) {
  std::vector<LeaseId> out;
  if (!primary_) return out;
  sync(lessor, now);
  for (auto& [id, expiry] : expiries_) {
    if (expiry.at > now) continue;
    if (expiry.offered && now - *expiry.offered < retry) continue;
    expiry.offered = now;
    out.push_back(id);
  }
  return out;
}

}  // namespace etcetera::kv
