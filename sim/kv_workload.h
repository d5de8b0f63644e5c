// sim::KvWorkload — clients of the key-value store on a simulated cluster.
//
// Each client is a session that runs one operation at a time: get, put,
// delete or compare-and-swap on a small set of keys, so that operations
// collide. Like etcd's client, it sends each operation to its next endpoint
// in turn. A write proposed at a follower is refused with the leader's
// name, and the client follows the hint at once (the proposal certainly did
// not enter any log, so this is not a new operation). A linearizable get goes through ReadIndex at
// that node and is served from its store once the read is confirmed and applied; a serializable get
// is served from the node's store straight away.
//
// With `forward`, a write goes instead to the client's node whatever its
// role, and the node carries it to the leader as etcetera's server does
// (sim/forwarding.h): it forwards it, sends it again after a leader change
// or a lost answer, and answers its client when the write applies there.
// The client is told `fail` at its deadline only when no copy can have
// entered a log (the node knew no leader), and the write is a put or a
// delete (a cas written down as `fail` would claim its compare ran);
// otherwise `info`.
//
// Every operation is recorded in a History (sim/history.h) with its real
// outcome. An operation that gets no answer within the timeout is given
// up: a write as `info` (it may still take effect), a read as `fail` (a
// read changes nothing); a client whose write ended in `info` continues as
// a new process, as Jepsen's do, and every client that timed out tries the
// next node, as etcd's clients rotate through their endpoints.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kv/mutant.h"
#include "raft/rng.h"
#include "sim/cluster.h"
#include "sim/forwarding.h"
#include "sim/history.h"

namespace etcetera::sim {

struct KvWorkloadOptions {
  int clients = 3;
  int keys = 2;                  // "k1" .. "kN"
  int get_percent = 40;          // the rest are writes:
  int cas_percent = 20;          //   compare-and-swap,
  int delete_percent = 5;        //   delete, and put for what remains
  int serializable_percent = 0;  // of gets: served without ReadIndex
  int start_percent = 50;        // chance per tick that an idle client starts an operation
  Time timeout = 40;             // ticks before an operation is given up
  std::uint64_t seed = 1;
  // Writes taken by any node and forwarded to the leader (sim/forwarding.h).
  bool forward = false;
  Time resend_after = 8;               // ticks before an unanswered forward is sent again
  kv::Mutant mutant = kv::Mutant::kNone;  // in every node's proposer
};

struct KvWorkloadStats {
  std::uint64_t invoked = 0, ok = 0, failed = 0, unknown = 0;
  std::uint64_t redirects = 0;  // proposals refused by a follower and sent on to the leader
  ForwardingStats forwarding;   // with KvWorkloadOptions::forward
};

class KvWorkload final : public KvListener {
 public:
  // Becomes the cluster's kv listener. REQUIRES: cluster.options().kv, and
  // the cluster outlives the workload.
  KvWorkload(Cluster& cluster, const KvWorkloadOptions& options);
  ~KvWorkload() override;
  KvWorkload(const KvWorkload&) = delete;
  KvWorkload& operator=(const KvWorkload&) = delete;

  // One tick of the clients, after a tick of the cluster: gives up overdue
  // operations, submits those waiting for a node, starts new ones.
  void step(bool start_new = true);
  // Ends the run: every open operation is given up (no answer will come).
  void finish();
  bool idle() const;

  const History& history() const { return history_; }
  const KvWorkloadStats& stats() const { return stats_; }
  // With `forward`: the first request some node applied twice (a copy that
  // took effect again), or nothing. Each node applies each log entry once,
  // so a request counted twice at one node took effect twice.
  const std::optional<std::string>& applied_twice() const { return applied_twice_; }

 private:
  struct Operation {
    std::uint64_t id = 0;
    HistoryEvent::Function f = HistoryEvent::Function::kGet;
    std::string key;
    std::optional<std::string> value, expected;
    bool serializable = false;
    Time deadline = 0;
    NodeId node = 0;  // where it was submitted; 0 while waiting for a node
    Forwarding::Id request = 0;  // with `forward`: its id at `node`
  };
  struct Client {
    std::uint64_t process = 0;
    NodeId target = 1;
    std::optional<Operation> op;
    std::map<std::string, std::optional<std::string>> last_seen;  // per key, for cas
  };

  void start(Client& c);
  void submit(Client& c);
  // Answers c's get from node's store as it stands.
  void serve_get(Client& c, NodeId node);
  void complete(Client& c, HistoryEvent::Type type, std::optional<std::string> value,
                std::int64_t revision);
  void record(const Client& c, HistoryEvent::Type type, std::optional<std::string> value,
              std::int64_t revision);
  Client* waiting_at(NodeId node, std::uint64_t id);
  Client* forwarded_at(NodeId node, Forwarding::Id request);
  void submit_forwarded(Client& c);
  void answer(Client& c, const kv::pb::Response& response);
  void count_application(NodeId node, const kv::pb::Response& response);
  NodeId next_node(NodeId after) const;

  void applied(NodeId node, const kv::pb::Response& response) override;
  void read_ready(NodeId node, const raft::ReadState& read) override;
  void read_refused(NodeId node, const std::string& context) override;

  Cluster& cluster_;
  KvWorkloadOptions options_;
  raft::Rng rng_;
  std::vector<Client> clients_;
  std::uint64_t next_process_ = 1;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_value_ = 1;
  History history_;
  KvWorkloadStats stats_;
  std::optional<Forwarding> forwarding_;
  // Per node, the (proposer, id) of every request it applied for real.
  std::map<NodeId, std::set<std::pair<std::uint64_t, std::uint64_t>>> applied_;
  std::optional<std::string> applied_twice_;
};

}  // namespace etcetera::sim
