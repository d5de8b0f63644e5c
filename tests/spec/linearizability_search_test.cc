// The checker's search against the plain definition. Small random histories
// are made by running operations on a real object, each taking effect at a
// random moment between its call and its return (some answers then spoiled,
// some outcomes forgotten), and every verdict is compared with a brute-force
// search over all orders that places every operation, tries each outcome
// the model allows, and may leave out any operation of unknown outcome. The
// search's shortcuts (the memo, twins, no-ops left pending, the clock bound,
// the model's simplification) must never change a verdict.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "spec/linearizability/checker.h"

namespace etcetera::spec::lin {
namespace {

// Is there an order? Places, one after another, any operation none of whose
// predecessors in real time is still unplaced.
bool brute_force(const Model& model, const std::vector<Operation>& ops, std::vector<bool>& placed,
                 const std::string& state) {
  bool all_returned_placed = true;
  for (std::size_t i = 0; i < ops.size(); ++i)
    if (!placed[i] && ops[i].ret != kNever) all_returned_placed = false;
  if (all_returned_placed) return true;  // the pending unknown ones never took effect
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (placed[i]) continue;
    bool ready = true;
    for (std::size_t j = 0; j < ops.size(); ++j)
      if (!placed[j] && j != i && ops[j].ret < ops[i].call) ready = false;
    if (!ready) continue;
    std::vector<std::string> next;
    model.step(state, ops[i], next);
    placed[i] = true;
    for (const auto& s : next)
      if (brute_force(model, ops, placed, s)) return true;
    placed[i] = false;
  }
  return false;
}

// A random history of a few processes on the keys "k1" and "k2", run
// against a real store with a revision, as etcetera's would answer.
History random_history(std::mt19937& rng, bool registers) {
  struct Pending {
    Operation op;
    bool applied = false;
  };
  std::map<std::string, std::string> store;  // key -> value
  std::int64_t revision = 1;
  History h;
  std::vector<std::optional<Pending>> running(3);
  std::uint64_t next_process = 3;
  std::vector<std::uint64_t> process = {0, 1, 2};
  const int total = 2 + static_cast<int>(rng() % 6);
  int started = 0;
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto value = [&] { return std::string(1, static_cast<char>('a' + pick(3))); };
  while (started < total ||
         std::any_of(running.begin(), running.end(), [](auto& r) { return r; })) {
    const int p = pick(3);
    auto& slot = running[static_cast<std::size_t>(p)];
    if (!slot) {
      if (started == total) continue;
      ++started;
      Operation op;
      op.process = process[static_cast<std::size_t>(p)];
      op.call = h.events++;
      op.key = registers ? "" : (pick(2) ? "k1" : "k2");
      const int f = pick(registers ? 3 : 4);
      op.f = f == 0 ? "get" : f == 1 ? "put" : f == 2 ? "cas" : "delete";
      if (op.f == "put") op.value = value();
      if (op.f == "cas") {
        op.expected = value();
        op.value = value();
      }
      slot = Pending{op, false};
    } else if (!slot->applied && pick(10) == 0) {
      // Lost before it took effect: a client sees only a timeout.
      slot->op.outcome = Outcome::kUnknown;
      h.operations.push_back(slot->op);
      process[static_cast<std::size_t>(p)] = next_process++;
      slot.reset();
    } else if (!slot->applied) {
      // The moment it takes effect: the answer the store gives.
      Operation& op = slot->op;
      const auto it = store.find(op.key);
      const bool present = it != store.end();
      if (op.f == "get") {
        op.output = present ? std::optional(it->second) : std::nullopt;
      } else if (op.f == "put" || (op.f == "cas" && present && it->second == *op.expected)) {
        store[op.key] = *op.value;
        ++revision;
      } else if (op.f == "cas") {
        op.outcome = Outcome::kFail;
      } else if (op.f == "delete" && present) {
        store.erase(it);
        ++revision;
      }
      op.revision = registers ? 0 : revision;
      slot->applied = true;
    } else {
      Operation op = slot->op;
      if (pick(5) == 0) {  // the answer is lost: unknown outcome
        op.outcome = Outcome::kUnknown;
        op.revision = 0;
        op.output.reset();
        process[static_cast<std::size_t>(p)] = next_process++;
      } else {
        op.ret = h.events++;
      }
      h.operations.push_back(op);
      slot.reset();
    }
  }
  // Sometimes an answer is spoiled, so that some histories are wrong.
  if (!h.operations.empty() && pick(3) == 0) {
    Operation& op =
        h.operations[static_cast<std::size_t>(pick(static_cast<int>(h.operations.size())))];
    if (op.outcome != Outcome::kUnknown) {
      if (op.f == "get") op.output = pick(2) ? std::optional(value()) : std::nullopt;
      if (op.revision != 0) op.revision += pick(2) ? 1 : -1;
      if (op.f == "cas") op.outcome = op.outcome == Outcome::kOk ? Outcome::kFail : Outcome::kOk;
    }
  }
  std::sort(h.operations.begin(), h.operations.end(),
            [](const Operation& a, const Operation& b) { return a.call < b.call; });
  return h;
}

void compare_with_brute_force(const Model& model, bool registers) {
  std::mt19937 rng(20261122);
  int wrong = 0, linearizable = 0;
  for (int i = 0; i < 3000; ++i) {
    const History h = random_history(rng, registers);
    std::vector<bool> placed(h.operations.size(), false);
    const bool expected = brute_force(model, h.operations, placed, model.init());
    const Verdict got = check(model, h).verdict;
    linearizable += expected ? 1 : 0;
    if (got != (expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)) {
      ++wrong;
      std::string ops;
      for (const auto& op : h.operations)
        ops += "  [" + std::to_string(op.call) + "," +
               (op.ret == kNever ? std::string("never") : std::to_string(op.ret)) + "] " +
               describe(op) + " rev " + std::to_string(op.revision) + "\n";
      INFO("history " << i << ":\n" << ops);
      CHECK(got == (expected ? Verdict::kLinearizable : Verdict::kNotLinearizable));
      if (wrong > 3) break;
    }
  }
  // Both verdicts are well represented, so the comparison means something.
  CHECK(linearizable > 1000);
  CHECK(linearizable < 2900);
}

TEST_CASE("the register search agrees with brute force on random histories", "[lin]") {
  compare_with_brute_force(*register_model(), true);
}

TEST_CASE("the etcd search, revisions and all, agrees with brute force", "[lin]") {
  compare_with_brute_force(*model_by_name("etcd"), false);
}

}  // namespace
}  // namespace etcetera::spec::lin
