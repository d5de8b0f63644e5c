#include "kv/lessor.h"

namespace etcetera::kv {

const Lease* Lessor::find(LeaseId id) const {
  auto it = leases_.find(id);
  return it == leases_.end() ? nullptr : &it->second;
}

void Lessor::grant(LeaseId id, std::int64_t ttl) {
  leases_[id] = Lease{id, ttl, {}};
}

std::vector<std::string> Lessor::revoke(LeaseId id) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return {};
  std::vector<std::string> keys(it->second.keys.begin(), it->second.keys.end());
  leases_.erase(it);
  return keys;
}

void Lessor::attach(LeaseId id, const std::string& key) {
  if (id == 0) return;
  if (auto it = leases_.find(id); it != leases_.end()) it->second.keys.insert(key);
}

void Lessor::detach(LeaseId id, const std::string& key) {
  if (id == 0) return;
  if (auto it = leases_.find(id); it != leases_.end()) it->second.keys.erase(key);
}

}  // namespace etcetera::kv
