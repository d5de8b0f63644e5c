// raft::Node — one Raft participant as a pure, deterministic state machine.
//
// Inputs:  tick() for time, step(message) for the network, propose(data) and
//          read_index(context) for clients, campaign() to start an election now.
// Output:  a Ready batch (raft/ready.h) the caller carries out, then
//          acknowledges with advance(number).
//
// The node does no I/O and reads no clock: its only randomness is a generator
// seeded from Config::seed. Given the same inputs in the same order, it
// produces the same Readys and the same trace, every time.
//
// Layout of the implementation, one concern per file:
//   node.cc              construction, the public API, role changes (become_*)
//   node_step.cc         step(): validation, the shared term rules, per-role dispatch
//   node_election.cc     timeout, votes and pre-votes, CheckQuorum
//   node_replication.cc  AppendEntries, heartbeats, commit
//   node_read_index.cc   ReadIndex
//   node_snapshot.cc     InstallSnapshot
//   node_membership.cc   membership changes by joint consensus
//   node_transfer.cc     leadership transfer
//   node_ready.cc        building and acknowledging Ready batches
//   node_trace.cc        trace events
//
// Thread-safety: none. One thread (the simulator's or the server's driver
// loop) owns a Node.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/config.h"
#include "raft/error.h"
#include "raft/log.h"
#include "raft/read_only.h"
#include "raft/ready.h"
#include "raft/rng.h"
#include "raft/storage.h"
#include "raft/trace.h"
#include "raft/trace.pb.h"
#include "raft/tracker.h"

namespace etcetera::raft {

using Role = pb::Role;

class Node {
 public:
  // Builds a node from its configuration and whatever its storage holds (a
  // restart is simply this, on a non-empty storage: Restart in spec/Raft.tla).
  // REQUIRES: storage outlives the node.
  [[nodiscard]] static Result<Node> create(const Config& config, const Storage& storage);

  // One tick of the caller's clock: drives election timeouts and heartbeats.
  void tick();

  // Starts an election now, as if the election timer had fired.
  void campaign();

  // Takes one message from the network. Messages from a stale term are
  // ignored (as Raft requires) and reported in the trace; malformed messages
  // are refused with an Error and reported too. Never aborts on bad input.
  [[nodiscard]] Result<void> step(const pb::Message& message);
  // The same, for a message still in its wire encoding.
  [[nodiscard]] Result<void> step_encoded(std::string_view bytes);

  // Appends a client command to the leader's log; returns its index. A
  // follower refuses with kNotLeader and the leader it knows of, if any:
  // proposals are not forwarded (docs/raft.md, "Proposals on a follower").
  [[nodiscard]] Result<Index> propose(std::string data);

  // Asks for a linearizable read. When confirmed, a ReadState with the same
  // context comes out in a Ready once the applied index reaches the read
  // index. A follower forwards the request to its leader.
  [[nodiscard]] Result<void> read_index(std::string context);

  // Proposes a membership change (raft/configuration.h): with changes it
  // enters the joint configuration, and the leader leaves it by itself once
  // that entry is applied. Refused while another change is in progress.
  [[nodiscard]] Result<Index> propose_conf_change(const pb::ConfChange& change);

  // The application applies a committed ENTRY_CONF_CHANGE entry at `index`:
  // the configuration changes now, on apply (docs/raft.md, "When a
  // configuration takes effect"). Returns the configuration to store with
  // later snapshots. Entries at or below the configuration's own index
  // (Config::conf_index, or the snapshot's) are already reflected: no-ops.
  [[nodiscard]] Result<pb::ConfState> apply_conf_change(Index index, const pb::ConfChange& change);

  // Hands leadership to voter `to` (thesis 3.10): proposals stop, `to` is
  // brought up to date and told to campaign at once. Abandoned after an
  // election timeout.
  [[nodiscard]] Result<void> transfer_leadership(NodeId to);

