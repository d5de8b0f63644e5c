// Snapshots (thesis chapter 5): a leader whose follower needs entries that
// were compacted away sends its snapshot instead (InstallSnapshot), and the
// follower replaces its log with it — unless its log already holds the
// snapshot's last entry, in which case it keeps the entries after it.
#include "raft/node.h"

namespace etcetera::raft {

// Returns whether the snapshot went out.
bool Node::send_snapshot(NodeId to) {
  ActionScope scope(*this, "InstallSnapshot");
  Progress& pr = tracker_.progress(to);
  const pb::Snapshot snapshot = log_.snapshot();
  if (snapshot.metadata().index() == 0)
    raft_fatal("node " + std::to_string(to) + " needs compacted entries but there is no snapshot");
  pb::Message m;
  m.set_type(pb::INSTALL_SNAPSHOT_REQUEST);
  m.set_to(to);
  *m.mutable_snapshot() = snapshot;
  pr.become_snapshot(snapshot.metadata().index());
  send(std::move(m));
  return true;
}

// HandleInstallSnapshotRequest. The answer is an AppendEntriesResponse that
// says how far this log now matches the leader's.
void Node::handle_install_snapshot_request(const pb::Message& m) {
  ActionScope scope(*this, "HandleInstallSnapshotRequest");
  const auto& meta = m.snapshot().metadata();
  pb::Message reply;
  reply.set_type(pb::APPEND_ENTRIES_RESPONSE);
  reply.set_to(m.from());
  if (meta.index() <= log_.committed()) {
    // Older than what we know is committed (a late or duplicated snapshot):
    // installing it would move the state machine backwards.
    trace_refused("step",
                  "a snapshot at index " + std::to_string(meta.index()) +
                      " is not newer than the commit index " + std::to_string(log_.committed()),
                  &m);
    reply.set_index(log_.committed());
  } else if (log_.match_term(meta.index(), meta.term())) {
    // Our log already holds the snapshot's last entry, so it matches the
    // leader's through it (Log Matching): keep the entries after it.
    const Index before = log_.committed();
    log_.commit_to(meta.index());
    trace_commit(before);
    reply.set_index(meta.index());
  } else {
    log_.restore(m.snapshot());
    Configuration config = Configuration::from_conf_state(meta.conf_state());
    tracker_.set_config(config, log_.last_index() + 1);
    conf_index_ = meta.index();
    trace([&](pb::Event& e) {
      auto* r = e.mutable_snapshot_restored();
      r->set_index(meta.index());
      r->set_term(meta.term());
      *r->mutable_conf_state() = meta.conf_state();
    });
    reply.set_index(meta.index());
  }
  send(std::move(reply));
}

}  // namespace etcetera::raft
