// Commands that create, crash, restart and inspect nodes.
#include "raft/describe.h"
#include "sim/script/env.h"
#include "sim/script/options.h"

namespace etcetera::sim {

// add-nodes N [pre-vote=true] [check-quorum=true] [election=10] [heartbeat=1]
//             [seed=1] [max-inflight=256] [max-entries=64] [bug=NAME]
//             [delay=A-B] [loss=PER_MILLE] [dup=PER_MILLE]
// bug= switches on a mutant (raft/mutant.h) in every node, to watch it break;
// delay, loss and dup set every link's faults (see set-link).
std::string handle_add_nodes(InteractionEnv& env, const Command& c) {
  if (env.has_cluster()) throw ScriptError{"add-nodes: the cluster already exists"};
  if (c.args.size() != 1) throw ScriptError{"add-nodes: usage: add-nodes N [option=value ...]"};
  sim::ClusterOptions o;
  o.nodes = static_cast<int>(parse_uint(c, c.args[0]));
  o.pre_vote = bool_option(c, "pre-vote", true);
  o.check_quorum = bool_option(c, "check-quorum", true);
  o.election_tick = static_cast<int>(uint_option(c, "election", 10));
  o.heartbeat_tick = static_cast<int>(uint_option(c, "heartbeat", 1));
  o.seed = uint_option(c, "seed", 1);
  o.max_inflight_msgs = uint_option(c, "max-inflight", 256);
  o.max_entries_per_msg = uint_option(c, "max-entries", 64);
  o.link = link_faults_option(c, LinkFaults{});
  if (c.options.contains("bug")) {
    const auto mutant = raft::mutant_by_name(c.options.at("bug"));
    if (!mutant) throw ScriptError{"add-nodes: no mutant named '" + c.options.at("bug") + "'"};
    o.mutant = *mutant;
  }
  if (o.nodes < 1 || o.nodes > 9) throw ScriptError{"add-nodes: between 1 and 9 nodes"};
  env.create_cluster(o);
  std::string out = "election timeouts:";
  for (auto id : env.cluster().ids())
    out += " " + std::to_string(id) + "=" +
           std::to_string(env.cluster().node(id).randomized_election_timeout());
  return out;
}

// set-log ID term=T TERM... : the node's disk holds entries of these terms
// (indexes 1, 2, ...) and current term T; the node restarts from it.
std::string handle_set_log(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  std::vector<raft::Term> terms;
  for (std::size_t i = 1; i < c.args.size(); ++i)
    terms.push_back(parse_uint(c, c.args[i]));
  const raft::Term term = uint_option(c, "term", terms.empty() ? 0 : terms.back());
  if (auto ok = env.cluster().set_log(id, term, terms); !ok) return "error: " + ok.error().message;
  return env.take_events();
}

std::string handle_crash(InteractionEnv& env, const Command& c) {
  for (auto id : env.node_args(c))
    env.cluster().crash(id);
  return "";
}

std::string handle_restart(InteractionEnv& env, const Command& c) {
  std::string out;
  for (auto id : env.node_args(c)) {
    if (env.cluster().is_up(id))
      throw ScriptError{"restart: node " + std::to_string(id) + " is up"};
    if (auto ok = env.cluster().restart(id); !ok) out += "error: " + ok.error().message + "\n";
  }
  return out;
}

std::string handle_status(InteractionEnv& env, const Command& c) {
  std::string out;
  for (auto id : env.node_args(c)) {
    if (!env.cluster().is_up(id)) {
      out += std::to_string(id) + " down\n";
      continue;
    }
    out += env.cluster().node(id).describe() + "\n";
  }
  return out;
}

// log ID: what the node has on disk and what it has applied.
std::string handle_log(InteractionEnv& env, const Command& c) {
  const auto id = env.node_arg(c, 0);
  const auto& st = env.cluster().storage(id);
  std::string out = "disk: term=" + std::to_string(st.hard_state().term()) +
                    " vote=" + std::to_string(st.hard_state().vote()) +
                    " commit=" + std::to_string(st.hard_state().commit()) + " entries:";
  if (st.snapshot().metadata().index() > 0)
    out += " [snapshot " + std::to_string(st.snapshot().metadata().index()) + "/" +
           std::to_string(st.snapshot().metadata().term()) + "]";
  for (const auto& e : st.entries(st.first_index(), st.last_index() + 1))
    out += " " + raft::describe(e);
  out += "\napplied:";
  for (const auto& e : env.cluster().applied(id)) {
    // "index:data": what the state machine saw, without the term.
    const std::string text = raft::describe(e);
    out += " " + std::to_string(e.index()) +
           text.substr(text.find_first_of(":") == std::string::npos ? text.size() : text.find(':'));
  }
  return out;
}

}  // namespace etcetera::sim
