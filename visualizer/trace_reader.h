// Reading a trace: one JSON object per line, as raft/trace.h writes them
// (etcetera-sim --trace, the demo, later the server's --trace-file).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "raft/error.h"
#include "raft/trace.pb.h"

namespace etcetera::viz {

// Every event of the stream, in order. Blank lines are skipped. The first
// line that is not an event fails the whole read, naming the source, the
// line number and what is wrong with it: a replay with a hole in it would
// show a story that did not happen.
raft::Result<std::vector<raft::pb::Event>> read_trace(std::istream& in, const std::string& source);

// The same, from a file.
raft::Result<std::vector<raft::pb::Event>> read_trace_file(const std::string& path);

}  // namespace etcetera::viz
