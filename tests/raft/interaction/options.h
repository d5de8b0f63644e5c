// Reading key=value options of script commands, with errors that name the command.
#pragma once

#include <string>

#include "tests/raft/interaction/env.h"

namespace etcetera::tests {

inline std::uint64_t uint_option(const Command& c, const std::string& key, std::uint64_t fallback) {
  auto it = c.options.find(key);
  if (it == c.options.end()) return fallback;
  try {
    return std::stoull(it->second);
  } catch (...) {
    throw ScriptError{c.name + ": " + key + "=" + it->second + " is not a number"};
  }
}

inline bool bool_option(const Command& c, const std::string& key, bool fallback) {
  auto it = c.options.find(key);
  if (it == c.options.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  throw ScriptError{c.name + ": " + key + " must be true or false"};
}

inline std::uint64_t parse_uint(const Command& c, const std::string& word) {
  try {
    return std::stoull(word);
  } catch (...) {
    throw ScriptError{c.name + ": '" + word + "' is not a number"};
  }
}

}  // namespace etcetera::tests
