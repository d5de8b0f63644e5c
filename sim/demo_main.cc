// etcetera-demo: the main job. A 5-node cluster in one process, in virtual
// time, goes through an election, a few commits, a leader crash and a
// re-election, and the old leader's return. Every event is printed as one
// readable line, prefixed by the tick it happened in; the whole run is kept
// as a trace (JSON lines) and written as an HTML replay to step through.
// Then a second chapter (sim/demo_locks.cc): a lock handed over among three
// clients while one holder sleeps past its lease, in a replay of its own.
//   etcetera-demo [--html OUT.html] [--trace OUT.jsonl]
//                 [--locks-html OUT.html] [--locks-trace OUT.jsonl]
#include <cstdio>
#include <string>

#include "sim/cluster.h"
#include "sim/demo_story.h"

namespace {

namespace raft = etcetera::raft;
namespace sim = etcetera::sim;
namespace demo = etcetera::demo;

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

constexpr const char* kUsage =
    "usage: etcetera-demo [--html OUT.html] [--trace OUT.jsonl]\n"
    "                     [--locks-html OUT.html] [--locks-trace OUT.jsonl]\n";

}  // namespace

int main(int argc, char** argv) {
  std::string html, trace, locks_html, locks_trace;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string* value = arg == "--html"          ? &html
                         : arg == "--trace"       ? &trace
                         : arg == "--locks-html"  ? &locks_html
                         : arg == "--locks-trace" ? &locks_trace
                                                  : nullptr;
    if (value == nullptr || i + 1 >= argc) {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
    *value = argv[++i];
  }

  demo::StorySink sink;
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
  if (int status = demo::write_replay(
          sink, html, trace,
          {.title = "etcetera demo: an election, commits, a leader crash and a re-election",
           .first_view = "cluster",
           .keys = "e, c, f"});
      status != 0)
    return status;
  return demo::run_lock_chapter(locks_html, locks_trace);
}
