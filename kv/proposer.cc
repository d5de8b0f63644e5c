#include "kv/proposer.h"

#include <algorithm>


namespace etcetera::kv {

Proposer::Proposer(std::uint64_t member, Id first_id, Options options)
    : member_(member), next_id_(std::max<Id>(first_id, 1)), options_(options) {}

Proposer::Id Proposer::add(pb::Request r, Time deadline) {
  const Id id = next_id_++;
  r.set_proposer(member_);
  r.set_id(id);
  Outstanding o;
  o.request = std::move(r);
  o.deadline = deadline;
  requests_.emplace(id, std::move(o));
  return id;
}

bool Proposer::due(const Outstanding& o, Term term, Time now) const {
  // An attempt on its way gets its answer first, unless it is overdue.
  if (o.in_flight > 0 && now - o.last_sent < options_.resend_after) return false;
  // The leader of this term has it in its log: it commits unless that
  // leader is deposed, and then the term moves on.
  if (o.accepted_term != 0 && o.accepted_term >= term) return false;
  return true;
}

std::vector<pb::Request> Proposer::take_due(Term term, Time now) {
  std::vector<pb::Request> out;
  const Id floor = settled_below();
  for (auto& [id, o] : requests_) {
    if (!due(o, term, now)) continue;
    if (o.in_flight > 0) o.maybe_in_log = true;  // overdue: taken as lost
    if (o.sent_once) ++resends_;
    if (o.sent_once && options_.mutant == Mutant::kReproposeAsNew) {
      const Id alias = next_id_++;
      aliases_[alias] = id;
      o.request.set_id(alias);
    }
    o.sent_once = true;
    o.request.set_settled_below(floor);
    ++o.in_flight;
    o.last_sent = now;
    out.push_back(o.request);
  }
  return out;
}

Proposer::Outstanding* Proposer::find(Id id) {
  if (auto alias = aliases_.find(id); alias != aliases_.end()) id = alias->second;
  auto it = requests_.find(id);
  return it == requests_.end() ? nullptr : &it->second;
}

void Proposer::accepted(Id id, Term term) {
  Outstanding* o = find(id);
  if (o == nullptr) return;
  o->in_flight = std::max(0, o->in_flight - 1);
  o->accepted_term = std::max(o->accepted_term, term);
  o->maybe_in_log = true;
}

void Proposer::refused(Id id) {
  if (Outstanding* o = find(id)) o->in_flight = std::max(0, o->in_flight - 1);
}

void Proposer::lost(Id id) {
  Outstanding* o = find(id);
  if (o == nullptr) return;
  o->in_flight = std::max(0, o->in_flight - 1);
  o->maybe_in_log = true;
}

std::optional<Proposer::Id> Proposer::settle(const pb::Response& result) {
  if (result.proposer() != member_) return std::nullopt;
  // A late copy refused by the floor says nothing of the first: an
  // outstanding request is never below the floor, so this is not one.
  if (result.has_error() && result.error().code() == static_cast<int>(Error::Code::kSettled))
    return std::nullopt;
  Id id = result.id();
  if (auto alias = aliases_.find(id); alias != aliases_.end()) id = alias->second;
  auto it = requests_.find(id);
  if (it == requests_.end()) return std::nullopt;
  requests_.erase(it);
  std::erase_if(aliases_, [&](const auto& a) { return a.second == id; });
  return id;
}

std::vector<std::pair<Proposer::Id, pb::Response>> Proposer::settle_from(
    const AppliedRequests& applied) {
  std::vector<std::pair<Id, pb::Response>> out;
  std::vector<Id> ids;
  for (const auto& [id, o] : requests_)
    ids.push_back(id);
  for (const auto& [alias, id] : aliases_)
    ids.push_back(alias);
  for (Id id : ids) {
    const pb::Response* first = applied.find(member_, id);
    if (first == nullptr) continue;
    if (auto settled = settle(*first)) out.emplace_back(*settled, *first);
  }
  return out;
}

Proposer::GivenUp Proposer::remove(std::map<Id, Outstanding>::iterator it) {
  const Id id = it->first;
  const bool maybe = it->second.maybe_in_log || it->second.in_flight > 0;
  requests_.erase(it);
  std::erase_if(aliases_, [&](const auto& a) { return a.second == id; });
  return GivenUp{id, maybe};
}

std::vector<Proposer::GivenUp> Proposer::expire(Time now) {
  std::vector<GivenUp> out;
  for (auto it = requests_.begin(); it != requests_.end();) {
    auto next = std::next(it);
    if (it->second.deadline <= now) out.push_back(remove(it));
    it = next;
  }
  return out;
}

std::vector<Proposer::GivenUp> Proposer::give_up_all() {
  std::vector<GivenUp> out;
  while (!requests_.empty())
    out.push_back(remove(requests_.begin()));
  return out;
}

std::optional<Proposer::GivenUp> Proposer::give_up(Id id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) return std::nullopt;
  return remove(it);
}

Proposer::Id Proposer::settled_below() const {
  return requests_.empty() ? next_id_ : requests_.begin()->first;
}

}  // namespace etcetera::kv
