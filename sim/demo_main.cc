// etcetera-demo: the main job, for now. A 5-node cluster in one process goes
// through an election, a few commits, a leader crash and a re-election; every
// event is printed as one readable line, prefixed by the tick it happened in.
#include <cstdio>
#include <string>

#include "raft/describe.h"
#include "sim/cluster.h"

namespace {

using etcetera::raft::pb::Event;

// Prints events as they happen. Heartbeats and their answers are left out:
// they come every tick and would drown the story.
class PrintingSink final : public etcetera::raft::TraceSink {
 public:
  int tick = 0;
  void record(const Event& e) override {
    if (e.kind_case() == Event::kMessageSent) return;  // each message is shown as it arrives
    if (e.kind_case() == Event::kMessageReceived) {
      auto t = e.message_received().message().type();
      if (t == etcetera::raft::pb::HEARTBEAT_REQUEST || t == etcetera::raft::pb::HEARTBEAT_RESPONSE)
        return;
    }
    std::printf("t=%-3d node %llu  %s\n", tick, static_cast<unsigned long long>(e.node()),
                etcetera::raft::describe(e).c_str());
  }
};

void say(const std::string& text) {
  std::printf("\n=== %s\n", text.c_str());
}

// Ticks the whole cluster until `done` holds (or a generous bound passes).
template <class Done>
void run_until(etcetera::sim::Cluster& cluster, PrintingSink& sink, Done done) {
  for (int i = 0; i < 200 && !done(); ++i) {
    ++sink.tick;
    cluster.tick_all();
    cluster.stabilize();
  }
}

}  // namespace

int main() {
  PrintingSink sink;
  etcetera::sim::ClusterOptions options;
  options.nodes = 5;
  options.seed = 7;
  etcetera::sim::Cluster cluster(options, &sink);

  say("5 nodes start as followers; the first election timer to fire starts a pre-vote");
  run_until(cluster, sink, [&] { return cluster.leader().has_value(); });
  const auto first = cluster.leader();
  if (!first) {
    std::printf("no leader was elected\n");
    return 1;
  }

  say("the leader " + std::to_string(*first) + " commits three client commands");
  for (const char* cmd : {"x=1", "y=2", "x=3"}) {
    if (auto index = cluster.node(*first).propose(cmd); !index) {
      std::printf("proposal refused: %s\n", index.error().message.c_str());
      return 1;
    }
    cluster.stabilize();
  }

  say("the leader " + std::to_string(*first) + " crashes; the others time out and elect a new one");
  cluster.crash(*first);
  run_until(cluster, sink, [&] { return cluster.leader().has_value(); });
  const auto second = cluster.leader();
  if (!second) {
    std::printf("no new leader was elected\n");
    return 1;
  }

  say("the new leader " + std::to_string(*second) + " commits one more command; node " +
      std::to_string(*first) + " restarts and catches up");
  if (auto index = cluster.node(*second).propose("y=4"); !index) return 1;
  cluster.stabilize();
  if (auto ok = cluster.restart(*first); !ok) return 1;
  run_until(cluster, sink, [&] {
    return cluster.node(*first).log().applied() == cluster.node(*second).log().committed();
  });

  say("every node applied the same commands in the same order:");
  for (auto id : cluster.ids()) {
    std::string line;
    for (const auto& e : cluster.applied(id))
      if (!e.data().empty()) line += " " + e.data();
    std::printf("node %llu:%s\n", static_cast<unsigned long long>(id), line.c_str());
  }
  return 0;
}
