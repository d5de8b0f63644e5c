// What every fuzz target is: libFuzzer's entry point, one input at a time.
// Built with clang and -fsanitize=fuzzer (./run fuzz), libFuzzer drives it;
// built by the suite (g++), standalone_main.cc feeds it its seed corpus and
// a bounded number of mutations of it (docs/reliability.md).
//
// A target decodes the bytes the way the server would meet them, then uses
// whatever decoded; it never trusts them. The one rule it checks is the
// server's: no input crashes, aborts or corrupts memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace etcetera::fuzz {

inline std::string_view bytes_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace etcetera::fuzz
