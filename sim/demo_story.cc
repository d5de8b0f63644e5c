#include "sim/demo_story.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "raft/describe.h"
#include "visualizer/player.h"
#include "visualizer/replay.h"

namespace etcetera::demo {

using raft::pb::Event;

void StorySink::record(const Event& e) {
  all.record(e);
  if (e.kind_case() == Event::kNote) {
    std::printf("\n=== %s\n", e.note().text().c_str());
    return;
  }
  if (only_above_raft_ && e.kind_case() < Event::kLockEnqueued) return;
  if (e.kind_case() == Event::kMessageSent || e.kind_case() == Event::kMessageDuplicated) return;
  if (e.kind_case() == Event::kMessageReceived) {
    auto t = e.message_received().message().type();
    if (t == raft::pb::HEARTBEAT_REQUEST || t == raft::pb::HEARTBEAT_RESPONSE) return;
  }
  if (e.node() == 0) {
    std::printf("t=%-3llu %s\n", static_cast<unsigned long long>(e.time()),
                raft::describe(e).c_str());
    return;
  }
  std::printf("t=%-3llu node %llu  %s\n", static_cast<unsigned long long>(e.time()),
              static_cast<unsigned long long>(e.node()), raft::describe(e).c_str());
}

int write_replay(const StorySink& sink, const std::string& html, const std::string& trace,
                 const ReplayOptions& replay_options) {
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
  options.title = replay_options.title;
  auto views = viz::standard_views();
  std::ranges::stable_partition(
      views, [&](const auto& view) { return view->id() == replay_options.first_view; });
  auto stats = viz::write_player(replay, views, graphviz, options, out);
  if (!stats) {
    std::fprintf(stderr, "etcetera-demo: %s\n", stats.error().message.c_str());
    return 1;
  }
  std::printf("\nreplay: %s (%zu steps)\n", html.c_str(), stats->steps);
  std::printf("open it in a browser (file://%s); step with the arrow keys, jump with %s\n",
              html.c_str(), replay_options.keys.c_str());
  return 0;
}

}  // namespace etcetera::demo
