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
#include <string>
#include <vector>

#include "raft/rng.h"
#include "sim/cluster.h"
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
};

struct KvWorkloadStats {
  std::uint64_t invoked = 0, ok = 0, failed = 0, unknown = 0;
  std::uint64_t redirects = 0;  // proposals refused by a follower and sent on to the leader
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

 private:
  struct Operation {
    std::uint64_t id = 0;
    HistoryEvent::Function f = HistoryEvent::Function::kGet;
    std::string key;
    std::optional<std::string> value, expected;
    bool serializable = false;
    Time deadline = 0;
    NodeId node = 0;  // where it was submitted; 0 while waiting for a node
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
};

}  // namespace etcetera::sim
