#include "spec/linearizability/checker.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_set>

namespace etcetera::spec::lin {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable:
      return "LINEARIZABLE";
    case Verdict::kNotLinearizable:
      return "NOT LINEARIZABLE";
    case Verdict::kUnknown:
      return "UNKNOWN";
  }
  return "?";
}

namespace {

// The search over one part. Entries are the part's calls and returns in
// history order, in a doubly linked list; linearizing an operation "lifts"
// its call and return out of the list, and backtracking puts them back.
class Search {
 public:
  // `part`: the part's operations, as indices into the history.
  Search(const Model& model, const History& history, const std::vector<std::size_t>& part,
         const Budget& budget)
      : model_(model), index_(part), budget_(budget) {
    result_.operations = part;
    ops_.reserve(part.size());
    for (std::size_t i : part)
      ops_.push_back(history.operations[i]);
    model_.simplify(ops_, index_);
    build_entries();
    find_twins();
    words_.assign((ops_.size() + 63) / 64, 0);
    for (const auto& op : ops_)
      clocked_ = clocked_ || model_.latest_clock(op) != std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 0; clocked_ && i < ops_.size(); ++i)
      pending_clocks_.emplace(model_.latest_clock(ops_[i]), i);
    blocked_by_.assign(ops_.size(), kNever);
  }

  PartResult run();

 private:
  struct Entry {
    std::size_t op;    // index into ops_
    std::size_t time;  // position in the history (kNever for unknown returns)
    bool call;
    std::size_t match;  // for a call: its return entry
  };
  struct Frame {
    std::size_t entry;  // the call entry linearized
    std::string state;  // the state before it
    std::vector<std::string> alternatives;
    std::size_t next_alternative;  // the next one to try on backtracking
  };

  void build_entries();
  void find_twins();
  bool linearized(std::size_t op) const { return words_[op / 64] >> (op % 64) & 1; }
  void lift(std::size_t call);
  void unlift(std::size_t call);
  bool try_alternatives(Frame frame);  // true: descended with one of them
  std::string cache_key(const std::string& state) const;
  void note_depth(std::size_t stuck_op);

  const Model& model_;
  std::vector<Operation> ops_;      // the part, as the model simplified it
  std::vector<std::size_t> index_;  // each one's index in the history
  // For an operation of unknown outcome, the one before it (by call) that
  // asks exactly the same; kNever if none. Such twins are interchangeable
  // (neither ever returns), so the search places them in call order only: a
  // later twin may go only once the earlier one has. Without this, k pending
  // twins split the memo 2^k ways; with it, k+1.
  std::vector<std::size_t> prior_twin_;
  // The model's latest_clock of every operation not yet placed (when the
  // model keeps a clock): the clock may never pass the smallest of them.
  std::multiset<std::pair<std::int64_t, std::size_t>> pending_clocks_;  // (clock, op)
  // For each operation, the pending one whose clock refused it at its last
  // try (kNever if none did): the reason given when it is the stuck one.
  std::vector<std::size_t> blocked_by_;
  bool clocked_ = false;  // some operation names a clock: pending_clocks_ is kept
  const Budget& budget_;
  std::vector<Entry> entries_;
  std::vector<std::size_t> next_, prev_;  // the list; index entries_.size() is the head
  std::vector<std::uint64_t> words_;      // the linearized set
  std::string state_;
  std::vector<Frame> stack_;
  std::unordered_set<std::string> seen_;
  std::uint64_t steps_ = 0;
  std::uint64_t memo_bytes_ = 0;
  PartResult result_;
};

void Search::build_entries() {
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const Operation& op = ops_[i];
    entries_.push_back(Entry{i, op.call, true, 0});
    entries_.push_back(Entry{i, op.ret, false, 0});
  }
  // History order; unknown returns last. A call sorts before a return at
  // the same position only if they are the same operation's (never here).
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.time < b.time; });
  std::vector<std::size_t> return_of(ops_.size());
  for (std::size_t e = 0; e < entries_.size(); ++e)
    if (!entries_[e].call) return_of[entries_[e].op] = e;
  for (auto& e : entries_)
    if (e.call) e.match = return_of[e.op];
  const std::size_t head = entries_.size();
  next_.resize(entries_.size() + 1);
  prev_.resize(entries_.size() + 1);
  for (std::size_t e = 0; e <= entries_.size(); ++e) {
    next_[e] = e + 1 <= entries_.size() ? e + 1 : head;
    prev_[e] = e == 0 ? head : e - 1;
  }
  next_[head] = entries_.empty() ? head : 0;
  prev_[head] = entries_.empty() ? head : entries_.size() - 1;
  if (!entries_.empty()) next_[entries_.size() - 1] = head;
}

