// Lookups in a table of mutants (raft/mutant.h, kv/mutant.h,
// lock/mutant.h): each layer lists its own as MutantInfo rows with a
// `mutant` and a `name`, and finds them by name, or a name by mutant, the
// same way. Header-only, so that the layers above use it without linking raft.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace etcetera::raft {

template <class Info>
auto find_mutant(const std::vector<Info>& table, std::string_view name)
    -> std::optional<decltype(Info::mutant)> {
  for (const auto& m : table)
    if (m.name == name) return m.mutant;
  return std::nullopt;
}

// "none" for the mutant that is not in the table (kNone).
template <class Info>
std::string_view name_of_mutant(const std::vector<Info>& table, decltype(Info::mutant) mutant) {
  for (const auto& m : table)
    if (m.mutant == mutant) return m.name;
  return "none";
}

// " a b c": every name, for a message that lists the choices.
template <class Info>
std::string mutant_names(const std::vector<Info>& table) {
  std::string names;
  for (const auto& m : table)
    names += " " + std::string(m.name);
  return names;
}

}  // namespace etcetera::raft
