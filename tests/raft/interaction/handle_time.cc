// Commands that move time: ticks and elections.
#include "tests/raft/interaction/env.h"
#include "tests/raft/interaction/options.h"

namespace etcetera::tests {

// tick ID [N]: N ticks (default 1) of one node's clock.
std::string handle_tick(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  const auto n = c.args.size() > 1 ? parse_uint(c, c.args[1]) : 1;
  for (std::uint64_t i = 0; i < n; ++i)
    env.cluster().node(id).tick();
  return "";
}

// tick-heartbeat ID: one tick, which for a leader with heartbeat=1 sends heartbeats.
std::string handle_tick_heartbeat(InteractionEnv& env, const Command& c) {
  env.cluster().node(env.node_arg(c, 0)).tick();
  return "";
}

// campaign ID: the node's election timer fires now.
std::string handle_campaign(InteractionEnv& env, const Command& c) {
  env.cluster().node(env.node_arg(c, 0)).campaign();
  return "";
}

}  // namespace etcetera::tests
