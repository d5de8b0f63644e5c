// The replay behind every diagram: what is on the wire, who is down, what
// the partition is, and which entries the leader will overwrite — checked on
// runs of the real simulator, so that a change to the trace breaks these.
#include <catch2/catch.hpp>
#include <sstream>

#include "raft/trace.h"
#include "sim/cluster.h"
#include "sim/liveness.h"
#include "sim/schedule.h"
#include "visualizer/log_view.h"
#include "visualizer/replay.h"
#include "visualizer/trace_reader.h"

namespace {

namespace pb = etcetera::raft::pb;
namespace sim = etcetera::sim;
namespace viz = etcetera::viz;

// A chaos schedule of `steps` steps on `nodes` nodes: crashes, partitions,
// lost and doubled messages.
std::vector<pb::Event> chaos_trace(std::uint64_t seed, int nodes, int steps) {
  etcetera::raft::TraceBuffer trace;
  sim::ScheduleOptions o;
  o.nodes = nodes;
  o.seed = seed;
  sim::ScheduleRunner runner(o, &trace);
  etcetera::raft::Rng rng(seed);
  for (const auto& s : sim::random_schedule(rng, steps, "chaos"))
    runner.run(s);
  (void)sim::check_liveness(runner);
  return trace.take();
}

}  // namespace

TEST_CASE("a message is on the wire from its send until it arrives or is lost", "[visualizer]") {
  std::size_t lost = 0, duplicated = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    viz::Replay r(chaos_trace(seed, 3, 300));
    std::size_t on_wire = 0;  // counted independently of the replay's own list
    while (!r.done()) {
      r.next();
      const auto& e = r.event();
      if (e.has_message_sent()) ++on_wire;
      if (e.has_message_duplicated()) ++on_wire, ++duplicated;
      if (e.has_message_received() || e.has_message_lost()) {
        lost += e.has_message_lost() ? 1 : 0;
        // Every arrival or loss matches a send the trace showed.
        REQUIRE(r.sent_at(r.step()) != 0);
        REQUIRE(r.sent_at(r.step()) < r.step());
        --on_wire;
      }
      REQUIRE(r.in_flight().size() == on_wire);
    }
  }
  CHECK(lost > 0);  // chaos loses and doubles messages; a replay that never saw one proves little
  CHECK(duplicated > 0);
}

TEST_CASE("a crashed node is down until it starts again, and its restart is a fault step",
          "[visualizer]") {
  etcetera::raft::TraceBuffer trace;
  sim::Cluster c(sim::ClusterOptions{}, &trace);
  c.crash(2);
  REQUIRE(c.restart(2));
  viz::Replay r(trace.take());
  bool seen_down = false;
  while (!r.done()) {
    r.next();
    if (r.event().has_node_crashed()) {
      CHECK_FALSE(r.nodes().at(2).up);
      seen_down = true;
    }
    if (r.event().has_started()) CHECK(r.restarted() == seen_down);
  }
  CHECK(seen_down);
  CHECK(r.nodes().at(2).up);
}

TEST_CASE("the partition in force is the last one the network announced", "[visualizer]") {
  etcetera::raft::TraceBuffer trace;
  sim::Cluster c(sim::ClusterOptions{}, &trace);
  c.partition({{1, 2}});
  c.isolate(1);
  c.heal();
  viz::Replay r(trace.take());
  std::vector<std::vector<std::vector<viz::NodeId>>> seen;
  while (!r.done()) {
    r.next();
    if (r.event().has_network_partitioned() || r.event().has_network_healed())
      seen.push_back(r.partition());
  }
  using G = std::vector<std::vector<viz::NodeId>>;
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == G{{3}, {1, 2}});  // the unnamed rest is a group of its own
  CHECK(seen[1] == G{{3}, {2}, {1}});
  CHECK(seen[2].empty());
}

TEST_CASE("entries the leader's log contradicts are the ones it will overwrite (Figure 7)",
          "[visualizer]") {
  // The leader of term 8 in Figure 7 of the Raft paper.
  const std::vector<viz::Term> leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  // Follower (f): entries 4-11 of terms 2 and 3 are not in the leader's log.
  const std::vector<viz::Term> f = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3};
  for (viz::Index i = 1; i <= f.size(); ++i)
    CHECK(viz::will_be_overwritten(leader, 8, i, f[i - 1]) == (i >= 4));
  // Follower (d): entries 11-12 of term 7 lie beyond the leader's log but are
  // older than its term: whatever it appends there replaces them.
  CHECK(viz::will_be_overwritten(leader, 8, 11, 7));
  // An entry the leader holds too is safe, and an unknown term is never judged.
  CHECK_FALSE(viz::will_be_overwritten(leader, 8, 10, 6));
  CHECK_FALSE(viz::will_be_overwritten(leader, 8, 3, 0));
}

TEST_CASE("a trace reads back event for event, and a bad line is named by its number",
          "[visualizer]") {
  const auto events = chaos_trace(7, 3, 100);
  std::ostringstream text;
  etcetera::raft::JsonLinesSink sink(text);
  for (const auto& e : events)
    sink.record(e);
  {
    std::istringstream in(text.str() + "\n");  // a blank line at the end is fine
    auto back = viz::read_trace(in, "t.jsonl");
    REQUIRE(back);
    REQUIRE(back->size() == events.size());
    for (std::size_t i = 0; i < events.size(); ++i)
      REQUIRE(back->at(i).SerializeAsString() == events[i].SerializeAsString());
  }
  {
    std::istringstream in(etcetera::raft::to_json_line(events[0]) + "\n{\"node\": \"x\"}\n");
    auto back = viz::read_trace(in, "t.jsonl");
    REQUIRE_FALSE(back);
    CHECK_THAT(back.error().message, Catch::StartsWith("t.jsonl:2: not a trace event"));
  }
  {
    std::istringstream in("{\"node\":1,\"no_such_field\":2}\n");
    auto back = viz::read_trace(in, "t.jsonl");
    REQUIRE_FALSE(back);
    CHECK_THAT(back.error().message, Catch::Contains("no_such_field"));
  }
  CHECK_FALSE(viz::read_trace_file("/nonexistent/trace.jsonl"));
}
