// InteractionEnv: runs the commands of an interaction script against a
// simulated cluster and returns what each printed. Each command has a small
// handler (handle_*.cc); the output is built from the trace events we chose to
// show, never from free-form log lines.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raft/trace.h"
#include "sim/cluster.h"
#include "spec/raft_view.h"

namespace etcetera::sim {

// A command line split into words; key=value words also land in `options`.
struct Command {
  std::string name;
  std::vector<std::string> args;  // positional words
  std::map<std::string, std::string> options;
};

class InteractionEnv : private ClusterObserver {
 public:
  InteractionEnv();
  // Runs one command line and returns its output (never empty: "ok" at least).
  std::string run(const std::string& line);

  // --- for the handlers ---
  sim::Cluster& cluster();
  bool has_cluster() const { return cluster_ != nullptr; }
  void create_cluster(const sim::ClusterOptions& options);
  raft::NodeId node_arg(const Command& c, std::size_t i) const;  // throws on a bad id
  std::vector<raft::NodeId> node_args(const Command& c) const;   // all ids when none given
  // The events recorded since the last call, one line each, indented.
  std::string take_events(const std::string& indent = "");
  // Carries out one node's Ready and prints it; empty when it had none.
  std::string process_ready(raft::NodeId id);
  // Delivers (or drops) the messages that `match` accepts, and prints them.
  std::string deliver(const std::function<bool(const raft::pb::Message&)>& match, bool drop);
  // Every trace event also goes to `tee` (a trace file, say). REQUIRES: tee
  // outlives this environment.
  void set_tee(raft::TraceSink* tee) { tee_ = tee; }
  // What the cluster did since the last call, as the observer printed it.
  std::string flush();
  // The cluster at a glance, one line per node, for the interactive prompt.
  std::string summary();
  // One line per command, for the interactive prompt's 'help'.
  static std::string help();

 private:
  void before_ready(NodeId id) override;
  void after_ready(NodeId id, const raft::Ready& rd) override;
  void before_message(const raft::pb::Message& m, Fate fate) override;
  void after_message(const raft::pb::Message& m, Fate fate) override;

  using Handler = std::function<std::string(InteractionEnv&, const Command&)>;
  std::map<std::string, Handler> handlers_;
  raft::TraceBuffer trace_;
  // Every event also goes through the spec's invariants: a script whose run
  // breaks one says so in its output (what the bug= option is for).
  spec::ClusterView view_;
  std::set<std::string> violated_;  // each invariant is reported once, when it first fails
  std::unique_ptr<sim::Cluster> cluster_;
  std::string printed_;  // the observer's output, until flush()
  raft::TraceSink* tee_ = nullptr;
};

// Handlers, one file per group of commands.
std::string handle_add_nodes(InteractionEnv& env, const Command& c);
std::string handle_set_log(InteractionEnv& env, const Command& c);
std::string handle_crash(InteractionEnv& env, const Command& c);
std::string handle_restart(InteractionEnv& env, const Command& c);
std::string handle_status(InteractionEnv& env, const Command& c);
std::string handle_log(InteractionEnv& env, const Command& c);
std::string handle_tick(InteractionEnv& env, const Command& c);
std::string handle_tick_heartbeat(InteractionEnv& env, const Command& c);
std::string handle_campaign(InteractionEnv& env, const Command& c);
std::string handle_propose(InteractionEnv& env, const Command& c);
std::string handle_read_index(InteractionEnv& env, const Command& c);
std::string handle_process_ready(InteractionEnv& env, const Command& c);
std::string handle_deliver_msgs(InteractionEnv& env, const Command& c);
std::string handle_drop_msgs(InteractionEnv& env, const Command& c);
std::string handle_stabilize(InteractionEnv& env, const Command& c);
std::string handle_isolate(InteractionEnv& env, const Command& c);
std::string handle_heal(InteractionEnv& env, const Command& c);
std::string handle_raw_step(InteractionEnv& env, const Command& c);
std::string handle_raw_bytes(InteractionEnv& env, const Command& c);
std::string handle_compact(InteractionEnv& env, const Command& c);
std::string handle_add_node(InteractionEnv& env, const Command& c);
std::string handle_propose_conf_change(InteractionEnv& env, const Command& c);
std::string handle_transfer_leader(InteractionEnv& env, const Command& c);
std::string handle_partition(InteractionEnv& env, const Command& c);
std::string handle_duplicate_msgs(InteractionEnv& env, const Command& c);
std::string handle_set_link(InteractionEnv& env, const Command& c);
std::string handle_tick_all(InteractionEnv& env, const Command& c);
std::string handle_run(InteractionEnv& env, const Command& c);
std::string handle_clock_rate(InteractionEnv& env, const Command& c);

// A bad command in a script: the runner reports it with the script's line.
struct ScriptError {
  std::string message;
};

}  // namespace etcetera::sim
