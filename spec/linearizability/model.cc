#include "spec/linearizability/model.h"

#include <limits>
#include <map>
#include <set>

namespace etcetera::spec::lin {

namespace {

// A value that may be nil, as one string: "N" for nil, "V" + the value.
std::string encode(const std::optional<std::string>& v) {
  return v ? "V" + *v : "N";
}
bool is(const std::string& state, const std::optional<std::string>& v) {
  return v ? state.size() == v->size() + 1 && state[0] == 'V' &&
                 state.compare(1, v->size(), *v) == 0
           : state == "N";
}

// The register semantics every model here shares, for one key.
void register_step(const std::string& state, const Operation& op, std::vector<std::string>& next) {
  const bool unknown = op.outcome == Outcome::kUnknown;
  if (is_read(op)) {
    if (unknown || is(state, op.output)) next.push_back(state);
  } else if (op.f == "write" || op.f == "put") {
    next.push_back(encode(op.value));
  } else if (op.f == "delete") {
    next.push_back("N");
  } else if (op.f == "append") {
    std::string appended = state == "N" ? "V" : state;
    next.push_back(appended + op.value.value_or(""));
  } else if (op.f == "cas") {
    const bool holds = is(state, op.expected);
    if (holds && op.outcome != Outcome::kFail) next.push_back(encode(op.value));
    if (!holds && op.outcome != Outcome::kOk) next.push_back(state);  // saw another value
    if (holds && unknown) next.push_back(state);                      // or never happened
  }
}

// The one name for every written value no operation reads or expects:
// such values cannot be told apart, and giving them one name lets the search
// see that the states they lead to are the same. A control character keeps
// it apart from any value a history can hold.
const std::string kUnread = "\x1f(unread)";

std::string describe_value(const std::string& state) {
  if (state == "N") return "nil";
  if (state.compare(1, std::string::npos, kUnread) == 0) return "a value no operation read";
  return "\"" + state.substr(1) + "\"";
}

// The register semantics' simplification: a read of unknown outcome
// constrains nothing and changes nothing, so it goes; written values no
// read returns and no cas expects become one. Not for appends, whose state
// is every value appended.
void simplify_registers(std::vector<Operation>& ops, std::vector<std::size_t>& index) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (is_read(ops[i]) && ops[i].outcome == Outcome::kUnknown) continue;
    if (kept != i) {
      ops[kept] = std::move(ops[i]);
      index[kept] = index[i];
    }
    ++kept;
  }
  ops.resize(kept);
  index.resize(kept);
  std::set<std::pair<std::string, std::string>> read;  // (key, value)
  for (const auto& op : ops) {
    if (op.f == "append") return;
    if (is_read(op) && op.output) read.emplace(op.key, *op.output);
    if (op.f == "cas" && op.expected) read.emplace(op.key, *op.expected);
  }
  for (auto& op : ops)
    if (op.value && !is_read(op) && !read.contains({op.key, *op.value})) op.value = kUnread;
}

// Registers: one (the register model), or one per key checked apart (the
// key-value models): keys are independent, so a history is linearizable if
// and only if each key's sub-history is (Herlihy and Wing's locality).
class RegisterModel final : public Model {
 public:
  RegisterModel(std::string_view name, std::string init, bool per_key)
      : name_(name), init_(std::move(init)), per_key_(per_key) {}
  std::string_view name() const override { return name_; }
  std::string init() const override { return init_; }
  void step(const std::string& state, const Operation& op,
            std::vector<std::string>& next) const override {
    register_step(state, op, next);
  }
  void simplify(std::vector<Operation>& ops, std::vector<std::size_t>& index) const override {
    simplify_registers(ops, index);
  }
  std::vector<std::vector<std::size_t>> partition(const History& h) const override {
    if (!per_key_) return Model::partition(h);
    std::map<std::string, std::vector<std::size_t>> parts;
    for (std::size_t i = 0; i < h.operations.size(); ++i)
      parts[h.operations[i].key].push_back(i);
    std::vector<std::vector<std::size_t>> out;
    for (auto& [key, ops] : parts)
      out.push_back(std::move(ops));
    return out;
  }
  std::string describe_state(const std::string& state) const override {
    return describe_value(state);
  }

 private:
  std::string_view name_;
  std::string init_;
  bool per_key_;
};

