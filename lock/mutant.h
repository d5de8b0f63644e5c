// Mutants of the lock recipes: classic lock-service bugs, built in on
// purpose and switched off by default, as raft/mutant.h does for Raft. A
// test of the recipes is only as good as the bugs it can tell apart: each
// mutant here has a test that shows the normal code refusing what the
// mutant allows (tests/lock/mutant_test.cc), and the simulator can switch
// one on so that a class can watch two clients hold one lock.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace etcetera::lock {

enum class Mutant {
  kNone,
  kGrantWithoutLeaseCheck,  // grant the lock without re-checking that the waiter's key still exists
};

struct MutantInfo {
  Mutant mutant;
  std::string_view name;         // as given on a command line: "grant-without-lease-check"
  std::string_view description;  // one sentence for a list of bugs
};

// Every mutant but kNone, in declaration order.
const std::vector<MutantInfo>& all_mutants();
std::optional<Mutant> mutant_by_name(std::string_view name);
std::string_view mutant_name(Mutant mutant);

}  // namespace etcetera::lock
