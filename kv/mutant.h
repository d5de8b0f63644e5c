// Mutants of the apply path: known bugs, built in on purpose and switched
// off by default, as raft/mutant.h and lock/mutant.h do for their layers. A
// check is only as good as the bugs it catches: the simulator's at-most-once
// property must catch each of these (tests/sim/forwarding_test.cc), and a
// class can switch one on in etcetera-sim and watch a write apply twice.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace etcetera::kv {

enum class Mutant {
  kNone,
  kReproposeAsNew,  // a resent request gets a new id, so the state machine cannot tell it is a copy
};

struct MutantInfo {
  Mutant mutant;
  std::string_view name;         // as given on a command line: "repropose-as-new"
  std::string_view description;  // one sentence for a list of bugs
};

// Every mutant but kNone, in declaration order.
const std::vector<MutantInfo>& all_mutants();
std::optional<Mutant> mutant_by_name(std::string_view name);
std::string_view mutant_name(Mutant mutant);

}  // namespace etcetera::kv
