#include "lock/mutant.h"

#include "raft/mutant_table.h"

namespace etcetera::lock {

const std::vector<MutantInfo>& all_mutants() {
  static const std::vector<MutantInfo> all = {
      {Mutant::kGrantWithoutLeaseCheck, "grant-without-lease-check",
       "a waiter whose predecessor is gone takes the lock without checking that its own key, "
       "and so its lease, still exists; after its lease expired in the queue, two clients hold "
       "the lock"},
  };
  return all;
}

std::optional<Mutant> mutant_by_name(std::string_view name) {
  return raft::find_mutant(all_mutants(), name);
}

std::string_view mutant_name(Mutant mutant) {
  return raft::name_of_mutant(all_mutants(), mutant);
}

}  // namespace etcetera::lock
