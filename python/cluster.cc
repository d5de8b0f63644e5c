// etcetera.Cluster: a simulated cluster (sim/cluster.h) as a notebook drives
// it. It keeps every event in a trace, checks the spec's invariants on each
// one as it happens (sim::CheckingSink), and can carry key-value clients or
// lock clients whose turns come after each tick of virtual time.
#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "python/bindings.h"
#include "raft/describe.h"
#include "sim/cluster.h"
#include "sim/kv_workload.h"
#include "sim/lock_workload.h"
#include "sim/schedule.h"

namespace etcetera::python {
namespace {

// Per mille, from a Python rate in [0, 1].
std::uint32_t per_mille(double rate, const char* what) {
  if (!(rate >= 0.0 && rate <= 1.0))
    throw Error(std::string(what) + " must be between 0 and 1, not " + std::to_string(rate));
  return static_cast<std::uint32_t>(rate * 1000.0 + 0.5);
}

class LabCluster {
 public:
  // Without a trace, nothing is recorded or checked: for experiments over
  // many seeds, where only the outcome counts.
  LabCluster(const sim::ClusterOptions& options, bool traced)
      : checks_(&trace_), cluster_(options, traced ? &checks_ : nullptr) {}

  sim::Cluster& cluster() { return cluster_; }

  raft::NodeId id_arg(raft::NodeId id) const {
    const auto ids = cluster_.ids();
    if (std::find(ids.begin(), ids.end(), id) == ids.end())
      throw Error("no node " + std::to_string(id) + ": the nodes are 1 to " +
                  std::to_string(ids.size()));
    return id;
  }
  raft::Node& running(raft::NodeId id) {
    if (!cluster_.is_up(id_arg(id)))
      throw Error("node " + std::to_string(id) + " is down: restart it first");
    return cluster_.node(id);
  }

  // One tick of virtual time, then the clients' turn.
  void tick(bool new_operations) {
    cluster_.advance_time();
    clients_turn(new_operations);
  }
  void clients_turn(bool new_operations) {
    if (kv_clients_) kv_clients_->step(new_operations);
    if (lock_clients_) lock_clients_->step(new_operations);
  }

  py::dict step(bool new_operations) {
    const std::size_t before = trace_.events().size();
    const auto move = cluster_.step();
    if (move == sim::Cluster::Move::kTick) clients_turn(new_operations);
    py::dict d;
    d["move"] = move == sim::Cluster::Move::kReady     ? "ready"
                : move == sim::Cluster::Move::kMessage ? "message"
                                                       : "tick";
    d["time"] = cluster_.now();
    std::vector<std::string> lines;
    for (std::size_t k = before; k < trace_.events().size(); ++k)
      lines.push_back(raft::describe(trace_.events()[k]));
    d["events"] = lines;
    return d;
  }

  // `done` is any callable; its answer counts by Python's truth (a leader's
  // id, a non-empty list), as an `if` would.
  std::optional<std::uint64_t> run_until(const py::object& self, const py::function& done,
                                         std::uint64_t max_ticks, bool new_operations) {
    for (std::uint64_t t = 0; t <= max_ticks; ++t) {
      if (py::bool_(done(self))) return t;
      if (t < max_ticks) tick(new_operations);
    }
    return std::nullopt;
  }

  py::dict node(raft::NodeId id) {
    id_arg(id);
    py::dict d;
    d["id"] = id;
    d["up"] = cluster_.is_up(id);
    d["isolated"] = cluster_.is_isolated(id);
    if (!cluster_.is_up(id)) {
      const auto hs = cluster_.storage(id).hard_state();
      d["role"] = "Down";
      d["term"] = hs.term();
      d["vote"] = hs.vote();
      d["commit"] = hs.commit();
      d["last_index"] = cluster_.storage(id).last_index();
      return d;
    }
    const raft::Node& n = cluster_.node(id);
    d["role"] = raft::role_name(n.role());
    d["term"] = n.term();
    d["vote"] = n.voted_for();
    d["leader"] = n.leader();
    d["commit"] = n.log().committed();
    d["applied"] = n.log().applied();
    d["last_index"] = n.log().last_index();
    d["last_term"] = n.log().last_term();
    d["election_timeout"] = n.randomized_election_timeout();
    return d;
  }

