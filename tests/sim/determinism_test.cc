// Everything derives from one seed: the same seed and options give a
// byte-identical trace, and a run written down as a script replays to that
// very trace, so a failure found once can be shown to anyone.
#include <catch2/catch.hpp>
#include <sstream>

#include "raft/trace.h"
#include "sim/liveness.h"
#include "sim/script/env.h"
#include "sim/script/script.h"

namespace {

using etcetera::sim::ScheduleOptions;

// Collects the trace as JSON lines, the form --trace writes.
struct JsonLines {
  std::ostringstream text;
  etcetera::raft::JsonLinesSink sink{text};
};

ScheduleOptions options(int k, std::string_view profile) {
  ScheduleOptions o;
  o.nodes = 3 + k % 3;
  o.pre_vote = k % 2 == 0;
  o.seed = static_cast<std::uint64_t>(1000 + k);
  o.profile = std::string(profile);
  return o;
}

// Runs schedule k of a profile, then the stable phase; returns the runner.
std::unique_ptr<etcetera::sim::ScheduleRunner> run(const ScheduleOptions& o, JsonLines& trace) {
  auto runner = std::make_unique<etcetera::sim::ScheduleRunner>(o, &trace.sink);
  etcetera::raft::Rng rng(o.seed);
  for (const auto& s : etcetera::sim::random_schedule(rng, 400, o.profile))
    runner->run(s);
  (void)etcetera::sim::check_liveness(*runner);
  return runner;
}

}  // namespace

TEST_CASE("the same seed gives a byte-identical trace, another seed another trace") {
  for (const auto& profile : etcetera::sim::fault_profiles()) {
    INFO("profile " << profile.name);
    JsonLines first, second, other;
    run(options(1, profile.name), first);
    run(options(1, profile.name), second);
    run(options(2, profile.name), other);
    REQUIRE(first.text.str().size() > 1000);
    CHECK(first.text.str() == second.text.str());
    CHECK(first.text.str() != other.text.str());
  }
}

TEST_CASE("a recorded run replays as a script to the very same trace") {
  for (const auto& profile : etcetera::sim::fault_profiles()) {
    for (int k = 0; k < 6; ++k) {
      INFO("profile " << profile.name << ", schedule " << k);
      JsonLines recorded, replayed;
      const auto runner = run(options(k, profile.name), recorded);
      etcetera::sim::Script script;
      REQUIRE(etcetera::sim::parse_script(runner->script("replay test"), script).empty());
      etcetera::sim::InteractionEnv env;
      env.set_tee(&replayed.sink);
      for (const auto& s : script.stanzas)
        env.run(s.command);
      CHECK(recorded.text.str() == replayed.text.str());
    }
  }
}

TEST_CASE("a cluster stepped one move at a time is deterministic, and only ticks move the clock") {
  using etcetera::sim::Cluster;
  etcetera::sim::ClusterOptions o;
  o.nodes = 3;
  o.seed = 9;
  o.link.min_delay = 1;
  o.link.max_delay = 3;
  auto stepped = [&](JsonLines& trace) {
    Cluster c(o, &trace.sink);
    int ticks = 0, readys = 0, messages = 0;
    while (c.now() < 100) {
      const auto before = c.now();
      switch (c.step()) {
        case Cluster::Move::kTick:
          CHECK(c.now() == before + 1);
          ++ticks;
          break;
        case Cluster::Move::kReady:
          CHECK(c.now() == before);
          ++readys;
          break;
        case Cluster::Move::kMessage:
          CHECK(c.now() == before);
          ++messages;
          break;
      }
    }
    CHECK(ticks == 100);
    CHECK(readys > 0);
    CHECK(messages > 0);
    CHECK(c.leader());
  };
  JsonLines a, b;
  stepped(a);
  stepped(b);
  CHECK(a.text.str() == b.text.str());
}
