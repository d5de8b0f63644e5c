// The property tests can find bugs: each mutant (raft/mutant.h), a classic
// Raft bug switched on in every node, must make the checks fail within a
// fixed budget of deterministic random schedules: a safety mutant an
// invariant or a step of trace validation, a liveness mutant the liveness
// check once the faults stop (sim/liveness.h). The number of schedules each
// needed is printed, as a measure of how hard the bug is to hit.
#include <catch2/catch.hpp>
#include <cstdio>

#include "sim/shrink.h"

namespace {

using etcetera::raft::Breaks;
using etcetera::raft::Mutant;

constexpr int kBudget = 4000;  // schedules per mutant; each runs in a few milliseconds

struct Caught {
  int schedules = 0;  // how many were run, the catching one included
  std::string failure;
};

// Schedule k: cluster size, PreVote and CheckQuorum vary with k, and the
// steps come from a generator seeded with k, so every run is the same.
etcetera::sim::Outcome run_schedule_k(int k, Mutant mutant, bool liveness) {
  etcetera::sim::ScheduleOptions o;
  o.nodes = 3 + k % 3;
  o.pre_vote = k % 2 == 0;
  o.check_quorum = (k / 2) % 2 == 0;
  o.mutant = mutant;
  o.max_entries_per_msg = 1 + static_cast<std::size_t>(k / 4 % 2);
  o.seed = static_cast<std::uint64_t>(k);
  etcetera::raft::Rng rng(static_cast<std::uint64_t>(k));
  const auto steps = etcetera::sim::random_schedule(rng, 200 + rng.in_range(0, 800));
  return etcetera::sim::check_schedule(o, steps, liveness);
}

std::optional<Caught> hunt(Mutant mutant) {
  for (int k = 1; k <= kBudget; ++k)
    if (auto out = run_schedule_k(k, mutant, true); out.failure) return Caught{k, *out.failure};
  return std::nullopt;
}

}  // namespace

TEST_CASE("every mutant is caught within the schedule budget") {
  for (const auto& m : etcetera::raft::all_mutants()) {
    INFO("mutant " << m.name << ": " << m.description);
    const auto caught = hunt(m.mutant);
    REQUIRE(caught.has_value());
    INFO(caught->failure);
    CHECK(caught->failure.starts_with(m.breaks == Breaks::kSafety ? "safety" : "liveness"));
    std::printf("mutant %-22s caught after %4d schedules: %s\n", std::string(m.name).c_str(),
                caught->schedules, caught->failure.c_str());
  }
}

TEST_CASE("a mutant that only hurts liveness breaks no safety invariant") {
  // no-prevote lets a node back from a partition depose a healthy leader
  // (thesis 9.6): the cluster is less available, but every state it passes
  // through is one the spec allows. Half of these schedules have PreVote on,
  // where the mutant changes what happens; none breaks an invariant.
  for (const auto& m : etcetera::raft::all_mutants()) {
    if (m.breaks != Breaks::kLiveness) continue;
    for (int k = 1; k <= 300; ++k) {
      INFO("mutant " << m.name << ", schedule " << k);
      const auto out = run_schedule_k(k, m.mutant, false);
      CHECK_FALSE(out.failure.has_value());
    }
  }
}

TEST_CASE("without a mutant the same schedules find nothing") {
  // The control: the hunt above proves something only if the correct core
  // passes the very schedules that catch the mutants, liveness included.
  for (int k = 1; k <= 400; ++k) {
    const auto out = run_schedule_k(k, Mutant::kNone, true);
    INFO("schedule " << k << ": " << out.failure.value_or(""));
    CHECK_FALSE(out.failure.has_value());
  }
}
