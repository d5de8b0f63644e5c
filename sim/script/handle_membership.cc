// Commands for the parts of Raft beyond the core: log compaction, membership
// changes and leadership transfer.
#include "raft/describe.h"
#include "sim/script/env.h"
#include "sim/script/options.h"

namespace etcetera::sim {

// compact ID [INDEX]: node ID's application snapshots its state machine
// through INDEX (default: everything it applied) and compacts its log.
std::string handle_compact(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  const raft::Index index = c.args.size() > 1 ? parse_uint(c, c.args[1]) : 0;
  if (auto ok = env.cluster().compact(id, index); !ok) return "error: " + ok.error().message;
  const auto& st = env.cluster().storage(id);
  return env.take_events() + "snapshot " + std::to_string(st.snapshot().metadata().index()) + "/" +
         std::to_string(st.snapshot().metadata().term()) + ", log from " +
         std::to_string(st.first_index());
}

// add-node ID [from=ID]: a new, empty node that knows the configuration but
// is not a member yet (propose-conf-change adds it).
std::string handle_add_node(InteractionEnv& env, const Command& c) {
  if (c.args.size() != 1) throw ScriptError{"add-node: usage: add-node ID [from=ID]"};
  const raft::NodeId id = parse_uint(c, c.args[0]);
  const raft::NodeId from = uint_option(c, "from", 1);
  if (auto ok = env.cluster().add_node(id, from); !ok) return "error: " + ok.error().message;
  return "";
}

// propose-conf-change ID STEP...: STEP is v4 (add voter 4, or promote the
// learner), l5 (add learner 5, or demote the voter), r2 (remove node 2).
std::string handle_propose_conf_change(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  raft::pb::ConfChange cc;
  for (std::size_t i = 1; i < c.args.size(); ++i) {
    const std::string& step = c.args[i];
    if (step.size() < 2 || (step[0] != 'v' && step[0] != 'l' && step[0] != 'r'))
      throw ScriptError{"propose-conf-change: steps are v<id>, l<id> or r<id>, not '" + step + "'"};
    auto* s = cc.add_changes();
    s->set_type(step[0] == 'v'   ? raft::pb::ADD_VOTER
                : step[0] == 'l' ? raft::pb::ADD_LEARNER
                                 : raft::pb::REMOVE_NODE);
    s->set_node(parse_uint(c, step.substr(1)));
  }
  auto index = env.cluster().node(id).propose_conf_change(cc);
  std::string events = env.take_events();
  if (!index) return events + "error: " + index.error().message;
  return events + "index " + std::to_string(*index);
}

// transfer-leader FROM TO: the leader FROM hands leadership to TO.
std::string handle_transfer_leader(InteractionEnv& env, const Command& c) {
  const auto from = env.node_arg(c, 0);
  if (c.args.size() != 2) throw ScriptError{"transfer-leader: usage: transfer-leader FROM TO"};
  auto ok = env.cluster().node(from).transfer_leadership(parse_uint(c, c.args[1]));
  std::string events = env.take_events();
  return events + (ok ? "" : "error: " + ok.error().message);
}

}  // namespace etcetera::sim
