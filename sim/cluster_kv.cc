// The key-value side of sim::Cluster (ClusterOptions::kv): applying entries
// to each node's kv::StateMachine, snapshots of it, and the leader's lease
// clock, which runs on the node's own clock and proposes the revocation of
// expired leases through raft like any client request.
#include "kv/state_machine.h"
#include "sim/cluster.h"
#include "sim/sim.pb.h"

namespace etcetera::sim {

kv::Millis Cluster::local_millis(NodeId id) const {
  return static_cast<kv::Millis>(nodes_.at(id).ticks) * options_.millis_per_tick;
}

void Cluster::tick_node(NodeId id, Member& m) {
  m.node->tick();
  ++m.ticks;
  if (m.kv) run_lease_clock(id, m);
}

void Cluster::run_lease_clock(NodeId id, Member& m) {
  kv::LeaseClock& clock = m.kv->lease_clock();
  const kv::Lessor& lessor = m.kv->store().lessor();
  const bool leader = m.node->role() == raft::pb::LEADER;
  // Each lease gets its TTL plus an election timeout from when this node
  // became leader: no lease expires because nobody could renew it meanwhile.
  const kv::Millis election_timeout = options_.election_tick * options_.millis_per_tick;
  if (leader && !clock.primary()) clock.promote(lessor, local_millis(id), election_timeout);
  if (!leader && clock.primary()) clock.demote();
  if (!clock.primary()) return;
  for (kv::LeaseId lease : clock.expired(lessor, local_millis(id), election_timeout)) {
    kv::pb::Request revoke;
    revoke.mutable_lease_revoke()->set_id(lease);
    // Refused only if leadership is changing; the next leader's clock takes over.
    (void)m.node->propose(kv::encode(revoke));
  }
}

void Cluster::apply_kv(NodeId id, Member& m, const raft::Ready& rd) {
  for (const auto& e : rd.committed_entries) {
    auto response = m.kv->apply(e);
    if (response && kv_listener_ != nullptr) kv_listener_->applied(id, *response);
  }
  if (kv_listener_ == nullptr) return;
  for (const auto& read : rd.read_states)
    kv_listener_->read_ready(id, read);
  for (const auto& context : rd.refused_reads)
    kv_listener_->read_refused(id, context);
}

std::string Cluster::snapshot_data(const Member& m, raft::Index index) const {
  if (m.kv) return m.kv->snapshot();
  pb::AppliedLog log;
  for (const auto& e : m.applied)
    if (e.index() <= index) *log.add_entries() = e;
  return log.SerializeAsString();
}

void Cluster::restore_kv(Member& m, const raft::pb::Snapshot& snapshot) {
  // The snapshot came from another node's state machine in this process:
  // if it does not restore, the simulator itself is broken.
  if (auto ok = m.kv->restore(snapshot.data()); !ok) raft::raft_fatal("sim: " + ok.error().message);
}

}  // namespace etcetera::sim
