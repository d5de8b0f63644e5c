// Client commands: proposals and linearizable reads.
#include "sim/script/env.h"

namespace etcetera::sim {

// propose ID DATA
std::string handle_propose(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  if (c.args.size() != 2) throw ScriptError{"propose: usage: propose ID DATA"};
  auto index = env.cluster().node(id).propose(c.args[1]);
  std::string events = env.take_events();
  if (!index) return events + "error: " + index.error().message;
  return events + "index " + std::to_string(*index);
}

// read-index ID CONTEXT
std::string handle_read_index(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  if (c.args.size() != 2) throw ScriptError{"read-index: usage: read-index ID CONTEXT"};
  auto ok = env.cluster().node(id).read_index(c.args[1]);
  std::string events = env.take_events();
  if (!ok) return events + "error: " + ok.error().message;
  return events;
}

}  // namespace etcetera::sim
