// sim::History — what clients saw: every operation's invocation and its
// return, in the order they happened, for a linearizability checker.
//
// The vocabulary is Jepsen's. A process is one client's sequence of
// operations; it invokes an operation and later the operation returns
// `ok` (it took effect, with what it read), `fail` (it certainly did not
// take effect) or `info` (nobody knows: it timed out, and may take effect
// at any later time or never). A process whose operation ended in `info`
// never invokes again: its client continues as a new process.
//
// Written as JSON lines, one event a line (docs/kv.md, "Client histories"):
//   {"process":1,"type":"invoke","f":"put","key":"k1","value":"v3","time":40}
//   {"process":1,"type":"ok","f":"put","key":"k1","value":"v3","time":44,"revision":7}
// `value` is null for a get's invocation and for a missing key; a cas
// carries [old, new]. A read served without ReadIndex says
// "consistency":"serializable": it may be stale, and a checker must not
// hold it to linearizability.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace etcetera::sim {

struct HistoryEvent {
  enum class Type { kInvoke, kOk, kFail, kInfo };
  enum class Function { kGet, kPut, kDelete, kCas };

  std::uint64_t process = 0;
  Type type = Type::kInvoke;
  Function f = Function::kGet;
  std::string key;
  std::optional<std::string> value;     // get: what was read; put: what was written
  std::optional<std::string> expected;  // cas: the value it compared against
  std::int64_t time = 0;                // virtual time (ticks)
  std::int64_t revision = 0;            // the store revision of the answer (0: none)
  bool serializable = false;            // a get served without ReadIndex
};

const char* type_name(HistoryEvent::Type type);
const char* function_name(HistoryEvent::Function f);

// One event as a JSON line (without the newline).
std::string to_json_line(const HistoryEvent& e);

class History {
 public:
  void add(HistoryEvent e) { events_.push_back(std::move(e)); }
  const std::vector<HistoryEvent>& events() const { return events_; }
  std::string to_json_lines() const;

  // Well-formedness, as a checker assumes it: each process alternates
  // invoke and return, returns match their invocation, nothing follows an
  // `info` in its process, and time never goes back. The first problem, or
  // nothing.
  std::optional<std::string> check_well_formed() const;

 private:
  std::vector<HistoryEvent> events_;
};

}  // namespace etcetera::sim