  // Whether there is anything in the next Ready. False while one is outstanding.
  bool has_ready() const;
  // REQUIRES: has_ready(). The batch of work for the caller (raft/ready.h).
  Ready ready();
  // Acknowledges that Ready `number` was carried out.
  [[nodiscard]] Result<void> advance(std::uint64_t number);
  // The messages that may leave before anything is on disk (a Ready's
  // `messages`: heartbeats, appends, their answers that promise nothing),
  // taken now, at any time, a Ready outstanding or not. For an application
  // whose disk is slow: while it writes one Ready, heartbeats and appends
  // still go out (raft/ready.h).
  std::vector<pb::Message> take_messages() { return std::exchange(msgs_, {}); }

  NodeId id() const { return id_; }
  Role role() const { return role_; }
  Term term() const { return current_term_; }
  NodeId voted_for() const { return voted_for_; }
  NodeId leader() const { return leader_; }
  const RaftLog& log() const { return log_; }
  const ProgressTracker& tracker() const { return tracker_; }
  const Configuration& configuration() const { return tracker_.config(); }
  Index conf_index() const { return conf_index_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  int randomized_election_timeout() const { return randomized_election_timeout_; }

  // A multi-line description of the node's state, for tests and the demo.
  std::string describe() const;
  // The node's state as every trace event reports it (Event.state), for a
  // caller that records events of its own (sim::Cluster::compact).
  pb::NodeState trace_state() const;

 private:
  Node(const Config& config, const Storage& storage);

  // --- roles (node.cc) ---
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  // A new term (with `vote`, or none) or the same one: clears what a role change clears.
  void reset(Term term, NodeId vote = kNoNode);
  // Moves to a newer term with `vote` (a vote is for one term); nothing when
  // `term` is the current one.
  void set_term(Term term, NodeId vote = kNoNode);
  void set_role(Role role);
  void set_leader(NodeId leader);
  void reset_randomized_election_timeout();

  // --- step (node_step.cc) ---
  Result<void> validate_message(const pb::Message& m) const;
  bool update_term(const pb::Message& m);  // false: the message is dropped
  void drop_stale_message(const pb::Message& m);
  bool in_leader_lease() const;
  void step_leader(const pb::Message& m);
  void step_candidate(const pb::Message& m);
  void step_follower(const pb::Message& m);

  // --- elections (node_election.cc) ---
  void tick_election();
  void tick_heartbeat();
  void timeout();
  void start_election(bool pre_vote, bool transfer = false);
  void handle_request_vote_request(const pb::Message& m);
  void handle_request_vote_response(const pb::Message& m);
  void check_quorum();

  // --- replication (node_replication.cc) ---
  // ClientRequest: appends one entry of the current term; returns its index.
  Index append_entry(std::string data, pb::EntryType type = pb::ENTRY_NORMAL);
  bool send_append(NodeId to, bool send_if_empty = true);
  void bcast_append();
  void send_heartbeat(NodeId to, const std::string& context);
  void bcast_heartbeat(const std::string& context);
  void handle_append_entries_request(const pb::Message& m);
  void handle_append_entries_response(const pb::Message& m);
  void handle_heartbeat_request(const pb::Message& m);
  void handle_heartbeat_response(const pb::Message& m);
  bool answer_from_member(const pb::Message& m) const;
  bool advance_commit_index();
  bool committed_entry_in_current_term() const;

  // --- ReadIndex (node_read_index.cc) ---
  Result<void> leader_read_index(std::string context, NodeId from);
  void handle_read_index_request(const pb::Message& m);
  void handle_read_index_response(const pb::Message& m);
  void confirm_reads(NodeId from, const std::string& context);
  void release_read(ReadRequest request);
  void send_read_index_response(NodeId to, const std::string& context, std::optional<Index> index);
  void queue_read_state(std::string context, Index index);
  void release_applied_reads();
  void abandon_pending_reads(const std::string& reason);
  void refuse_read(const std::string& context, std::string reason, const pb::Message* m = nullptr);

  // --- snapshots (node_snapshot.cc) ---
  bool send_snapshot(NodeId to);
  void handle_install_snapshot_request(const pb::Message& m);

  // --- membership (node_membership.cc) ---
  bool promotable() const { return tracker_.is_voter(id_); }
  // A committed membership entry is not applied yet: the configuration is
  // not the one as of the commit index, so whether this node may campaign is
  // not known.
  bool unapplied_conf_change() const;
  void set_configuration(Configuration config);
  void maybe_leave_joint();
  bool leaving_configuration() const;

  // --- leadership transfer (node_transfer.cc) ---
  void send_timeout_now(NodeId to);
  void handle_timeout_now_request(const pb::Message& m);
  void abort_leader_transfer(const std::string& reason, bool handed_over = false);

  // --- Ready (node_ready.cc) ---
  pb::HardState hard_state() const;
  void send(pb::Message m);

  // --- trace (node_trace.cc) ---
  template <class Fill>
  void trace(Fill&& fill) const;
  void fill_state(pb::NodeState& state) const;
  void trace_refused(std::string_view input, std::string reason,
                     const pb::Message* m = nullptr) const;
  void trace_appended(Index first, Index truncated_from) const;
  void trace_commit(Index from) const;
  class ActionScope;  // names the spec action that events are part of

  // Persistent state (Raft paper, Figure 2), persisted through Ready.hard_state.
  NodeId id_;
  Term current_term_ = 0;
  NodeId voted_for_ = kNoNode;
  RaftLog log_;

  // Volatile state.
  Config config_;
  Role role_ = pb::FOLLOWER;
  NodeId leader_ = kNoNode;
  ProgressTracker tracker_;                 // leaders: per-follower progress; candidates: votes
  ReadOnly read_only_;                      // leaders: reads waiting for a quorum's confirmation
  std::vector<ReadState> pending_reads_;    // confirmed, waiting for applied >= index
  std::vector<ReadState> ready_reads_;      // confirmed and applied: for the next Ready
  std::vector<std::string> refused_reads_;  // never to be confirmed: for the next Ready
  int election_elapsed_ = 0;   // ticks since the timer was reset (leaders: since CheckQuorum)
  int heartbeat_elapsed_ = 0;  // leaders: ticks since the last heartbeat
  int randomized_election_timeout_ = 0;
  Rng rng_;

  // Output waiting for the next Ready.
  std::vector<pb::Message> msgs_;
  std::vector<pb::Message> msgs_after_persist_;
  pb::HardState persisted_hard_state_;

  // The outstanding Ready, between ready() and advance().
  struct Outstanding {
    std::uint64_t number;
    Index snapshot_index = 0;                          // a snapshot handed out to persist and apply
    std::optional<std::pair<Index, Term>> last_entry;  // the last entry handed out to persist
    std::optional<pb::HardState> hard_state;
    Index applied_through;
  };
  std::optional<Outstanding> outstanding_;
  std::uint64_t next_ready_number_ = 1;

  Index conf_index_ = 0;                    // the log index of the current configuration
  Index pending_conf_index_ = 0;            // leaders: the last membership entry in the log
  bool pending_conf_removes_self_ = false;  // leaders: that entry's configuration leaves us out
  NodeId lead_transferee_ = kNoNode;        // leaders: the target of a transfer in progress

  std::string_view action_ = "Init";  // the spec action in progress, for the trace
};

// Names the spec action that the events recorded inside its scope belong to,
// and restores the enclosing one when it ends: step -> UpdateTerm -> ...
class Node::ActionScope {
 public:
  ActionScope(Node& node, std::string_view action) : node_(node), saved_(node.action_) {
    node.action_ = action;
  }
  ~ActionScope() { node_.action_ = saved_; }
  ActionScope(const ActionScope&) = delete;
  ActionScope& operator=(const ActionScope&) = delete;

 private:
  Node& node_;
  std::string_view saved_;
};

// Builds an event only when a sink is attached: tracing off costs one branch.
template <class Fill>
void Node::trace(Fill&& fill) const {
  if (config_.trace == nullptr) return;
  pb::Event event;
  event.set_node(id_);
  event.set_action(std::string(action_));
  fill(event);
  fill_state(*event.mutable_state());
  config_.trace->record(event);
}

}  // namespace etcetera::raft
