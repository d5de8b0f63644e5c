// Errors as values. Every recoverable failure of the core is returned as an
// Error inside std::expected; nothing throws across the layer. A broken
// internal invariant is a bug, not an Error: it aborts through raft_fatal.
#pragma once

#include <expected>
#include <string>

namespace etcetera::raft {

struct Error {
  enum class Code {
    kInvalidConfig,         // the Config cannot describe a working node
    kNotLeader,             // only the leader accepts proposals; leader_hint names it when known
    kNoLeader,              // the operation needs a leader and none is known right now
    kReadNotReady,          // a leader cannot serve reads before it commits an entry of its term
    kInvalidMessage,        // a message that cannot be acted on (malformed, unknown sender, ...)
    kInvalidArgument,       // an argument the caller can fix (empty read context, ...)
    kReadyMismatch,         // advance() for a Ready that is not the one outstanding
    kTransferInProgress,    // the leader is handing leadership over; retry against the new leader
    kConfChangeInProgress,  // one membership change at a time; retry once it is applied
  };

  Code code;
  std::string message;            // says what happened and what the caller can do about it
  std::uint64_t leader_hint = 0;  // with kNotLeader: the leader this node knows of, or 0
};

template <class T>
using Result = std::expected<T, Error>;

// Builds the unexpected side of a Result: `return fail(Error::Code::kNoLeader, "...")`.
inline std::unexpected<Error> fail(Error::Code code, std::string message,
                                   std::uint64_t leader_hint = 0) {
  return std::unexpected(Error{code, std::move(message), leader_hint});
}

// Stops the process on a broken internal invariant (a bug in this code, never bad input).
[[noreturn]] void raft_fatal(const std::string& what);

}  // namespace etcetera::raft
