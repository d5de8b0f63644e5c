#include "visualizer/trace_reader.h"

#include <fstream>

#include <google/protobuf/util/json_util.h>

namespace etcetera::viz {

raft::Result<std::vector<raft::pb::Event>> read_trace(std::istream& in, const std::string& source) {
  using C = raft::Error::Code;
  std::vector<raft::pb::Event> events;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    raft::pb::Event e;
    // Unknown fields are an error, not ignored: a trace from a newer writer
    // would otherwise replay with events silently missing their substance.
    const auto status = google::protobuf::util::JsonStringToMessage(line, &e);
    if (!status.ok())
      return raft::fail(C::kInvalidArgument,
                        source + ":" + std::to_string(number) +
                            ": not a trace event: " + std::string(status.message()));
    events.push_back(std::move(e));
  }
  if (in.bad()) return raft::fail(C::kInvalidArgument, source + ": read error");
  return events;
}

raft::Result<std::vector<raft::pb::Event>> read_trace_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return raft::fail(raft::Error::Code::kInvalidArgument, "cannot open trace file " + path);
  return read_trace(in, path);
}

}  // namespace etcetera::viz
