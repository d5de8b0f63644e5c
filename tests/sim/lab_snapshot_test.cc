// The 6.5840 Raft lab, part 3D: log compaction. As in the lab, the
// application snapshots its state machine every kSnapshotInterval applied
// entries, on every node, leader or follower. See docs/labs.md.
#include <catch2/catch.hpp>
#include <string>

#include "tests/sim/lab.h"

namespace {

using etcetera::sim::LinkFaults;
using etcetera::sim::NodeId;
using etcetera::sim::lab::Index;
using etcetera::sim::lab::kReliable;
using etcetera::sim::lab::kUnreliable;
using etcetera::sim::lab::Lab;
using etcetera::sim::lab::LabConfig;

constexpr Index kSnapshotInterval = 10;
// The most values proposed in one burst below (the lab's nn).
constexpr Index kLargestBurst = kSnapshotInterval / 2 + kSnapshotInterval - 1;

std::string random_value(Lab& lab) {
  return std::to_string(lab.rng().in_range(0, 1000000000));
}

// How many entries a node keeps past its snapshot.
Index kept(Lab& lab, NodeId id) {
  const auto& storage = lab.cluster().storage(id);
  return storage.last_index() - storage.snapshot().metadata().index();
}

// What happens to one node in each round of the scenario.
enum class Victim { kNone, kDisconnected, kCrashed };

// The lab's snapshot scenario, 30 rounds: a victim (a follower, or every
// third round the leader) is cut off or crashed; a burst of values goes in,
// enough for the others to compact past what the victim has; then the
// victim comes back and must be caught up, by InstallSnapshot if its next
// entry was compacted away. Throughout, no node's log may grow past one
// snapshot interval plus one burst.
void snapshot_rounds(Lab& lab, Victim how) {
  const int n = lab.servers();
  lab.one(random_value(lab), n, true);
  NodeId leader = lab.check_one_leader();
  for (int round = 0; round < 30; ++round) {
    NodeId victim = lab.peer(leader, 1);
    NodeId sender = leader;
    if (round % 3 == 1) std::swap(victim, sender);

    if (how == Victim::kDisconnected) lab.disconnect(victim);
    if (how == Victim::kCrashed) lab.crash(victim);
    if (how != Victim::kNone) lab.one(random_value(lab), n - 1, true);

    // A burst at the sender, which may or may not lead by now (a follower refuses).
    const auto burst = kSnapshotInterval / 2 + lab.rng().in_range(0, kSnapshotInterval);
    for (Index i = 0; i < burst; ++i)
      (void)lab.cluster().node(sender).propose(random_value(lab));
    // Without a victim, everyone must have caught up, so that no follower
    // ever needs a snapshot.
    lab.one(random_value(lab), how == Victim::kNone ? n : n - 1, true);
    for (NodeId id : lab.ids()) {
      if (!lab.up(id)) continue;
      INFO("node " << id << " keeps " << kept(lab, id) << " entries past its snapshot");
      CHECK(kept(lab, id) <= kSnapshotInterval + kLargestBurst);
    }

    if (how == Victim::kDisconnected) lab.connect(victim);
    if (how == Victim::kCrashed) lab.restart(victim);
    if (how != Victim::kNone) {
      lab.one(random_value(lab), n, true);
      leader = lab.check_one_leader();
    }
  }
}

int snapshots_installed(const Lab& lab) {
  int total = 0;
  for (const auto& [id, count] : lab.watch().snapshots_restored)
    total += count;
  return total;
}

void install_scenario(const LinkFaults& link, Victim how) {
  Lab lab(LabConfig{.servers = 3, .link = link, .snapshot_interval = kSnapshotInterval});
  snapshot_rounds(lab, how);
  CHECK(snapshots_installed(lab) > 0);  // some victim did need one
}

}  // namespace

TEST_CASE("snapshot basic: compaction while following (3D)", "[lab]") {
  Lab lab(LabConfig{.servers = 3, .snapshot_interval = kSnapshotInterval});
  snapshot_rounds(lab, Victim::kNone);
  for (NodeId id : lab.ids())
    CHECK(lab.cluster().storage(id).snapshot().metadata().index() > 0);  // everyone compacted
}

TEST_CASE("snapshot install: a partitioned follower catches up (3D)", "[lab]") {
  install_scenario(kReliable, Victim::kDisconnected);
}

TEST_CASE("snapshot install unreliable: a partitioned follower catches up over lossy links (3D)",
          "[lab]") {
  install_scenario(kUnreliable, Victim::kDisconnected);
}

TEST_CASE("snapshot install crash: a lagging follower restarts and catches up (3D)", "[lab]") {
  install_scenario(kReliable, Victim::kCrashed);
}

TEST_CASE("snapshot install uncrash: crashes over lossy links (3D)", "[lab]") {
  install_scenario(kUnreliable, Victim::kCrashed);
}

// Every node crashes after compacting; each restarts from its own snapshot
// and log, and the cluster carries on from where it was, never behind.
TEST_CASE("snapshot all crash: restart from snapshots (3D)", "[lab]") {
  Lab lab(LabConfig{.servers = 3, .seed = 7, .snapshot_interval = kSnapshotInterval});
  lab.one(random_value(lab), lab.servers(), true);
  for (int round = 0; round < 5; ++round) {
    const auto burst = kSnapshotInterval / 2 + lab.rng().in_range(0, kSnapshotInterval);
    for (Index i = 0; i < burst; ++i)
      lab.one(random_value(lab), lab.servers(), true);
    const Index index1 = lab.one(random_value(lab), lab.servers(), true);

    for (NodeId id : lab.ids())
      lab.crash(id);
    for (NodeId id : lab.ids()) {
      lab.restart(id);
      CHECK(lab.cluster().applied(id).size() >=
            lab.cluster().storage(id).snapshot().metadata().index());
    }
    const Index index2 = lab.one(random_value(lab), lab.servers(), true);
    CHECK(index2 > index1);
  }
}

// A node that restarts from a snapshot must come back with the snapshot's
// state and its index, twice in a row (the second restart starts from the
// state the first one rebuilt).
TEST_CASE("snapshot init: restart from a snapshot twice (3D)", "[lab]") {
  Lab lab(LabConfig{.servers = 3, .snapshot_interval = kSnapshotInterval});
  lab.one(random_value(lab), lab.servers(), true);
  for (Index i = 0; i < kSnapshotInterval + 1; ++i)
    lab.one(random_value(lab), lab.servers(), true);
  for (int restart = 0; restart < 2; ++restart) {
    for (NodeId id : lab.ids())
      lab.crash(id);
    for (NodeId id : lab.ids())
      lab.restart(id);
    lab.one(random_value(lab), lab.servers(), true);
  }
}
