// The 6.5840 Raft lab's test harness, rebuilt on the simulator: a cluster in
// virtual time with the lab's moves (connect and disconnect a server, crash
// and restart one, propose at the leader the way the lab's one() does) and
// the lab's checks (one leader per term, agreement on every applied index, a
// value committed within a bound). Tests in tests/sim/lab_*_test.cc read like
// the lab's scenarios; docs/labs.md maps one onto the other.
//
// Everything is deterministic: the cluster draws from seeded generators, and
// every random choice a test makes comes from rng(), seeded by the test. A
// failed check FAILs the running Catch2 test with what went wrong.
//
// Bounds are in ticks of virtual time and follow from the timing below and
// the worst delay D of the links (see the functions that compute them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/rng.h"
#include "raft/trace.h"
#include "sim/cluster.h"

namespace etcetera::sim::lab {

using raft::Index;
using raft::Term;
namespace pb = raft::pb;

// The timing of every lab cluster. A follower's election timeout is drawn from
// [kElectionTick, 2 * kElectionTick); a leader sends heartbeats every
// kHeartbeatTick. As in the lab, heartbeats come ten or more times per
// election timeout.
inline constexpr int kElectionTick = 10;
inline constexpr int kHeartbeatTick = 1;

// The lab's networks. Reliable: short delays only. Unreliable: a tenth of the
// messages lost (the lab drops requests and replies alike), some duplicated,
// and delays long enough to reorder. With long reordering on (Figure 8
// unreliable), one message in three, drawn independently, takes the slow
// path instead: held for up to two and a half election timeouts.
inline constexpr LinkFaults kReliable{.min_delay = 0, .max_delay = 1};
inline constexpr LinkFaults kUnreliable{
    .min_delay = 0, .max_delay = 3, .loss = 100, .duplicate = 20};
inline constexpr LinkFaults kSlowPath{
    .min_delay = 0, .max_delay = 25, .loss = 100, .duplicate = 20};

// A value proposed at a stable leader is applied by every connected follower
// within 1 + 5D ticks: the leader's Ready goes out at the next tick (1), the
// append reaches each follower and the answer comes back (2D), and the
// commit index goes out with the append the leader sends as soon as it
// commits (D). Links with different delays reorder: an append that overtakes
// the one before it is refused, and the leader resends once (2D more).
constexpr Time commit_ticks(Time d) {
  return 1 + 5 * d;
}
// A leader is elected within five election rounds. One round: the followers'
// timers fire at most 2 * kElectionTick ticks after they last heard from a
// leader; a PreVote round trip and a vote round trip follow (4D), plus one
// tick for the winner's Ready. Split votes and lost votes cost a round each;
// the lab is about as patient (checkOneLeader waits ten times 500 ms with
// election timeouts of a few hundred ms).
constexpr Time election_ticks(Time d) {
  return 5 * (2 * kElectionTick + 4 * d + 1);
}
// One attempt of one(): commit_ticks, plus five lost messages made good. A
// lost append or answer is made good at the next heartbeat: the leader
// learns of the gap from the heartbeat's answer (kHeartbeatTick + 2D) and
// resends (2D). The lab waits 2 s per attempt, about twenty heartbeats.
constexpr Time attempt_ticks(Time d) {
  return commit_ticks(d) + 5 * (kHeartbeatTick + 4 * d);
}
// All of one(), retries included (the lab's 10 s): an election, then three attempts.
constexpr Time agreement_ticks(Time d) {
  return election_ticks(d) + 3 * attempt_ticks(d);
}

struct LabConfig {
  int servers = 3;
  LinkFaults link = kReliable;
  std::uint64_t seed = 1;
  // The application compacts its log every snapshot_interval applied
  // entries (the lab's SnapShotInterval); 0: never.
  Index snapshot_interval = 0;
};

// Watches the trace: at most one leader per term, ever; which nodes
// installed a snapshot sent by their leader; how many appends followers
// refused (the log consistency check failed).
class TraceWatch final : public raft::TraceSink {
 public:
  void record(const pb::Event& e) override;
  std::optional<std::string> violation;
  std::map<NodeId, int> snapshots_restored;
  int appends_refused = 0;

 private:
  std::map<Term, NodeId> leader_of_term_;
};

// The values applied at each index, over the whole run: every node that
// applies an index must apply the same entry there (term, type and data).
class AppliedRecord {
 public:
  // Records the entries node `id` applied since the last call; FAILs on a mismatch.
  void observe(NodeId id, const std::vector<pb::Entry>& applied);
  // Node `id` restarted: it applies its log again, from the start.
  void forget(NodeId id) { seen_[id] = 0; }

 private:
  std::vector<pb::Entry> entries_;      // entries_[k]: index k + 1, as first applied
  std::vector<NodeId> first_;           // which node applied entries_[k] first
  std::map<NodeId, std::size_t> seen_;  // how many of its applied entries were checked
};

class Lab {
 public:
  explicit Lab(const LabConfig& config);

