// The linearizability checker: is there an order of the operations, each
// placed between its call and its return, in which the model explains every
// answer? A depth-first search over linearization points in the style of
// Wing and Gong, with Lowe's improvement: a (set of linearized operations,
// model state) pair met before is never explored again. Histories are split
// into independent parts first (the model's partition, e.g. per key) and each
// is searched alone: P-compositionality (Horn and Kroening).
//
// An operation whose outcome is unknown never returns: it may be placed
// anywhere after its call, with any answer, or never take effect. Three
// reductions keep such operations from multiplying the search (each keeps
// the verdict exact): one is placed only where it changes the state (as a
// no-op it is better left pending); of several that ask exactly the same,
// the earlier call goes first; and the model may rewrite the part first
// (Model::simplify: written values nobody reads become one value, so the
// states they lead to are the same).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "spec/linearizability/history.h"
#include "spec/linearizability/model.h"

namespace etcetera::spec::lin {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };

const char* verdict_name(Verdict v);  // LINEARIZABLE, NOT LINEARIZABLE, UNKNOWN

// When to give up: after max_steps search steps (0: never), or when
// out_of_time() says so (asked every few thousand steps; may be empty). The
// checker reads no clock itself, so with a step budget it is deterministic.
struct Budget {
  std::uint64_t max_steps = 0;
  std::function<bool()> out_of_time;
  // The memo of explored (linearized set, state) pairs may not grow past
  // this many bytes (0: no limit): a history with many operations of unknown
  // outcome can need more memory than the machine has, and an UNKNOWN is
  // better than a process the system kills.
  std::uint64_t max_memo_bytes = std::uint64_t{2} << 30;
};

struct PartResult {
  Verdict verdict = Verdict::kLinearizable;
  std::vector<std::size_t> operations;  // the part's operations (indices into the history)
  // For a violation: the longest order the search could explain, as
  // operation indices, and the state it led to; then the operation that
  // had to come next and could not (its return was reached unplaced).
  std::vector<std::size_t> longest;
  std::string state_after_longest;
  std::optional<std::size_t> stuck;
  // When the model's clock, not its state, refused the stuck operation: the
  // pending operation whose answer names an earlier clock (a read that
  // answered an older revision), which every order must place first and
  // none can. It may be called after the stuck operation returned.
  std::optional<std::size_t> blocked_by;
  std::uint64_t steps = 0;
  std::string gave_up;  // for kUnknown: which budget ran out
};

struct CheckResult {
  Verdict verdict = Verdict::kLinearizable;
  std::vector<PartResult> parts;
  std::optional<std::size_t> failing_part;  // the smallest part that is not linearizable
  std::uint64_t steps = 0;
};

CheckResult check(const Model& model, const History& history, const Budget& budget = {});

// What a part holds, for messages: "the register", "key k1", "keys k1, k2".
std::string describe_part(const History& history, const PartResult& part);

// The result for a reader, in lines: for a violation, the smallest part that
// fails, the end of the longest order the model explains (its last
// `shown` operations), and the operation that could not follow; then each
// part the budget gave up on. Empty for a linearizable history.
std::string explain(const Model& model, const History& history, const CheckResult& result,
                    std::size_t shown = 12);

}  // namespace etcetera::spec::lin
