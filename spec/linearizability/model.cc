#include "spec/linearizability/model.h"

#include <map>

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
  if (op.f == "read" || op.f == "get") {
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

std::string describe_value(const std::string& state) {
  return state == "N" ? "nil" : "\"" + state.substr(1) + "\"";
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

}  // namespace

std::vector<std::vector<std::size_t>> Model::partition(const History& h) const {
  std::vector<std::size_t> all(h.operations.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  return {all};
}

std::unique_ptr<Model> register_model() {
  return std::make_unique<RegisterModel>("register", "N", false);
}
std::unique_ptr<Model> kv_model(bool initial_empty) {
  return initial_empty ? std::make_unique<RegisterModel>("kv-empty", "V", true)
                       : std::make_unique<RegisterModel>("kv", "N", true);
}

std::unique_ptr<Model> model_by_name(std::string_view name) {
  if (name == "register") return register_model();
  if (name == "kv") return kv_model(false);
  if (name == "kv-empty") return kv_model(true);
  return nullptr;
}

std::string describe(const Operation& op) {
  auto v = [](const std::optional<std::string>& s) { return s ? *s : std::string("nil"); };
  std::string out = "process " + std::to_string(op.process) + ": " + op.f;
  if (!op.key.empty()) out += " " + op.key;
  if (op.f == "cas") {
    out += " from " + v(op.expected) + " to " + v(op.value);
  } else if (op.f == "read" || op.f == "get") {
    out += op.outcome == Outcome::kOk ? " -> " + v(op.output) : "";
  } else if (op.value) {
    out += " " + *op.value;
  }
  switch (op.outcome) {
    case Outcome::kOk:
      out += op.f == "read" || op.f == "get" ? "" : " -> ok";
      break;
    case Outcome::kFail:
      out += " -> fail";
      break;
    case Outcome::kUnknown:
      out += " -> unknown";
      break;
  }
  return out;
}

}  // namespace etcetera::spec::lin