  // The entries node `id` holds: its log if it runs, else its disk.
  py::list log(raft::NodeId id) {
    id_arg(id);
    std::vector<raft::pb::Entry> entries;
    if (cluster_.is_up(id)) {
      const auto& l = cluster_.node(id).log();
      entries =
          l.entries(l.first_index(), l.last_index() + 1, l.last_index() + 1 - l.first_index());
    } else {
      const auto& s = cluster_.storage(id);
      entries = s.entries(s.first_index(), s.last_index() + 1);
    }
    py::list out;
    for (const auto& e : entries) {
      py::dict d;
      d["index"] = e.index();
      d["term"] = e.term();
      d["text"] = raft::describe(e);
      d["data"] = py::bytes(e.data());
      out.append(d);
    }
    return out;
  }

  // The key-value store of node `id` as it stands: {key: value}.
  py::dict store(raft::NodeId id) {
    if (!cluster_.options().kv) throw Error("this cluster has no key-value store: pass kv=True");
    id_arg(id);
    etcdserverpb::RangeRequest all;
    all.set_key(std::string(1, '\0'));
    all.set_range_end(std::string(1, '\0'));
    const auto got = cluster_.kv(id).store().range(all);
    if (!got) throw Error(got.error().message);
    py::dict d;
    for (const auto& kv : got->kvs())
      d[py::str(kv.key())] = py::str(kv.value());
    return d;
  }

  raft::Index propose(const std::string& value, std::optional<raft::NodeId> at) {
    if (cluster_.options().kv)
      throw Error("a key-value cluster takes its clients' requests: use start_clients()");
    const raft::NodeId id = at ? *at : cluster_.leader().value_or(0);
    if (id == 0) throw Error("there is no leader to propose to: run until one is elected");
    auto index = running(id).propose(value);
    if (!index) {
      std::string message = index.error().message;
      if (index.error().leader_hint != 0)
        message += " (the leader it knows is " + std::to_string(index.error().leader_hint) + ")";
      throw Error(message);
    }
    return *index;
  }

  void start_clients(const sim::KvWorkloadOptions& options) {
    need_kv_without_clients();
    kv_clients_ = std::make_unique<sim::KvWorkload>(cluster_, options);
  }
  void start_lock_clients(const sim::LockWorkloadOptions& options) {
    need_kv_without_clients();
    lock_options_ = options;
    lock_clients_ = std::make_unique<sim::LockWorkload>(cluster_, options);
  }
  sim::KvWorkload& kv_clients() {
    if (!kv_clients_) throw Error("no key-value clients: call start_clients() first");
    return *kv_clients_;
  }
  sim::LockWorkload& lock_clients() {
    if (!lock_clients_) throw Error("no lock clients: call start_lock_clients() first");
    return *lock_clients_;
  }
  int lock_client_count() const { return lock_clients_ ? lock_options_.clients : 0; }
  int lock_client_arg(int client) const {
    if (client < 1 || client > lock_options_.clients)
      throw Error("no lock client " + std::to_string(client) + ": they are 1 to " +
                  std::to_string(lock_options_.clients));
    return client;
  }
  void finish_clients() {
    if (kv_clients_) kv_clients_->finish();
    if (lock_clients_) lock_clients_->finish();
  }

  const raft::TraceBuffer& trace() const { return trace_; }
  const std::optional<std::string>& violation() const { return checks_.violation; }

 private:
  void need_kv_without_clients() const {
    if (!cluster_.options().kv) throw Error("clients need a key-value cluster: pass kv=True");
    if (kv_clients_ || lock_clients_) throw Error("this cluster already has clients");
  }

