// Any bytes as a trace file (--trace, --trace-file): the visualizer's
// reader takes every event, or refuses the file naming the line; it never
// takes part of it.
#include <sstream>
#include <string>

#include "fuzz/fuzz_target.h"
#include "visualizer/trace_reader.h"

using namespace etcetera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(fuzz::bytes_of(data, size)));
  auto events = viz::read_trace(in, "fuzz input");
  if (!events && events.error().message.find("fuzz input") == std::string::npos) __builtin_trap();
  return 0;
}
