// etcetera-demo: the main job. A 5-node cluster in one process, in virtual
// time, goes through an election, a few commits, a leader crash and a
// re-election, and the old leader's return. Every event is printed as one
// readable line, prefixed by the tick it happened in; the whole run is kept
// as a trace (JSON lines) and written as an HTML replay to step through.
//   etcetera-demo [--html OUT.html] [--trace OUT.jsonl]
#include <cstdio>
#include <fstream>
#include <string>

#include "raft/describe.h"
#include "raft/trace.h"
#include "sim/cluster.h"
#include "visualizer/player.h"
#include "visualizer/replay.h"

namespace {

namespace raft = etcetera::raft;
namespace sim = etcetera::sim;
namespace viz = etcetera::viz;
using raft::pb::Event;

// Prints events as they happen and keeps them all. Heartbeats, their answers
// and sends are left out of the printout: they would drown the story.
class StorySink final : public raft::TraceSink {
 public:
  raft::TraceBuffer all;
  void record(const Event& e) override {
    all.record(e);
    if (e.kind_case() == Event::kMessageSent || e.kind_case() == Event::kMessageDuplicated) return;
    if (e.kind_case() == Event::kNote) {
      std::printf("\n=== %s\n", e.note().text().c_str());
      return;
    }
    if (e.kind_case() == Event::kMessageReceived) {
      auto t = e.message_received().message().type();
      if (t == raft::pb::HEARTBEAT_REQUEST || t == raft::pb::HEARTBEAT_RESPONSE) return;
    }
    std::printf("t=%-3llu node %llu  %s\n", static_cast<unsigned long long>(e.time()),
                static_cast<unsigned long long>(e.node()), raft::describe(e).c_str());
  }
};

// Advances virtual time until `done` holds (or a generous bound passes).
template <class Done>
void run_until(sim::Cluster& cluster, Done done) {
  for (int i = 0; i < 200 && !done(); ++i)
    cluster.advance_time();
}

void run_for(sim::Cluster& cluster, int ticks) {
  for (int i = 0; i < ticks; ++i)
    cluster.advance_time();
}

int write_replay(const StorySink& sink, const std::string& html, const std::string& trace) {
  if (!trace.empty()) {
    std::ofstream out(trace);
    raft::JsonLinesSink lines(out);
    for (const auto& e : sink.all.events())
      lines.record(e);
    if (!out) {
      std::fprintf(stderr, "etcetera-demo: cannot write %s\n", trace.c_str());
      return 1;
    }
  }
  if (html.empty()) return 0;
  std::ofstream out(html, std::ios::binary);
  viz::Replay replay(sink.all.events());
  viz::Graphviz graphviz;
  viz::PlayerOptions options;
  options.title = "etcetera demo: an election, commits, a leader crash and a re-election";
  auto stats = viz::write_player(replay, viz::standard_views(), graphviz, options, out);
  if (!stats) {
    std::fprintf(stderr, "etcetera-demo: %s\n", stats.error().message.c_str());
    return 1;
  }
  std::printf("\nreplay: %s (%zu steps)\n", html.c_str(), stats->steps);
  std::printf("open it in a browser (file://%s); step with the arrow keys, jump with e, c, f\n",
              html.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string html, trace;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--html" || arg == "--trace") && i + 1 < argc) {
      (arg == "--html" ? html : trace) = argv[++i];
    } else {
      std::fprintf(stderr, "usage: etcetera-demo [--html OUT.html] [--trace OUT.jsonl]\n");
      return 2;
    }
  }

  StorySink sink;
  sim::ClusterOptions options;
  options.nodes = 5;
  options.seed = 7;
  options.link.min_delay = 1;  // a message takes a tick or two, so arrows stay on screen
  options.link.max_delay = 2;
  sim::Cluster cluster(options, &sink);

  cluster.note("5 nodes start as followers; the first election timer to fire starts a pre-vote");
  run_until(cluster, [&] { return cluster.leader().has_value(); });
  const auto first = cluster.leader();
  if (!first) {
    std::printf("no leader was elected\n");
    return 1;
  }

  cluster.note("the leader " + std::to_string(*first) + " commits three client commands");
  for (const char* cmd : {"x=1", "y=2", "x=3"}) {
    if (auto index = cluster.node(*first).propose(cmd); !index) {
      std::printf("proposal refused: %s\n", index.error().message.c_str());
      return 1;
    }
    run_for(cluster, 3);
  }

  cluster.note("the leader " + std::to_string(*first) +
               " crashes; the others time out and elect a new one");
  cluster.crash(*first);
  run_until(cluster, [&] { return cluster.leader().has_value(); });
  const auto second = cluster.leader();
  if (!second) {
    std::printf("no new leader was elected\n");
    return 1;
  }

  cluster.note("the new leader " + std::to_string(*second) + " commits one more command; node " +
               std::to_string(*first) + " restarts and catches up");
  if (auto index = cluster.node(*second).propose("y=4"); !index) return 1;
  run_for(cluster, 3);
  if (auto ok = cluster.restart(*first); !ok) return 1;
  run_until(cluster, [&] {
    return cluster.node(*first).log().applied() == cluster.node(*second).log().committed();
  });

  std::printf("\n=== every node applied the same commands in the same order:\n");
  for (auto id : cluster.ids()) {
    std::string line;
    for (const auto& e : cluster.applied(id))
      if (!e.data().empty()) line += " " + e.data();
    std::printf("node %llu:%s\n", static_cast<unsigned long long>(id), line.c_str());
  }
  return write_replay(sink, html, trace);
}
