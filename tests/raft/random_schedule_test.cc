// Property: over random schedules of ticks, deliveries, losses, duplicates,
// partitions, crashes, restarts, client requests, compactions, membership
// changes and leadership transfers, every invariant of spec/Raft.tla holds
// after every single event of the trace, and once the faults stop the
// cluster is live (sim/liveness.h). rapidcheck shrinks a failing schedule;
// the smallest one is saved as a script and its trace
// (counterexample-property.txt and .jsonl in the working directory, or in
// $ETCETERA_COUNTEREXAMPLES), ready for etcetera-sim and the visualizer.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "raft/trace.h"
#include "sim/shrink.h"

namespace {

using etcetera::sim::Kind;
using etcetera::sim::Step;

rc::Gen<Step> gen_step() {
  auto kind = rc::gen::map(rc::gen::inRange(0, etcetera::sim::total_step_weight()),
                           [](int pick) { return etcetera::sim::kind_for(pick); });
  return rc::gen::build<Step>(rc::gen::set(&Step::kind, kind),
                              rc::gen::set(&Step::node, rc::gen::inRange(1, 8)),
                              rc::gen::set(&Step::which, rc::gen::inRange(0, 64)));
}

// Writes the failing schedule as a script and a trace; returns the script's path.
std::string save(const etcetera::sim::ScheduleOptions& o, const std::vector<Step>& steps,
                 const std::string& failure) {
  const char* dir = std::getenv("ETCETERA_COUNTEREXAMPLES");
  const std::string base = std::string(dir ? dir : ".") + "/counterexample-property";
  std::ofstream trace_file(base + ".jsonl");
  etcetera::raft::JsonLinesSink trace(trace_file);
  std::unique_ptr<etcetera::sim::ScheduleRunner> runner;
  etcetera::sim::check_schedule(o, steps, true, &runner, &trace);
  std::ofstream(base + ".txt") << runner->script(
      "A counterexample of the random-schedule property:\n  " + failure);
  return base + ".txt";
}

}  // namespace

TEST_CASE("Raft invariants hold after every event of random fault schedules, and liveness after") {
  rc::prop("schedule", [] {
    etcetera::sim::ScheduleOptions o;
    o.nodes = *rc::gen::inRange(1, 6);
    o.pre_vote = *rc::gen::arbitrary<bool>();
    o.check_quorum = *rc::gen::arbitrary<bool>();
    o.seed = *rc::gen::inRange<std::uint64_t>(1, 1000000);
    const auto steps =
        *rc::gen::container<std::vector<Step>>(*rc::gen::inRange(100, 1200), gen_step());
    std::unique_ptr<etcetera::sim::ScheduleRunner> runner;
    const auto out = etcetera::sim::check_schedule(o, steps, true, &runner);
    if (out.failure) RC_FAIL(*out.failure + " (saved as " + save(o, steps, *out.failure) + ")");
    // Shows, in the test output, how many schedules reached the interesting cases.
    const auto& view = runner->checks().view;
    RC_CLASSIFY(view.leaders().size() >= 2, "two or more terms with a leader");
    RC_CLASSIFY(!view.committed().empty(), "entries committed");
    RC_CLASSIFY(runner->checks().events >= 500, "500 events or more");
    RC_CLASSIFY(out.liveness.rejoin_checked, "rejoin checked");
  });
}
