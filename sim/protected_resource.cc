#include "sim/protected_resource.h"

#include <map>

namespace etcetera::sim {

bool ProtectedResource::write(int client, kv::Revision token, Time time) {
  const bool accepted = token >= highest_;
  if (accepted) highest_ = token;
  log_.push_back(Write{client, token, time, accepted});
  return accepted;
}

std::size_t ProtectedResource::accepted() const {
  std::size_t n = 0;
  for (const auto& w : log_)
    n += w.accepted ? 1 : 0;
  return n;
}

std::optional<std::string> check_fenced_writes(const std::vector<ProtectedResource::Write>& log) {
  kv::Revision highest = 0;
  std::map<kv::Revision, int> writer;  // token -> the client that wrote with it
  for (const auto& w : log) {
    if (!w.accepted) continue;
    const std::string where = "at time " + std::to_string(w.time) + ", client " +
                              std::to_string(w.client) + "'s write with token " +
                              std::to_string(w.token);
    if (w.token < highest) {
      return where + " was accepted after a write with token " + std::to_string(highest);
    }
    auto [it, first] = writer.try_emplace(w.token, w.client);
    if (!first && it->second != w.client) {
      return where + " was accepted, but client " + std::to_string(it->second) +
             " wrote with that token too";
    }
    highest = w.token;
  }
  return std::nullopt;
}

}  // namespace etcetera::sim
