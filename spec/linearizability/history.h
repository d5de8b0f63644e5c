// A history of concurrent operations, as a linearizability checker reads it:
// each operation with the point it was called and the point it returned, in
// one order of events (the order of the history's lines), what it asked and
// what it got back.
//
// Outcomes, in Jepsen's words: `ok` (it took effect and returned this),
// `fail` (it certainly did not take effect; a failed read or write is left
// out of the history, a failed compare-and-set stays: it observed a value
// other than the one it expected), `info` (unknown: it may take effect at
// any point after its call, or never).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace etcetera::spec::lin {

inline constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();

enum class Outcome { kOk, kFail, kUnknown };

struct Operation {
  std::uint64_t process = 0;
  std::size_t call = 0;              // position of the invocation among the history's events
  std::size_t ret = kNever;          // position of the return; kNever when the outcome is unknown
  std::size_t line = 0;              // line of the invocation in the input, for messages
  std::string f;                     // read/get, write/put, cas, append, delete
  std::string key;                   // "" for a single register
  std::optional<std::string> value;  // written / appended / the new value of a cas
  std::optional<std::string> expected;  // a cas's expected value
  std::optional<std::string> output;    // what a read returned (nullopt: nil)
  Outcome outcome = Outcome::kOk;
  std::int64_t revision = 0;  // etcd's revision in the answer, when the history has them
};

// A read of the register ("read", Jepsen's word) or of a key ("get").
inline bool is_read(const Operation& op) {
  return op.f == "read" || op.f == "get";
}

struct History {
  std::vector<Operation> operations;  // in order of invocation
  std::size_t events = 0;             // invocations and returns counted
};

// One line a check could not read: where and why.
struct ParseError {
  std::size_t line = 0;
  std::string reason;
};

}  // namespace etcetera::spec::lin
