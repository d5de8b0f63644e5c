// Basic vocabulary of the Raft core: who (NodeId), where (Index) and when (Term).
#pragma once

#include <cstdint>

namespace etcetera::raft {

using NodeId = std::uint64_t;  // 0 is never a node: it means "none"
using Index = std::uint64_t;   // log positions start at 1; 0 is "before the log"
using Term = std::uint64_t;    // terms start at 1; 0 is "before any election"

inline constexpr NodeId kNoNode = 0;

}  // namespace etcetera::raft
