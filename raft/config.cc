#include "raft/config.h"

#include <algorithm>
#include <set>
#include <string>

namespace etcetera::raft {

Result<void> Config::validate() const {
  using C = Error::Code;
  if (id == kNoNode) return fail(C::kInvalidConfig, "node id 0 is reserved for 'no node'");
  if (voters.empty()) return fail(C::kInvalidConfig, "the configuration has no voters");
  if (std::ranges::find(voters, kNoNode) != voters.end())
    return fail(C::kInvalidConfig, "voter id 0 is reserved for 'no node'");
  if (std::set<NodeId>(voters.begin(), voters.end()).size() != voters.size())
    return fail(C::kInvalidConfig, "a voter is listed twice");
  const bool listed = std::ranges::find(voters, id) != voters.end() ||
                      std::ranges::find(learners, id) != learners.end();
  if (!listed && !joining)
    return fail(C::kInvalidConfig, "node " + std::to_string(id) +
                                       " is not among the voters it was given (set joining for a "
                                       "node that joins a running cluster)");
  if (listed && joining)
    return fail(C::kInvalidConfig, "a joining node must not be in the configuration it is given");
  for (NodeId l : learners)
    if (l == kNoNode || std::ranges::find(voters, l) != voters.end())
      return fail(C::kInvalidConfig,
                  "learner " + std::to_string(l) + " is invalid or also a voter");
  if (heartbeat_tick <= 0) return fail(C::kInvalidConfig, "heartbeat_tick must be at least 1");
  if (election_tick <= heartbeat_tick)
    return fail(C::kInvalidConfig, "election_tick (" + std::to_string(election_tick) +
                                       ") must be greater than heartbeat_tick (" +
                                       std::to_string(heartbeat_tick) + ")");
  if (election_spread && *election_spread < 0)
    return fail(C::kInvalidConfig, "election_spread (" + std::to_string(*election_spread) +
                                       ") must be 0 or more ticks");
  if (max_inflight_msgs == 0)
    return fail(C::kInvalidConfig, "max_inflight_msgs must be at least 1");
  if (max_entries_per_msg == 0)
    return fail(C::kInvalidConfig, "max_entries_per_msg must be at least 1");
  if (max_bytes_per_msg == 0)
    return fail(C::kInvalidConfig, "max_bytes_per_msg must be at least 1");
  return {};
}

}  // namespace etcetera::raft