  raft::TraceBuffer trace_;
  sim::CheckingSink checks_;
  sim::Cluster cluster_;
  std::unique_ptr<sim::KvWorkload> kv_clients_;
  std::unique_ptr<sim::LockWorkload> lock_clients_;
  sim::LockWorkloadOptions lock_options_;
};

std::unique_ptr<LabCluster> make_cluster(int nodes, std::uint64_t seed, int election_tick,
                                         std::optional<int> election_spread, int heartbeat_tick,
                                         bool pre_vote, bool check_quorum,
                                         const std::optional<std::string>& bug, bool kv,
                                         std::pair<sim::Time, sim::Time> delay, double drop_rate,
                                         double duplicate_rate, std::size_t max_entries_per_msg,
                                         bool trace) {
  sim::ClusterOptions o;
  o.nodes = node_count(nodes);
  o.seed = seed;
  o.election_tick = election_tick;
  o.election_spread = election_spread;
  o.heartbeat_tick = heartbeat_tick;
  o.pre_vote = pre_vote;
  o.check_quorum = check_quorum;
  o.mutant = raft_bug(bug);
  o.kv = kv;
  o.max_entries_per_msg = max_entries_per_msg;
  o.link = link_faults(delay, drop_rate, duplicate_rate);
  // The cluster cannot refuse a bad configuration: check it as a node would.
  raft::Config c;
  c.id = 1;
  c.voters = {1};
  c.election_tick = election_tick;
  c.election_spread = election_spread;
  c.heartbeat_tick = heartbeat_tick;
  c.max_entries_per_msg = max_entries_per_msg;
  unwrap(c.validate());
  return std::make_unique<LabCluster>(o, trace);
}

py::list dicts_of_writes(const std::vector<sim::ProtectedResource::Write>& log) {
  py::list out;
  for (const auto& w : log) {
    py::dict d;
    d["client"] = w.client;
    d["token"] = w.token;
    d["time"] = w.time;
    d["accepted"] = w.accepted;
    out.append(d);
  }
  return out;
}

py::list dicts_of_beliefs(const std::vector<sim::Belief>& beliefs) {
  py::list out;
  for (const auto& b : beliefs) {
    py::dict d;
    d["client"] = b.client;
    d["token"] = b.token;
    d["start"] = b.from;
    d["end"] = b.to ? py::cast(*b.to) : py::none();
    d["ended"] = b.ended;
    out.append(d);
  }
  return out;
}

}  // namespace

void percent(int value, const char* what) {
  if (value < 0 || value > 100)
    throw Error(std::string(what) + " is a percentage: 0 to 100, not " + std::to_string(value));
}

std::string name_list(const std::vector<std::string>& names, const std::string& last) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k)
    out += (k == 0 ? "" : k + 1 == names.size() ? last : ", ") + names[k];
  return out;
}

raft::Mutant raft_bug(const std::optional<std::string>& name) {
  if (!name) return raft::Mutant::kNone;
  if (auto m = raft::mutant_by_name(*name)) return *m;
  std::vector<std::string> known;
  for (const auto& info : raft::all_mutants())
    known.emplace_back(info.name);
  throw Error("no bug '" + *name + "': " + name_list(known));
}

int node_count(int nodes) {
  if (nodes < 1 || nodes > 9) throw Error("nodes must be 1 to 9, not " + std::to_string(nodes));
  return nodes;
}

sim::LinkFaults link_faults(std::pair<sim::Time, sim::Time> delay, double drop_rate,
                            double duplicate_rate) {
  if (delay.first > delay.second) throw Error("delay is (min, max) in ticks, with min <= max");
  return {.min_delay = delay.first,
          .max_delay = delay.second,
          .loss = per_mille(drop_rate, "drop_rate"),
          .duplicate = per_mille(duplicate_rate, "duplicate_rate")};
}

py::list writes_as_dicts(const std::vector<sim::ProtectedResource::Write>& log) {
  return dicts_of_writes(log);
}
py::list beliefs_as_dicts(const std::vector<sim::Belief>& beliefs) {
  return dicts_of_beliefs(beliefs);
}

