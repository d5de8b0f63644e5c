#include "lock/mutant.h"

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
  for (const auto& m : all_mutants())
    if (m.name == name) return m.mutant;
  return std::nullopt;
}

std::string_view mutant_name(Mutant mutant) {
  for (const auto& m : all_mutants())
    if (m.mutant == mutant) return m.name;
  return "none";
}

}  // namespace etcetera::lock