  Cluster& cluster() { return cluster_; }
  std::vector<NodeId> ids() const { return cluster_.ids(); }
  int servers() const { return config_.servers; }
  raft::Rng& rng() { return rng_; }
  Time now() const { return cluster_.now(); }
  // The node `k` places after `id`, round the ring (the lab's (i + k) % n).
  NodeId peer(NodeId id, int k) const;
  // A random node; draws from rng().
  NodeId random_node();
  const TraceWatch& watch() const { return watch_; }

  // The network, as the lab sees it: a disconnected node reaches no one.
  void disconnect(NodeId id);
  void connect(NodeId id);
  bool connected(NodeId id) const { return connected_.at(id); }
  // Every link behaves like `link` from now on (messages in flight keep their delays).
  void set_links(const LinkFaults& link);
  const LinkFaults& links() const { return cluster_.network().default_link(); }
  // Long reordering: from now on, each message takes kSlowPath with
  // probability 1/3 (each link draws its path anew at every tick).
  void set_long_reordering(bool on);
  // The longest a message may now spend on the wire.
  Time max_delay() const;

  // A crash keeps only the disk; a restart rebuilds the node from it and
  // connects it (the lab's crash1, then start1 and connect).
  void crash(NodeId id);
  void restart(NodeId id);
  bool up(NodeId id) const { return cluster_.is_up(id); }

  // Runs virtual time, checking after every tick that no term had two
  // leaders and that every node applied what the others applied.
  void run_for(Time ticks);

  // The lab's checkOneLeader: lets a heartbeat's time pass, then looks for
  // the leader of the newest term among the connected, running nodes (there
  // must be one only), until there is one; returns it. FAILs after
  // election_bound() ticks.
  NodeId check_one_leader();
  // The lab's checkNoLeader: no connected, running node is a leader.
  void check_no_leader();
  // The lab's checkTerms: runs until the connected, running nodes agree on
  // their term (a heartbeat's delivery at most) and returns it.
  Term check_terms();

  struct Committed {
    int count = 0;                   // running nodes that applied the index
    std::optional<pb::Entry> entry;  // what they applied there
  };
  // The lab's nCommitted. FAILs if two running nodes applied different entries.
  Committed n_committed(Index index) const;
  // The lab's one(): proposes `value` at whichever connected node accepts,
  // until at least `expected` running nodes applied it; without `retry`, a
  // single attempt. Returns its index; FAILs after agreement_bound() ticks.
  Index one(const std::string& value, int expected, bool retry);
  // The lab's wait(): runs until `n` running nodes applied `index` and
  // returns its data, or nothing if a node's term passed `start_term`.
  std::optional<std::string> wait(Index index, int n, std::optional<Term> start_term);

  // The bounds for the links as they are now.
  Time election_bound() const { return election_ticks(max_delay()); }
  Time commit_bound() const { return commit_ticks(max_delay()); }
  Time attempt_bound() const { return attempt_ticks(max_delay()); }
  Time agreement_bound() const { return agreement_ticks(max_delay()); }

  // Clients in the background, as the lab's goroutines: each proposes values
  // one after another at a running node that accepts (connected or not),
  // watches the index it got for a while, and moves on to a new value. The
  // values they saw committed, in order, are committed_by_clients().
  void start_clients(int count);
  void stop_clients() { clients_.clear(); }
  const std::vector<std::string>& committed_by_clients() const { return committed_by_clients_; }

  // Calls of one(value, 1, retry) running in the background while the test
  // goes on (the lab's `go cfg.one(...)`); await_ones() runs until all are done.
  void start_one(const std::string& value);
  void await_ones();

 private:
  struct Attempt {
    std::string value;
    std::optional<Index> index = std::nullopt;  // where a leader put it; nothing: not accepted yet
    Time since = 0;                             // when the attempt (or the wait to retry) began
  };
  struct Client {
    int number = 0;
    int values = 0;
    std::optional<Attempt> attempt = std::nullopt;  // nothing: pausing before the next value
    Time pause_until = 0;
  };
  struct BackgroundOne {
    Attempt attempt;
    Time deadline = 0;
  };

  std::optional<Index> propose_at_leader(const std::string& value, bool connected_only);
  void update_partition();
  void compact_if_due(NodeId id);
  void draw_slow_links();
  void step_client(Client& c);
  bool step_background_one(BackgroundOne& one);

  LabConfig config_;
  TraceWatch watch_;
  Cluster cluster_;
  raft::Rng rng_;
  raft::Rng links_rng_;  // the slow-path draws, apart from the test's own
  bool long_reordering_ = false;
  std::map<NodeId, bool> connected_;
  AppliedRecord record_;
  std::vector<Client> clients_;
  std::vector<std::string> committed_by_clients_;
  std::vector<BackgroundOne> ones_;
};

}  // namespace etcetera::sim::lab
