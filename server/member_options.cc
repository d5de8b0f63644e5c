#include "server/member_options.h"

#include <sstream>

namespace etcetera::server {

namespace {

std::uint64_t fnv1a(const std::string& text, std::uint64_t hash = 14695981039346656037ULL) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

std::uint64_t member_id_of(const std::string& name) {
  const std::uint64_t id = fnv1a(name);
  return id == 0 ? 1 : id;
}

std::uint64_t cluster_id_of(const std::map<std::string, std::string>& initial_cluster) {
  std::uint64_t hash = fnv1a("etcetera-cluster");
  for (const auto& [name, url] : initial_cluster)  // a map: sorted by name
    hash = fnv1a(name + "=" + url + ",", hash);
  return hash;
}

std::expected<std::string, std::string> host_port_of(const std::string& url) {
  const std::string scheme = "http://";
  if (!url.starts_with(scheme))
    return std::unexpected("URL '" + url + "' must start with http:// (TLS is not supported)");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos)
    return std::unexpected("URL '" + url + "' must be http://host:port");
  for (char c : rest.substr(colon + 1))
    if (c < '0' || c > '9') return std::unexpected("URL '" + url + "' has a bad port");
  return rest;
}

std::expected<std::map<std::string, std::string>, std::string> parse_initial_cluster(
    const std::string& text) {
  std::map<std::string, std::string> cluster;
  for (const std::string& item : split(text, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return std::unexpected("--initial-cluster entry '" + item +
                             "' must be name=http://host:port");
    const std::string name = item.substr(0, eq), url = item.substr(eq + 1);
    if (auto ok = host_port_of(url); !ok) return std::unexpected(ok.error());
    if (!cluster.emplace(name, url).second)
      return std::unexpected("--initial-cluster names member '" + name + "' twice");
  }
  if (cluster.empty()) return std::unexpected("--initial-cluster is empty");
  return cluster;
}

std::expected<std::vector<std::string>, std::string> parse_urls(const std::string& text) {
  std::vector<std::string> urls = split(text, ',');
  if (urls.empty()) return std::unexpected("an empty URL list");
  for (const auto& url : urls)
    if (auto ok = host_port_of(url); !ok) return std::unexpected(ok.error());
  return urls;
}

std::expected<void, std::string> validate(const MemberOptions& o) {
  if (o.name.empty()) return std::unexpected("--name must not be empty");
  if (!o.initial_cluster.contains(o.name))
    return std::unexpected("--initial-cluster has no member named '" + o.name +
                           "' (this member's --name)");
  std::map<std::uint64_t, std::string> ids;
  for (const auto& [name, url] : o.initial_cluster)
    if (auto [it, fresh] = ids.emplace(member_id_of(name), name); !fresh)
      return std::unexpected("members '" + it->second + "' and '" + name +
                             "' hash to the same id; rename one");
  if (o.heartbeat_interval_ms <= 0) return std::unexpected("--heartbeat-interval must be > 0");
  if (o.election_timeout_ms < 5 * o.heartbeat_interval_ms)
    return std::unexpected("--election-timeout must be at least 5 times --heartbeat-interval");
  if (o.snapshot_count == 0) return std::unexpected("--snapshot-count must be > 0");
  return {};
}

}  // namespace etcetera::server
