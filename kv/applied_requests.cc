#include "kv/applied_requests.h"

#include <algorithm>
#include <string>

namespace etcetera::kv {

AppliedRequests::Admission AppliedRequests::admit(const pb::Request& r) {
  if (r.proposer() == 0) return {Verdict::kNew};
  Proposer& p = proposers_[r.proposer()];
  const std::uint64_t floor = std::min(r.settled_below(), r.id());
  if (floor > p.settled_below) {
    p.settled_below = floor;
    p.applied.erase(p.applied.begin(), p.applied.lower_bound(floor));
  }
  if (auto it = p.applied.find(r.id()); it != p.applied.end())
    return {Verdict::kApplied, &it->second};
  if (r.id() < p.settled_below) return {Verdict::kSettled};
  return {Verdict::kNew};
}

void AppliedRequests::record(const pb::Request& r, const pb::Response& result) {
  if (r.proposer() == 0) return;
  proposers_[r.proposer()].applied.emplace(r.id(), result);
}

const pb::Response* AppliedRequests::find(std::uint64_t proposer, std::uint64_t id) const {
  auto p = proposers_.find(proposer);
  if (p == proposers_.end()) return nullptr;
  auto it = p->second.applied.find(id);
  return it == p->second.applied.end() ? nullptr : &it->second;
}

std::uint64_t AppliedRequests::settled_below(std::uint64_t proposer) const {
  auto p = proposers_.find(proposer);
  return p == proposers_.end() ? 0 : p->second.settled_below;
}

std::size_t AppliedRequests::size() const {
  std::size_t n = 0;
  for (const auto& [id, p] : proposers_)
    n += p.applied.size();
  return n;
}

void AppliedRequests::to_snapshot(pb::Snapshot& out) const {
  for (const auto& [id, p] : proposers_) {
    pb::ProposerRecord* record = out.add_proposers();
    record->set_proposer(id);
    record->set_settled_below(p.settled_below);
    for (const auto& [seq, result] : p.applied)
      *record->add_applied() = result;
  }
}

Result<AppliedRequests> AppliedRequests::from_snapshot(const pb::Snapshot& in) {
  AppliedRequests out;
  for (const auto& record : in.proposers()) {
    if (record.proposer() == 0 || out.proposers_.contains(record.proposer()))
      return fail(Error::Code::kCorrupt, "the snapshot names proposer " +
                                             std::to_string(record.proposer()) +
                                             " twice, or proposer 0");
    Proposer& p = out.proposers_[record.proposer()];
    p.settled_below = record.settled_below();
    for (const auto& result : record.applied()) {
      if (result.proposer() != record.proposer() || result.id() < p.settled_below ||
          !p.applied.emplace(result.id(), result).second)
        return fail(Error::Code::kCorrupt,
                    "the snapshot's applied requests of proposer " +
                        std::to_string(record.proposer()) + " contradict themselves at id " +
                        std::to_string(result.id()));
    }
  }
  return out;
}

}  // namespace etcetera::kv