void Search::find_twins() {
  prior_twin_.assign(ops_.size(), kNever);
  std::map<std::string, std::size_t> last;  // what an unknown operation asks -> the latest
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const Operation& op = ops_[i];
    if (op.outcome != Outcome::kUnknown) continue;
    const auto field = [](const std::optional<std::string>& s) { return s ? "V" + *s : "N"; };
    std::string asks = op.f + '\0' + op.key + '\0' + field(op.value) + '\0' + field(op.expected) +
                       '\0' + std::to_string(op.revision);
    auto [it, first] = last.try_emplace(std::move(asks), i);
    if (!first) {
      prior_twin_[i] = it->second;
      it->second = i;
    }
  }
}

void Search::lift(std::size_t call) {
  for (std::size_t e : {call, entries_[call].match}) {
    next_[prev_[e]] = next_[e];
    prev_[next_[e]] = prev_[e];
  }
}

void Search::unlift(std::size_t call) {
  for (std::size_t e : {entries_[call].match, call}) {
    next_[prev_[e]] = e;
    prev_[next_[e]] = e;
  }
}

std::string Search::cache_key(const std::string& state) const {
  std::string key(reinterpret_cast<const char*>(words_.data()), words_.size() * 8);
  key += state;
  return key;
}

// Called where the search fails: the stack only grows between failures, so
// the deepest order is always seen at one. The first failure at the
// greatest depth is kept.
void Search::note_depth(std::size_t stuck_op) {
  if (result_.stuck && stack_.size() <= result_.longest.size()) return;
  result_.longest.clear();
  for (const auto& f : stack_)
    result_.longest.push_back(index_[entries_[f.entry].op]);
  result_.state_after_longest = state_;
  result_.stuck = index_[stuck_op];
  result_.blocked_by.reset();
  if (blocked_by_[stuck_op] != kNever) result_.blocked_by = index_[blocked_by_[stuck_op]];
}

bool Search::try_alternatives(Frame frame) {
  const std::size_t op = entries_[frame.entry].op;
  if (clocked_) pending_clocks_.erase({model_.latest_clock(ops_[op]), op});
  blocked_by_[op] = kNever;
  for (; frame.next_alternative < frame.alternatives.size(); ++frame.next_alternative) {
    const std::string& next = frame.alternatives[frame.next_alternative];
    if (clocked_ && !pending_clocks_.empty() &&
        model_.clock(next) > pending_clocks_.begin()->first) {
      blocked_by_[op] = pending_clocks_.begin()->second;
      continue;
    }
    words_[op / 64] |= std::uint64_t{1} << (op % 64);
    std::string key = cache_key(next);
    const std::size_t bytes = key.size() + 64;  // the string and the set's node, roughly
    if (seen_.insert(std::move(key)).second) {
      memo_bytes_ += bytes;
      state_ = next;
      lift(frame.entry);
      ++frame.next_alternative;
      stack_.push_back(std::move(frame));
      return true;
    }
    words_[op / 64] &= ~(std::uint64_t{1} << (op % 64));
  }
  if (clocked_) pending_clocks_.emplace(model_.latest_clock(ops_[op]), op);
  return false;
}

