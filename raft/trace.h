// The trace: where a node reports every event (raft/trace.proto). A node with
// no sink builds no events at all, so tracing costs nothing when it is off.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "raft/trace.pb.h"

namespace etcetera::raft {

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(const pb::Event& event) = 0;
};

// Keeps every event in memory, in order: for tests, the demo and the simulator.
class TraceBuffer final : public TraceSink {
 public:
  void record(const pb::Event& event) override { events_.push_back(event); }
  const std::vector<pb::Event>& events() const { return events_; }
  std::vector<pb::Event> take() { return std::exchange(events_, {}); }

 private:
  std::vector<pb::Event> events_;
};

// The encodings of to_json_line, for other writers of JSON: a string as a
// JSON string literal (quotes included; bytes that are not UTF-8 escaped as
// \u00XX), and bytes as standard base64 with padding.
void append_json_string(std::string& out, const std::string& s);
std::string base64(const std::string& bytes);

// One JSON object on one line (no newline added). Field names as in the
// .proto, enums by name, integers as JSON numbers (so every reader gets
// numbers, not strings), bytes as base64, default values left out, and
// strings that are not valid UTF-8 escaped byte by byte (\u00XX), so every
// line is valid JSON. Deterministic: fields in field-number order.
std::string to_json_line(const google::protobuf::Message& message);

// Writes each event as one JSON line to a stream the caller owns (a trace
// file, a string stream): the --trace format the visualizer reads.
class JsonLinesSink final : public TraceSink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(out) {}
  void record(const pb::Event& event) override { out_ << to_json_line(event) << "\n"; }

 private:
  std::ostream& out_;
};

}  // namespace etcetera::raft
