#include "sim/history.h"

#include <map>

#include "raft/trace.h"

namespace etcetera::sim {

const char* type_name(HistoryEvent::Type type) {
  switch (type) {
    case HistoryEvent::Type::kInvoke:
      return "invoke";
    case HistoryEvent::Type::kOk:
      return "ok";
    case HistoryEvent::Type::kFail:
      return "fail";
    case HistoryEvent::Type::kInfo:
      return "info";
  }
  return "?";
}

const char* function_name(HistoryEvent::Function f) {
  switch (f) {
    case HistoryEvent::Function::kGet:
      return "get";
    case HistoryEvent::Function::kPut:
      return "put";
    case HistoryEvent::Function::kDelete:
      return "delete";
    case HistoryEvent::Function::kCas:
      return "cas";
  }
  return "?";
}

namespace {

void append_value(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    raft::append_json_string(out, *v);
  } else {
    out += "null";
  }
}

}  // namespace

std::string to_json_line(const HistoryEvent& e) {
  std::string out = "{\"process\":" + std::to_string(e.process) + ",\"type\":\"" +
                    type_name(e.type) + "\",\"f\":\"" + function_name(e.f) + "\",\"key\":";
  raft::append_json_string(out, e.key);
  out += ",\"value\":";
  if (e.f == HistoryEvent::Function::kCas) {
    out += "[";
    append_value(out, e.expected);
    out += ",";
    append_value(out, e.value);
    out += "]";
  } else {
    append_value(out, e.value);
  }
  out += ",\"time\":" + std::to_string(e.time);
  // An answer carries the store's revision; a refused cas's answer does too
  // (the compare failed at that revision), an error's does not.
  if (e.type == HistoryEvent::Type::kOk || (e.type == HistoryEvent::Type::kFail && e.revision != 0))
    out += ",\"revision\":" + std::to_string(e.revision);
  if (e.serializable) out += ",\"consistency\":\"serializable\"";
  out += "}";
  return out;
}

std::string History::to_json_lines() const {
  std::string out;
  for (const auto& e : events_)
    out += to_json_line(e) + "\n";
  return out;
}

std::optional<std::string> History::check_well_formed() const {
  std::map<std::uint64_t, const HistoryEvent*> open;  // process -> its invocation
  std::map<std::uint64_t, bool> ended;                // process -> ended in info
  std::int64_t last_time = 0;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    const HistoryEvent& e = events_[i];
    const std::string where =
        "event " + std::to_string(i + 1) + " (process " + std::to_string(e.process) + "): ";
    if (e.time < last_time) return where + "time goes back";
    last_time = e.time;
    if (ended[e.process]) return where + "the process returned info earlier and acts again";
    if (e.type == HistoryEvent::Type::kInvoke) {
      if (open.contains(e.process)) return where + "invokes while an operation is open";
      open[e.process] = &e;
      continue;
    }
    auto it = open.find(e.process);
    if (it == open.end()) return where + "returns with no operation open";
    if (it->second->f != e.f || it->second->key != e.key) {
      return where + "returns a different operation than it invoked";
    }
    open.erase(it);
    if (e.type == HistoryEvent::Type::kInfo) ended[e.process] = true;
  }
  return std::nullopt;
}

}  // namespace etcetera::sim