// etcd's key space as etcetera's store keeps it: every key's value and one
// revision for the whole store, which each write that changes something
// moves on by one (a delete of a missing key or a cas whose compare fails
// changes nothing). Answers that carry a revision must carry the store's
// revision at the point the operation takes effect: a get the revision it
// read at, a write the one it made. Revision 0 in an answer means the
// history did not record one, and only the values are checked.
//
// The revision ties every key to every other, so the history is one part:
// slower than the kv model's per-key check, and stronger (a stale read of
// one key is caught by its revision even when the value is unchanged).
class EtcdModel final : public Model {
 public:
  std::string_view name() const override { return "etcd"; }
  std::string init() const override { return encode_state(State{1, {}}); }
  void step(const std::string& encoded, const Operation& op,
            std::vector<std::string>& next) const override {
    const State s = decode_state(encoded);
    const auto it = s.values.find(op.key);
    const std::string value = it == s.values.end() ? "N" : it->second;
    const bool unknown = op.outcome == Outcome::kUnknown;
    // An answer's revision, if it has one, must be `expected`.
    auto answers = [&](std::int64_t expected) {
      return unknown || op.revision == 0 || op.revision == expected;
    };
    auto write = [&](const std::optional<std::string>& v) {
      State after = s;
      ++after.revision;
      if (v) {
        after.values[op.key] = "V" + *v;
      } else {
        after.values.erase(op.key);
      }
      next.push_back(encode_state(after));
    };
    if (is_read(op)) {
      if (unknown || (is(value, op.output) && answers(s.revision))) next.push_back(encoded);
    } else if (op.f == "put" || op.f == "write") {
      if (answers(s.revision + 1)) write(op.value);
    } else if (op.f == "delete") {
      if (value == "N") {
        if (answers(s.revision)) next.push_back(encoded);
      } else if (answers(s.revision + 1)) {
        write(std::nullopt);
      }
    } else if (op.f == "cas") {
      const bool holds = is(value, op.expected);
      if (holds && op.outcome != Outcome::kFail && answers(s.revision + 1)) write(op.value);
      if (!holds && op.outcome != Outcome::kOk && answers(s.revision)) next.push_back(encoded);
    }
    // Anything else (an append) is not an etcd operation: no state explains it.
  }
  void simplify(std::vector<Operation>& ops, std::vector<std::size_t>& index) const override {
    simplify_registers(ops, index);
  }
  std::int64_t clock(const std::string& encoded) const override {
    return std::stoll(encoded.substr(0, encoded.find(';')));
  }
  std::int64_t latest_clock(const Operation& op) const override {
    if (op.outcome == Outcome::kUnknown || op.revision == 0) return Model::latest_clock(op);
    // A write that answered revision r made it: the store was at r - 1. A
    // delete may have found nothing, and a refused cas changed nothing, so
    // their revision is the store's at most.
    const bool made_it =
        op.outcome == Outcome::kOk && (op.f == "put" || op.f == "write" || op.f == "cas");
    return made_it ? op.revision - 1 : op.revision;
  }
  std::string describe_state(const std::string& encoded) const override {
    const State s = decode_state(encoded);
    std::string out = "revision " + std::to_string(s.revision);
    for (const auto& [key, value] : s.values)
      out += ", " + key + " = " + describe_value(value);
    return out;
  }

 private:
  struct State {
    std::int64_t revision;
    std::map<std::string, std::string> values;  // key -> "V" + value (a missing key is nil)
  };
  // "revision;" then "length:key length:value" per key, so that keys and
  // values may hold any byte.
  static std::string encode_state(const State& s) {
    std::string out = std::to_string(s.revision) + ";";
    for (const auto& [key, value] : s.values)
      out += std::to_string(key.size()) + ":" + key + std::to_string(value.size()) + ":" + value;
    return out;
  }
  static State decode_state(const std::string& encoded) {
    State s{0, {}};
    std::size_t at = encoded.find(';');
    s.revision = std::stoll(encoded.substr(0, at));
    auto field = [&] {
      const std::size_t colon = encoded.find(':', at);
      const std::size_t length = std::stoul(encoded.substr(at, colon - at));
      at = colon + 1 + length;
      return encoded.substr(colon + 1, length);
    };
    for (++at; at < encoded.size();) {
      std::string key = field();
      s.values.emplace(std::move(key), field());
    }
    return s;
  }
};

}  // namespace

std::vector<std::vector<std::size_t>> Model::partition(const History& h) const {
  std::vector<std::size_t> all(h.operations.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  return {all};
}

void Model::simplify(std::vector<Operation>&, std::vector<std::size_t>&) const {}
std::int64_t Model::clock(const std::string&) const {
  return 0;
}
std::int64_t Model::latest_clock(const Operation&) const {
  return std::numeric_limits<std::int64_t>::max();
}

std::unique_ptr<Model> register_model() {
  return std::make_unique<RegisterModel>("register", "N", false);
}
std::unique_ptr<Model> kv_model(bool initial_empty) {
  return initial_empty ? std::make_unique<RegisterModel>("kv-empty", "V", true)
                       : std::make_unique<RegisterModel>("kv", "N", true);
}

std::unique_ptr<Model> etcd_model() {
  return std::make_unique<EtcdModel>();
}

std::unique_ptr<Model> model_by_name(std::string_view name) {
  if (name == "register") return register_model();
  if (name == "kv") return kv_model(false);
  if (name == "kv-empty") return kv_model(true);
  if (name == "etcd") return etcd_model();
  return nullptr;
}

std::string describe(const Operation& op) {
  auto v = [](const std::optional<std::string>& s) { return s ? *s : std::string("nil"); };
  std::string out = "process " + std::to_string(op.process) + ": " + op.f;
  if (!op.key.empty()) out += " " + op.key;
  if (op.f == "cas") {
    out += " from " + v(op.expected) + " to " + v(op.value);
  } else if (is_read(op)) {
    out += op.outcome == Outcome::kOk ? " -> " + v(op.output) : "";
  } else if (op.value) {
    out += " " + *op.value;
  }
  const std::string at =
      op.revision != 0 ? " (revision " + std::to_string(op.revision) + ")" : std::string();
  switch (op.outcome) {
    case Outcome::kOk:
      out += (is_read(op) ? "" : " -> ok") + at;
      break;
    case Outcome::kFail:
      out += " -> fail" + at;
      break;
    case Outcome::kUnknown:
      out += " -> unknown";
      break;
  }
  return out;
}

}  // namespace etcetera::spec::lin
