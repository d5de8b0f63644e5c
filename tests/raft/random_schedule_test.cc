// Property: over random schedules of ticks, deliveries, losses, crashes,
// restarts, partitions, client requests, compactions, membership changes and
// leadership transfers, every invariant of spec/Raft.tla holds after every
// single event of the trace. rapidcheck shrinks a failing schedule to a short
// one and prints it.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

#include "sim/schedule.h"

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

}  // namespace

TEST_CASE("Raft invariants hold after every event of random fault schedules") {
  rc::prop("schedule", [] {
    etcetera::sim::ScheduleOptions o;
    o.nodes = *rc::gen::inRange(1, 6);
    o.pre_vote = *rc::gen::arbitrary<bool>();
    o.check_quorum = *rc::gen::arbitrary<bool>();
    const auto steps =
        *rc::gen::container<std::vector<Step>>(*rc::gen::inRange(100, 1200), gen_step());
    o.seed = *rc::gen::inRange<std::uint64_t>(1, 1000000);
    etcetera::sim::CheckingSink sink;
    if (auto violation = etcetera::sim::run_schedule(o, steps, &sink)) RC_FAIL(*violation);
    // Shows, in the test output, how many schedules reached the interesting cases.
    RC_CLASSIFY(sink.view.leaders().size() >= 2, "two or more terms with a leader");
    RC_CLASSIFY(!sink.view.committed().empty(), "entries committed");
    RC_CLASSIFY(sink.events >= 500, "500 events or more");
  });
}
