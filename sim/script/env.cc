#include "sim/script/env.h"

#include <sstream>

#include "raft/describe.h"
#include "spec/raft_invariants.h"

namespace etcetera::sim {
namespace {

Command parse_command(const std::string& line) {
  std::istringstream in(line);
  Command c;
  in >> c.name;
  for (std::string word; in >> word;) {
    if (auto eq = word.find('='); eq != std::string::npos) {
      c.options[word.substr(0, eq)] = word.substr(eq + 1);
    } else {
      c.args.push_back(word);
    }
  }
  return c;
}

// Events that the scripts show. Messages appear as they are delivered and
// Readys as they are processed, so those events would only repeat them.
bool shown(const raft::pb::Event& e) {
  switch (e.kind_case()) {
    case raft::pb::Event::kMessageSent:
    case raft::pb::Event::kMessageReceived:
    case raft::pb::Event::kEntriesPersisted:
    case raft::pb::Event::kEntriesApplied:
    case raft::pb::Event::kProposalAccepted:
    // The script prints its own line for what it did to the network or a
    // node; the trace's record of it would say the same again.
    case raft::pb::Event::kNodeCrashed:
    case raft::pb::Event::kNetworkPartitioned:
    case raft::pb::Event::kNetworkHealed:
    case raft::pb::Event::kMessageLost:
    case raft::pb::Event::kMessageDuplicated:
    case raft::pb::Event::kNote:
      return false;
    default:
      return true;
  }
}

}  // namespace

InteractionEnv::InteractionEnv()
    : handlers_{{"add-nodes", handle_add_nodes},
                {"set-log", handle_set_log},
                {"crash", handle_crash},
                {"restart", handle_restart},
                {"status", handle_status},
                {"log", handle_log},
                {"tick", handle_tick},
                {"tick-heartbeat", handle_tick_heartbeat},
                {"campaign", handle_campaign},
                {"propose", handle_propose},
                {"read-index", handle_read_index},
                {"process-ready", handle_process_ready},
                {"deliver-msgs", handle_deliver_msgs},
                {"drop-msgs", handle_drop_msgs},
                {"stabilize", handle_stabilize},
                {"isolate", handle_isolate},
                {"heal", handle_heal},
                {"raw-step", handle_raw_step},
                {"raw-bytes", handle_raw_bytes},
                {"compact", handle_compact},
                {"add-node", handle_add_node},
                {"propose-conf-change", handle_propose_conf_change},
                {"transfer-leader", handle_transfer_leader},
                {"partition", handle_partition},
                {"duplicate-msgs", handle_duplicate_msgs},
                {"set-link", handle_set_link},
                {"tick-all", handle_tick_all},
                {"run", handle_run},
                {"clock-rate", handle_clock_rate}} {}

std::string InteractionEnv::run(const std::string& line) {
  const Command c = parse_command(line);
  auto it = handlers_.find(c.name);
  if (it == handlers_.end()) throw ScriptError{"unknown command '" + c.name + "'"};
  if (c.name != "add-nodes" && !cluster_) throw ScriptError{"add-nodes must come first"};
  std::string out = it->second(*this, c);
  out += flush();
  out += take_events();
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out.empty() ? "ok" : out;
}

sim::Cluster& InteractionEnv::cluster() {
  return *cluster_;
}

void InteractionEnv::create_cluster(const sim::ClusterOptions& options) {
  cluster_ = std::make_unique<sim::Cluster>(options, &trace_);
  cluster_->set_observer(this);
  for (const auto& e : trace_.take()) {
    view_.apply(e);  // the nodes starting: not printed
    if (tee_) tee_->record(e);
  }
}

raft::NodeId InteractionEnv::node_arg(const Command& c, std::size_t i) const {
  if (i >= c.args.size()) throw ScriptError{c.name + ": missing node id"};
  const std::string& word = c.args[i];
  raft::NodeId id = 0;
  try {
    id = std::stoull(word);
  } catch (...) {
    throw ScriptError{c.name + ": '" + word + "' is not a node id"};
  }
  const auto ids = cluster_->ids();
  if (std::find(ids.begin(), ids.end(), id) == ids.end())
    throw ScriptError{c.name + ": there is no node " + word};
  return id;
}

std::vector<raft::NodeId> InteractionEnv::node_args(const Command& c) const {
  if (c.args.empty()) return cluster_->ids();
  std::vector<raft::NodeId> out;
  for (std::size_t i = 0; i < c.args.size(); ++i)
    out.push_back(node_arg(c, i));
  return out;
}

std::string InteractionEnv::take_events(const std::string& indent) {
  std::string out;
  for (const auto& e : trace_.take()) {
    if (shown(e)) out += indent + std::to_string(e.node()) + " " + raft::describe(e) + "\n";
    view_.apply(e);
    if (tee_) tee_->record(e);
    for (const auto& inv : spec::raft_invariants()) {
      if (violated_.contains(inv.name)) continue;
      if (auto why = inv.check(view_)) {
        out += indent + "INVARIANT VIOLATED " + inv.name + ": " + *why + "\n";
        violated_.insert(inv.name);
      }
    }
  }
  return out;
}

std::string InteractionEnv::process_ready(raft::NodeId id) {
  cluster_->process_ready(id);
  return flush() + take_events();
}

std::string InteractionEnv::deliver(const std::function<bool(const raft::pb::Message&)>& match,
                                    bool drop) {
  for (const auto& m : cluster_->take(match)) {
    if (drop) {
      cluster_->drop(m);
    } else {
      cluster_->deliver_or_lose(m);
    }
  }
  return flush() + take_events();
}

std::string InteractionEnv::flush() {
  std::string out = std::move(printed_);
  printed_.clear();
  return out;
}

void InteractionEnv::before_ready(NodeId) {
  printed_ += take_events();
}

void InteractionEnv::after_ready(NodeId id, const raft::Ready& rd) {
  printed_ += "> " + std::to_string(id) + " handles Ready " + std::to_string(rd.number) + "\n" +
              raft::describe(rd, "  ") + take_events("  ");
}

void InteractionEnv::before_message(const raft::pb::Message& m, Fate fate) {
  printed_ += take_events();
  switch (fate) {
    case Fate::kDelivered:
      printed_ += raft::describe(m) + "\n";
      break;
    case Fate::kDropped:
      printed_ += "dropped " + raft::describe(m) + "\n";
      break;
    case Fate::kLostDown:
      printed_ += "lost " + raft::describe(m) + " (a node is down)\n";
      break;
    case Fate::kLostPartition:
      printed_ += "lost " + raft::describe(m) + " (partitioned)\n";
      break;
  }
}

void InteractionEnv::after_message(const raft::pb::Message&, Fate fate) {
  if (fate == Fate::kDelivered) printed_ += take_events("  ");
}

std::string InteractionEnv::help() {
  return "add-nodes N [pre-vote=] [check-quorum=] [election=] [seed=] [bug=] [delay=A-B] "
         "[loss=] [dup=]\n"
         "campaign ID | tick ID [N] | tick-all | run [N]  (N ticks of virtual time)\n"
         "propose ID DATA | read-index ID CONTEXT\n"
         "process-ready [ID...] | stabilize [ID...]\n"
         "deliver-msgs | drop-msgs | duplicate-msgs [ID...] [from=ID] [type=Name] [nth=K]\n"
         "isolate ID | partition 1,2 3,4,5 | heal\n"
         "set-link [FROM TO] [delay=A-B] [loss=PER_MILLE] [dup=PER_MILLE] | clock-rate ID "
         "PER_MILLE\n"
         "crash ID | restart ID | set-log ID term=T T1 T2 ... | compact ID [INDEX]\n"
         "add-node ID [from=ID] | propose-conf-change ID v4 l5 r2 | transfer-leader FROM TO\n"
         "status [ID...] | log ID | raw-step TO FROM TYPE [field=value...] | raw-bytes TO HEX\n";
}

std::string InteractionEnv::summary() {
  if (!cluster_) return "no cluster yet: start with add-nodes N\n";
  std::string out = "t=" + std::to_string(cluster_->now());
  if (auto p = cluster_->network().describe_partition(cluster_->ids()); !p.empty())
    out += "  partition " + p;
  out += "  in flight: " + std::to_string(cluster_->in_flight_count()) + "\n";
  for (auto id : cluster_->ids()) {
    out += "  " + std::to_string(id) + " ";
    if (!cluster_->is_up(id)) {
      out += "down\n";
      continue;
    }
    const auto& n = cluster_->node(id);
    out += raft::role_name(n.role()) + " term=" + std::to_string(n.term()) +
           " last=" + std::to_string(n.log().last_index()) +
           " commit=" + std::to_string(n.log().committed()) +
           " applied=" + std::to_string(n.log().applied());
    if (cluster_->clock_rate(id) != 1000)
      out += " clock=" + std::to_string(cluster_->clock_rate(id)) + "/1000";
    out += "\n";
  }
  return out;
}

}  // namespace etcetera::sim
