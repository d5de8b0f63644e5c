// Models: what a sequential object does, so the checker can ask "may this
// operation take effect in this state, and what state follows?". A state is
// an opaque string (the model's own encoding), so that the checker can keep
// and compare states without knowing what they mean.
#pragma once

#include <cstdint>
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
  // is unknown. It must depend only on what the operation asked and got (f,
  // key, value, expected, output, outcome, revision), never on who called it
  // or when: the checker treats two unknown operations that ask the same as
  // interchangeable.
  virtual void step(const std::string& state, const Operation& op,
                    std::vector<std::string>& next) const = 0;
  // Before a part is searched, the model may rewrite its operations into an
  // equivalent, cheaper problem: drop operations that can change nothing and
  // constrain nothing, and give values no operation can tell apart one
  // name. `ops` and `index` (each operation's place in the history) stay
  // parallel. By default nothing changes.
  virtual void simplify(std::vector<Operation>& ops, std::vector<std::size_t>& index) const;
  // Independent parts of a history (P-compositionality): each is checked on
  // its own. By default the whole history is one part.
  virtual std::vector<std::vector<std::size_t>> partition(const History& h) const;
  // A model may keep a clock that never goes back (etcd's revision): then
  // an operation whose answer names a clock value can only be placed while
  // the clock has not passed it, and the search drops any order that moves
  // the clock past what a pending operation needs. latest_clock: the largest
  // clock the state may show just before `op` is placed. By default there is
  // no clock, and nothing is dropped.
  virtual std::int64_t clock(const std::string& state) const;
  virtual std::int64_t latest_clock(const Operation& op) const;
  // A state, readable ("nil", "\"x 0 0 y\"").
  virtual std::string describe_state(const std::string& state) const = 0;
};

// A single register: read, write, cas. Starts as nil.
std::unique_ptr<Model> register_model();
// A map of registers, checked key by key: get, put, append, delete, cas.
// `initial_empty`: every key starts as "" (the kv-edn histories), else nil.
std::unique_ptr<Model> kv_model(bool initial_empty);

// etcd's keys with the store's revision: get, put, delete and cas (a
// compare-and-set transaction), each answer checked for the revision it
// carries. One part: the revision orders every key.
std::unique_ptr<Model> etcd_model();

// "register", "kv", "kv-empty" or "etcd"; nullptr for an unknown name.
std::unique_ptr<Model> model_by_name(std::string_view name);

// A readable operation: "process 3: cas k1 from v1 to v2 -> ok".
std::string describe(const Operation& op);

}  // namespace etcetera::spec::lin
