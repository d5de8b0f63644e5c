#include "kv/mutant.h"

#include "raft/mutant_table.h"

namespace etcetera::kv {

const std::vector<MutantInfo>& all_mutants() {
  static const std::vector<MutantInfo> all = {
      {Mutant::kReproposeAsNew, "repropose-as-new",
       "a member that sends a client's write again after a leader change gives it a new request "
       "id, as etcetera's server once did; when the first copy survived in the log too, the "
       "write applies twice"},
  };
  return all;
}

std::optional<Mutant> mutant_by_name(std::string_view name) {
  return raft::find_mutant(all_mutants(), name);
}

std::string_view mutant_name(Mutant mutant) {
  return raft::name_of_mutant(all_mutants(), mutant);
}

}  // namespace etcetera::kv
