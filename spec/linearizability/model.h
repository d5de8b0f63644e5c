// Models: what a sequential object does, so the checker can ask "may this
// operation take effect in this state, and what state follows?". A state is
// an opaque string (the model's own encoding), so that the checker can keep
// and compare states without knowing what they mean.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spec/linearizability/history.h"

namespace etcetera::spec::lin {

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string_view name() const = 0;
  virtual std::string init() const = 0;
  // The states `op` may lead to from `state`: none if it cannot take effect
  // there (a read that saw another value), more than one when its outcome
  // is unknown.
  virtual void step(const std::string& state, const Operation& op,
                    std::vector<std::string>& next) const = 0;
  // Independent parts of a history (P-compositionality): each is checked on
  // its own. By default the whole history is one part.
  virtual std::vector<std::vector<std::size_t>> partition(const History& h) const;
  // A state, readable ("nil", "\"x 0 0 y\"").
  virtual std::string describe_state(const std::string& state) const = 0;
};

// A single register: read, write, cas. Starts as nil.
std::unique_ptr<Model> register_model();
// A map of registers, checked key by key: get, put, append, delete, cas.
// `initial_empty`: every key starts as "" (the kv-edn histories), else nil.
std::unique_ptr<Model> kv_model(bool initial_empty);

// "register", "kv" or "kv-empty"; nullptr for an unknown name.
std::unique_ptr<Model> model_by_name(std::string_view name);

// A readable operation: "process 3: cas k1 from v1 to v2 -> ok".
std::string describe(const Operation& op);

}  // namespace etcetera::spec::lin
