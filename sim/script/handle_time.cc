// Commands that move time: ticks and elections.
#include "sim/script/env.h"
#include "sim/script/options.h"

namespace etcetera::sim {

// tick ID [N]: N ticks (default 1) of one node's clock.
std::string handle_tick(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  const auto n = c.args.size() > 1 ? parse_uint(c, c.args[1]) : 1;
  for (std::uint64_t i = 0; i < n; ++i)
    env.cluster().tick(id);
  return "";
}

// tick-heartbeat ID: one tick, which for a leader with heartbeat=1 sends heartbeats.
std::string handle_tick_heartbeat(InteractionEnv& env, const Command& c) {
  env.cluster().tick(env.node_arg(c, 0));
  return "";
}

// tick-all: one tick of every running node's clock.
std::string handle_tick_all(InteractionEnv& env, const Command&) {
  env.cluster().tick_all();
  return "";
}

// run [N]: N ticks (default 1) of virtual time. Each node's clock advances
// at its rate, and the network delivers the messages that are due.
std::string handle_run(InteractionEnv& env, const Command& c) {
  const auto n = c.args.empty() ? 1 : parse_uint(c, c.args[0]);
  for (std::uint64_t i = 0; i < n; ++i)
    env.cluster().advance_time();
  return env.flush();
}

// clock-rate ID PER_MILLE: the node's clock runs at this rate (1000 keeps
// time, 1500 is half again as fast, 500 half as fast).
std::string handle_clock_rate(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  if (c.args.size() != 2) throw ScriptError{"clock-rate: usage: clock-rate ID PER_MILLE"};
  const auto rate = parse_uint(c, c.args[1]);
  if (rate == 0 || rate > 10000) throw ScriptError{"clock-rate: between 1 and 10000 per mille"};
  env.cluster().set_clock_rate(id, static_cast<std::uint32_t>(rate));
  return "";
}

// campaign ID: the node's election timer fires now.
std::string handle_campaign(InteractionEnv& env, const Command& c) {
  env.cluster().node(env.node_arg(c, 0)).campaign();
  return "";
}

}  // namespace etcetera::sim
