// Commands that move messages: Readys, delivery, loss, partitions, and raw
// input for the bad-message scripts.
#include <algorithm>
#include <charconv>

#include "raft/describe.h"

#include "sim/script/env.h"
#include "sim/script/options.h"

namespace etcetera::sim {
namespace {

using raft::pb::Message;

bool contains(const std::vector<raft::NodeId>& ids, raft::NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Filters for deliver-msgs, drop-msgs and duplicate-msgs: to the given
// nodes, from=ID, type=Name, and nth=K for only the K-th (from 1) of the
// messages that pass the rest, in the order they were sent.
std::function<bool(const Message&)> message_filter(InteractionEnv& env, const Command& c) {
  const auto to = env.node_args(c);
  const std::uint64_t from = uint_option(c, "from", 0);
  const std::string type = c.options.contains("type") ? c.options.at("type") : "";
  const std::uint64_t nth = uint_option(c, "nth", 0);
  auto seen = std::make_shared<std::uint64_t>(0);
  return [=](const Message& m) {
    const bool passes = contains(to, m.to()) && (from == 0 || m.from() == from) &&
                        (type.empty() || raft::message_type_name(m.type()) == type);
    if (!passes) return false;
    return nth == 0 || ++*seen == nth;
  };
}

}  // namespace

// process-ready [ID...]: each node carries out its Ready, if it has one.
std::string handle_process_ready(InteractionEnv& env, const Command& c) {
  std::string out;
  for (auto id : env.node_args(c))
    out += env.process_ready(id);
  return out;
}

// deliver-msgs [ID...] [from=ID] [type=Name]: steps the matching messages
// into their destinations, in the order they were sent.
std::string handle_deliver_msgs(InteractionEnv& env, const Command& c) {
  return env.deliver(message_filter(env, c), false);
}

// drop-msgs [ID...] [from=ID] [type=Name]: the network loses them.
std::string handle_drop_msgs(InteractionEnv& env, const Command& c) {
  return env.deliver(message_filter(env, c), true);
}

// stabilize [ID...]: Readys and deliveries among these nodes until quiet,
// whatever the messages' delays.
std::string handle_stabilize(InteractionEnv& env, const Command& c) {
  env.cluster().stabilize(env.node_args(c));
  return env.flush();
}

// duplicate-msgs [ID...] [from=ID] [type=Name] [nth=K]: the network will
// deliver the matching messages twice.
std::string handle_duplicate_msgs(InteractionEnv& env, const Command& c) {
  const int copies = env.cluster().network().duplicate(message_filter(env, c));
  return "duplicated " + std::to_string(copies) + (copies == 1 ? " message" : " messages");
}

std::string handle_isolate(InteractionEnv& env, const Command& c) {
  for (auto id : env.node_args(c))
    env.cluster().isolate(id);
  return "";
}

// partition 1,2 3,4,5: groups that reach only themselves, until heal.
std::string handle_partition(InteractionEnv& env, const Command& c) {
  if (c.args.empty()) throw ScriptError{"partition: name the groups, e.g. partition 1,2 3,4,5"};
  std::vector<std::vector<raft::NodeId>> groups;
  for (const auto& word : c.args) {
    std::vector<raft::NodeId> group;
    std::size_t start = 0;
    while (start <= word.size()) {
      const auto comma = std::min(word.find(',', start), word.size());
      Command one{c.name, {word.substr(start, comma - start)}, {}};
      group.push_back(env.node_arg(one, 0));
      start = comma + 1;
    }
    groups.push_back(group);
  }
  env.cluster().partition(groups);
  return "partition " + env.cluster().network().describe_partition(env.cluster().ids());
}

// set-link [FROM TO] [delay=A-B] [loss=PER_MILLE] [dup=PER_MILLE]: how a
// link (or, without FROM TO, every link) delays, loses and duplicates.
std::string handle_set_link(InteractionEnv& env, const Command& c) {
  auto& net = env.cluster().network();
  LinkFaults f =
      c.args.size() >= 2 ? net.link(env.node_arg(c, 0), env.node_arg(c, 1)) : net.default_link();
  f = link_faults_option(c, f);
  if (c.args.size() >= 2) {
    net.set_link(env.node_arg(c, 0), env.node_arg(c, 1), f);
    return c.args[0] + "->" + c.args[1] + " " + describe(f);
  }
  if (!c.args.empty()) throw ScriptError{"set-link: give both ends (FROM TO) or neither"};
  net.set_default_link(f);
  net.clear_links();
  return "every link " + describe(f);
}

std::string handle_heal(InteractionEnv& env, const Command&) {
  env.cluster().heal();
  return "";
}

// raw-step TO FROM TYPE [term=] [index=] [log-term=] [commit=] [reject=true]
//          [entries=2/1,3/1] [context=] : steps a hand-made message, as a
// faulty or malicious peer might send it. FROM need not be a member.
std::string handle_raw_step(InteractionEnv& env, const Command& c) {
  const auto to = env.node_arg(c, 0);
  if (c.args.size() != 3)
    throw ScriptError{"raw-step: usage: raw-step TO FROM TYPE [field=value ...]"};
  Message m;
  m.set_to(to);
  m.set_from(parse_uint(c, c.args[1]));
  for (int t = raft::pb::MessageType_MIN; t <= raft::pb::MessageType_MAX; ++t)
    if (raft::message_type_name(static_cast<raft::pb::MessageType>(t)) == c.args[2])
      m.set_type(static_cast<raft::pb::MessageType>(t));
  m.set_term(uint_option(c, "term", 0));
  m.set_index(uint_option(c, "index", 0));
  m.set_log_term(uint_option(c, "log-term", 0));
  m.set_commit(uint_option(c, "commit", 0));
  m.set_reject(bool_option(c, "reject", false));
  if (c.options.contains("context")) m.set_context(c.options.at("context"));
  if (c.options.contains("entries")) {
    std::string list = c.options.at("entries");
    for (std::size_t pos = 0; pos < list.size();) {
      std::size_t comma = list.find(',', pos);
      std::string item = list.substr(pos, comma - pos);
      std::size_t slash = item.find('/');
      if (slash == std::string::npos) throw ScriptError{"raw-step: entries are index/term,..."};
      auto* e = m.add_entries();
      e->set_index(parse_uint(c, item.substr(0, slash)));
      e->set_term(parse_uint(c, item.substr(slash + 1)));
      pos = comma == std::string::npos ? list.size() : comma + 1;
    }
  }
  auto ok = env.cluster().node(to).step(m);
  std::string events = env.take_events();
  return events + (ok ? "" : "error: " + ok.error().message);
}

// raw-bytes TO HEX: steps bytes straight off the wire.
std::string handle_raw_bytes(InteractionEnv& env, const Command& c) {
  const auto to = env.node_arg(c, 0);
  if (c.args.size() != 2 || c.args[1].size() % 2 != 0)
    throw ScriptError{"raw-bytes: usage: raw-bytes TO HEX (an even number of hex digits)"};
  std::string bytes;
  const std::string& hex = c.args[1];
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned byte = 0;
    const auto [last, err] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (err != std::errc{} || last != hex.data() + i + 2)
      throw ScriptError{"raw-bytes: '" + hex.substr(i, 2) + "' is not two hex digits"};
    bytes += static_cast<char>(byte);
  }
  auto ok = env.cluster().node(to).step_encoded(bytes);
  std::string events = env.take_events();
  return events + (ok ? "" : "error: " + ok.error().message);
}

}  // namespace etcetera::sim