PartResult Search::run() {
  state_ = model_.init();
  const std::size_t head = entries_.size();
  std::size_t cur = next_[head];
  std::vector<std::string> next_states;
  while (cur != head) {
    if (++steps_ % 4096 == 0 || (budget_.max_steps != 0 && steps_ >= budget_.max_steps)) {
      const char* why = nullptr;
      if (budget_.max_steps != 0 && steps_ >= budget_.max_steps) why = "the step budget ran out";
      if (!why && budget_.out_of_time && budget_.out_of_time()) why = "the time budget ran out";
      if (!why && budget_.max_memo_bytes != 0 && memo_bytes_ > budget_.max_memo_bytes)
        why = "the memory budget ran out";
      if (why) {
        result_.verdict = Verdict::kUnknown;
        result_.gave_up = why;
        result_.steps = steps_;
        return result_;
      }
    }
    const Entry& entry = entries_[cur];
    if (entry.call) {
      const std::size_t twin = prior_twin_[entry.op];
      if (twin != kNever && !linearized(twin)) {
        cur = next_[cur];
        continue;
      }
      next_states.clear();
      model_.step(state_, ops_[entry.op], next_states);
      // An operation of unknown outcome that would change nothing here is
      // better left pending: it can still go later, or never, which is
      // everything placing it now allows, and the memo does not split on it.
      if (ops_[entry.op].outcome == Outcome::kUnknown) std::erase(next_states, state_);
      if (try_alternatives(Frame{cur, state_, next_states, 0})) {
        cur = next_[head];
      } else {
        cur = next_[cur];
      }
      continue;
    }
    // Only returns that never come are left: every operation that returned
    // is placed, and the pending ones of unknown outcome never took effect.
    if (entry.time == kNever) break;
    // A return whose operation is not linearized: every order tried from
    // here has failed. Undo the last choice and try its next alternative,
    // or the entry after it.
    note_depth(entry.op);
    if (stack_.empty()) {
      result_.verdict = Verdict::kNotLinearizable;
      result_.steps = steps_;
      return result_;
    }
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    const std::size_t undone = frame.entry;
    const std::size_t op = entries_[undone].op;
    words_[op / 64] &= ~(std::uint64_t{1} << (op % 64));
    state_ = frame.state;
    unlift(undone);
    if (clocked_) pending_clocks_.emplace(model_.latest_clock(ops_[op]), op);
    cur = try_alternatives(std::move(frame)) ? next_[head] : next_[undone];
  }
  result_.verdict = Verdict::kLinearizable;
  result_.longest.clear();
  result_.steps = steps_;
  return result_;
}

}  // namespace

std::string describe_part(const History& history, const PartResult& part) {
  std::set<std::string> keys;
  for (std::size_t i : part.operations)
    keys.insert(history.operations[i].key);
  if (keys.empty() || (keys.size() == 1 && keys.begin()->empty())) return "the register";
  std::string out = keys.size() == 1 ? "key" : "keys";
  const char* sep = " ";
  for (const auto& key : keys) {
    out += sep + key;
    sep = ", ";
  }
  return out;
}

CheckResult check(const Model& model, const History& history, const Budget& budget) {
  CheckResult result;
  for (const auto& part : model.partition(history)) {
    Search search(model, history, part, budget);
    PartResult r = search.run();
    result.steps += r.steps;
    result.parts.push_back(std::move(r));
  }
  for (std::size_t i = 0; i < result.parts.size(); ++i) {
    const PartResult& p = result.parts[i];
    if (p.verdict == Verdict::kNotLinearizable &&
        (!result.failing_part ||
         p.operations.size() < result.parts[*result.failing_part].operations.size())) {
      result.failing_part = i;
    }
  }
  if (result.failing_part) {
    result.verdict = Verdict::kNotLinearizable;
  } else {
    for (const auto& p : result.parts)
      if (p.verdict == Verdict::kUnknown) result.verdict = Verdict::kUnknown;
  }
  return result;
}

}  // namespace etcetera::spec::lin

namespace etcetera::spec::lin {

std::string explain(const Model& model, const History& history, const CheckResult& result,
                    std::size_t shown) {
  std::string out;
  auto line = [&](const std::string& prefix, std::size_t op) {
    const Operation& o = history.operations[op];
    out += prefix + "line " + std::to_string(o.line) + ": " + describe(o) + "\n";
  };
  if (result.failing_part) {
    const PartResult& part = result.parts[*result.failing_part];
    out += "the smallest part that fails: " + describe_part(history, part) + ", " +
           std::to_string(part.operations.size()) + " operations\n";
    out += "longest order the model explains (" + std::to_string(part.longest.size()) +
           " operations), leaving the state " + model.describe_state(part.state_after_longest) +
           ":\n";
    const std::size_t from = part.longest.size() > shown ? part.longest.size() - shown : 0;
    if (from > 0) out += "  ... " + std::to_string(from) + " earlier operations\n";
    for (std::size_t i = from; i < part.longest.size(); ++i)
      line("  ", part.longest[i]);
    if (part.stuck) line("cannot be placed next: ", *part.stuck);
    if (part.blocked_by)
      line(
          "placing it would move the revision past the one this answer saw, and the\n"
          "answer is still to be placed: ",
          *part.blocked_by);
  }
  for (const auto& part : result.parts) {
    if (part.verdict != Verdict::kUnknown) continue;
    out += "gave up on " + describe_part(history, part) + " (" +
           std::to_string(part.operations.size()) + " operations): " + part.gave_up + "\n";
  }
  return out;
}

}  // namespace etcetera::spec::lin
