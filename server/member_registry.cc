#include "server/member_registry.h"

#include "server/member_options.h"

namespace etcetera::server {

MemberInfo to_info(const pb::MemberRecord& r) {
  MemberInfo m;
  m.id = r.id();
  m.name = r.name();
  m.peer_urls.assign(r.peer_urls().begin(), r.peer_urls().end());
  m.client_urls.assign(r.client_urls().begin(), r.client_urls().end());
  m.is_learner = r.is_learner();
  return m;
}

pb::MemberRecord to_record(const MemberInfo& m) {
  pb::MemberRecord r;
  r.set_id(m.id);
  r.set_name(m.name);
  for (const auto& u : m.peer_urls)
    r.add_peer_urls(u);
  for (const auto& u : m.client_urls)
    r.add_client_urls(u);
  r.set_is_learner(m.is_learner);
  return r;
}

MemberRegistry MemberRegistry::seeded(const std::map<std::string, std::string>& initial_cluster) {
  MemberRegistry r;
  for (const auto& [name, url] : initial_cluster) {
    MemberInfo m;
    m.id = member_id_of(name);
    m.name = name;
    m.peer_urls = {url};
    r.members_[m.id] = m;
  }
  return r;
}

MemberRegistry MemberRegistry::from_proto(const pb::Registry& p) {
  MemberRegistry r;
  for (const auto& m : p.members())
    r.members_[m.id()] = to_info(m);
  r.removed_.insert(p.removed().begin(), p.removed().end());
  r.applied_ = p.applied();
  return r;
}

pb::Registry MemberRegistry::to_proto() const {
  pb::Registry p;
  for (const auto& [id, m] : members_)
    *p.add_members() = to_record(m);
  for (std::uint64_t id : removed_)
    p.add_removed(id);
  p.set_applied(applied_);
  return p;
}

std::vector<MemberInfo> MemberRegistry::list() const {
  std::vector<MemberInfo> out;
  for (const auto& [id, m] : members_)
    out.push_back(m);
  return out;
}

const MemberInfo* MemberRegistry::find(std::uint64_t id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

std::optional<std::uint64_t> MemberRegistry::with_peer_url(
    const std::vector<std::string>& urls) const {
  for (const auto& [id, m] : members_)
    for (const auto& u : m.peer_urls)
      for (const auto& want : urls)
        if (u == want) return id;
  return std::nullopt;
}

bool MemberRegistry::apply_conf_change(std::uint64_t index, const raft::pb::ConfChange& cc) {
  if (index <= applied_) return false;
  applied_ = index;
  // The context names the member an addition brings (raft ignores it).
  pb::MemberRecord added;
  const bool has_record = !cc.context().empty() && added.ParseFromString(cc.context());
  for (const auto& c : cc.changes()) {
    switch (c.type()) {
      case raft::pb::ADD_VOTER:
      case raft::pb::ADD_LEARNER: {
        auto it = members_.find(c.node());
        if (it != members_.end()) {  // a promotion (or a demotion)
          it->second.is_learner = c.type() == raft::pb::ADD_LEARNER;
        } else if (has_record && added.id() == c.node()) {
          MemberInfo m = to_info(added);
          m.is_learner = c.type() == raft::pb::ADD_LEARNER;
          members_[m.id] = m;
        }
        break;
      }
      case raft::pb::REMOVE_NODE:
        members_.erase(c.node());
        removed_.insert(c.node());
        break;
      default:
        break;
    }
  }
  return true;
}

bool MemberRegistry::apply_server_entry(std::uint64_t index, const pb::ServerEntry& e) {
  if (index <= applied_) return false;
  applied_ = index;
  if (e.has_attributes()) {
    auto it = members_.find(e.attributes().id());
    if (it == members_.end()) return true;  // removed meanwhile
    it->second.name = e.attributes().name();
    it->second.client_urls.assign(e.attributes().client_urls().begin(),
                                  e.attributes().client_urls().end());
  } else if (e.has_peer_urls()) {
    auto it = members_.find(e.peer_urls().id());
    if (it == members_.end()) return true;
    it->second.peer_urls.assign(e.peer_urls().peer_urls().begin(), e.peer_urls().peer_urls().end());
  }
  return true;
}

std::string encode_server_entry(const pb::ServerEntry& e) {
  return std::string(1, '\0') + e.SerializeAsString();
}

std::optional<pb::ServerEntry> decode_server_entry(const std::string& data) {
  if (data.empty() || data[0] != '\0') return std::nullopt;
  pb::ServerEntry e;
  if (!e.ParseFromArray(data.data() + 1, static_cast<int>(data.size() - 1))) return std::nullopt;
  return e;
}

}  // namespace etcetera::server