void bind_cluster(py::module_& m) {
  using L = LabCluster;
  py::class_<L>(m, "Cluster", R"(A simulated cluster of raft nodes in virtual time (sim/cluster.h).

Every event goes into a trace, and the invariants of spec/Raft.tla are checked
on each one as it happens: `violation` names the first that broke.)")
      .def(py::init(&make_cluster), py::kw_only(), py::arg("nodes") = 3, py::arg("seed") = 1,
           py::arg("election_tick") = 10, py::arg("election_spread") = py::none(),
           py::arg("heartbeat_tick") = 1, py::arg("pre_vote") = true,
           py::arg("check_quorum") = true, py::arg("bug") = py::none(), py::arg("kv") = false,
           py::arg("delay") = std::pair<sim::Time, sim::Time>{0, 0}, py::arg("drop_rate") = 0.0,
           py::arg("duplicate_rate") = 0.0, py::arg("max_entries_per_msg") = 64,
           py::arg("trace") = true,
           R"(nodes: how many; seed: every random choice of the run follows from it.
election_tick, election_spread: each term's election timeout is drawn from
  [election_tick, election_tick + spread) ticks (spread defaults to election_tick).
pre_vote, check_quorum: the two liveness extensions of the Raft thesis (9.6, 6.2).
bug: a classic bug switched on in every node (etcetera.bugs()).
kv: each node runs the key-value store, for clients.
delay: (min, max) ticks a message spends on the wire; drop_rate, duplicate_rate: in [0, 1].
trace: keep every event and check the spec on each (False: faster, for many runs).)")
      .def_property_readonly("ids", [](L& c) { return c.cluster().ids(); })
      .def_property_readonly(
          "now", [](L& c) { return c.cluster().now(); }, "Virtual time, in ticks.")
      .def(
          "leader", [](L& c) { return c.cluster().leader(); },
          "The leader with the highest term among running nodes, or None.")
      .def("node", &L::node, py::arg("id"), "Node `id`'s state, as a dict.")
      .def(
          "nodes",
          [](L& c) {
            py::list out;
            for (auto id : c.cluster().ids())
              out.append(c.node(id));
            return out;
          },
          "Every node's state, as dicts.")
      .def("log", &L::log, py::arg("id"), "The entries node `id` holds, as dicts.")
      .def("store", &L::store, py::arg("id"),
           "Node `id`'s key-value store as it stands: {key: value}.")
      .def("step", &L::step, py::arg("new_operations") = true,
           "The smallest move: one node's Ready, else one message due, else one tick. Returns "
           "what moved and the events it caused.")
      .def(
          "advance",
          [](L& c, std::uint64_t ticks, bool new_operations) {
            for (std::uint64_t t = 0; t < ticks; ++t)
              c.tick(new_operations);
          },
          py::arg("ticks") = 1, py::arg("new_operations") = true,
          "Runs `ticks` ticks of virtual time (clients take a turn after each).")
      .def(
          "run_until",
          [](py::object self, const py::function& done, std::uint64_t max_ticks,
             bool new_operations) {
            return self.cast<L&>().run_until(self, done, max_ticks, new_operations);
          },
          py::arg("condition"), py::arg("max_ticks") = 1000, py::arg("new_operations") = true,
          "Ticks until condition(cluster) is true; returns the ticks it took, or None if it "
          "was still false after max_ticks.")
      .def(
          "campaign", [](L& c, raft::NodeId id) { c.running(id).campaign(); }, py::arg("id"),
          "Node `id` starts an election now, as if its timer had fired.")
      .def("propose", &L::propose, py::arg("value"), py::arg("node") = py::none(),
           "A client's value, proposed at `node` (default: the leader). Returns its log index.")
      .def(
          "crash", [](L& c, raft::NodeId id) { c.cluster().crash(c.id_arg(id)); }, py::arg("id"),
          "Node `id` loses everything but its disk.")
      .def(
          "restart",
          [](L& c, raft::NodeId id) {
            if (c.cluster().is_up(c.id_arg(id)))
              throw Error("node " + std::to_string(id) + " is running: crash it first");
            unwrap(c.cluster().restart(id));
          },
          py::arg("id"), "Node `id` starts again from its disk.")
      .def(
          "isolate", [](L& c, raft::NodeId id) { c.cluster().isolate(c.id_arg(id)); },
          py::arg("id"), "Cuts node `id` off from every other node, until heal().")
      .def(
          "partition",
          [](L& c, const std::vector<std::vector<raft::NodeId>>& groups) {
            std::set<raft::NodeId> seen;
            for (const auto& g : groups)
              for (auto id : g)
                if (!seen.insert(c.id_arg(id)).second)
                  throw Error("node " + std::to_string(id) +
                              " is in two groups: each node belongs to one side");
            c.cluster().partition(groups);
          },
          py::arg("groups"),
          "Splits the nodes into groups that reach only themselves, until heal(): "
          "partition([[1, 2], [3, 4, 5]]).")
      .def(
          "heal", [](L& c) { c.cluster().heal(); }, "The network is whole again.")
      .def(
          "set_link",
          [](L& c, std::pair<sim::Time, sim::Time> delay, double drop_rate, double duplicate_rate) {
            c.cluster().network().set_default_link(link_faults(delay, drop_rate, duplicate_rate));
          },
          py::kw_only(), py::arg("delay") = std::pair<sim::Time, sim::Time>{0, 0},
          py::arg("drop_rate") = 0.0, py::arg("duplicate_rate") = 0.0,
          "How every link treats messages from now on.")
      .def(
          "note", [](L& c, const std::string& text) { c.cluster().note(text); }, py::arg("text"),
          "A line of narrative in the trace, for whoever replays it.")
      .def_property_readonly("violation", &L::violation,
                             "The first invariant of spec/Raft.tla that broke, or None.")
      .def(
          "trace",
          [](L& c) {
            if (!c.cluster().tracing())
              throw Error("this cluster keeps no trace: create it with trace=True");
            return make_trace(c.trace().events());
          },
          "Every event so far, as a Trace.")
      .def(
          "start_clients",
          [](L& c, int clients, int keys, int get_percent, int serializable_percent,
             sim::Time timeout, std::uint64_t seed) {
            if (clients < 1 || keys < 1) throw Error("clients and keys must be at least 1");
            percent(get_percent, "get_percent");
            percent(serializable_percent, "serializable_percent");
            if (timeout < 1) throw Error("timeout is in ticks: at least 1");
            sim::KvWorkloadOptions o;
            o.clients = clients;
            o.keys = keys;
            o.get_percent = get_percent;
            o.serializable_percent = serializable_percent;
            o.timeout = timeout;
            o.seed = seed;
            c.start_clients(o);
          },
          py::kw_only(), py::arg("clients") = 3, py::arg("keys") = 2, py::arg("get_percent") = 40,
          py::arg("serializable_percent") = 0, py::arg("timeout") = 40, py::arg("seed") = 1,
          "Key-value clients (sim/kv_workload.h) that get, put, delete and compare-and-swap, "
          "one operation at a time each, after every tick. Their history is history().")
      .def(
          "history", [](L& c) { return c.kv_clients().history(); },
          "What the key-value clients saw: a History.")
      .def(
          "start_lock_clients",
          [](L& c, int clients, const std::string& name, std::int64_t ttl, sim::Time hold,
             sim::Time write_every, int start_percent, std::uint64_t seed,
             const std::optional<std::string>& bug) {
            if (clients < 1) throw Error("clients must be at least 1");
            if (ttl < 1) throw Error("ttl is the lease's seconds: at least 1");
            if (hold < 1 || write_every < 1)
              throw Error("hold and write_every are in ticks: at least 1");
            percent(start_percent, "start_percent");
            sim::LockWorkloadOptions o;
            o.clients = clients;
            o.lock_name = name;
            o.ttl = ttl;
            o.hold = hold;
            o.write_every = write_every;
            o.start_percent = start_percent;
            o.seed = seed;
            if (bug) {
              auto mutant = lock::mutant_by_name(*bug);
              if (!mutant) throw Error("no lock bug '" + *bug + "': grant-without-lease-check");
              o.mutant = *mutant;
            }
            c.start_lock_clients(o);
          },
          py::kw_only(), py::arg("clients") = 3, py::arg("name") = "jobs", py::arg("ttl") = 2,
          py::arg("hold") = 6, py::arg("write_every") = 1, py::arg("start_percent") = 100,
          py::arg("seed") = 1, py::arg("bug") = py::none(),
          "Clients that take turns at one lock (sim/lock_workload.h) and write to a protected "
          "resource with their fencing tokens. ttl: lease seconds (10 ticks each).")
      .def(
          "lock_holders",
          [](L& c) {
            std::vector<int> out;
            for (int k = 1; k <= c.lock_client_count(); ++k)
              if (c.lock_clients().believes(k)) out.push_back(k);
            return out;
          },
          "The clients that believe they hold the lock now.")
      .def(
          "lock_queue", [](L& c) { return c.lock_clients().enqueued(); },
          "The tokens (create revisions) of the keys clients enqueued, in order.")
      .def(
          "pause_client",
          [](L& c, int client, sim::Time ticks) {
            c.lock_clients().pause(c.lock_client_arg(client), ticks);
          },
          py::arg("client"), py::arg("ticks"),
          "Client `client`'s process stops for `ticks` ticks (a long garbage collection).")
      .def(
          "lock_clients_idle", [](L& c) { return c.lock_clients().idle(); },
          "Whether every lock client is idle and awake.")
      .def(
          "resource_log", [](L& c) { return writes_as_dicts(c.lock_clients().resource().log()); },
          "Every write the protected resource saw, accepted or refused.")
      .def(
          "beliefs", [](L& c) { return beliefs_as_dicts(c.lock_clients().beliefs()); },
          "Each interval in which a client believed it held the lock.")
      .def(
          "pauses",
          [](L& c) {
            py::list out;
            for (const auto& p : c.lock_clients().pauses()) {
              py::dict d;
              d["client"] = p.client;
              d["start"] = p.from;
              d["end"] = p.to;
              out.append(d);
            }
            return out;
          },
          "Each pause of a client's process: client, start, end (ticks).")
      .def("finish_clients", &L::finish_clients,
           "Ends the clients' run: operations still open will never be answered.");
}

}  // namespace etcetera::python
