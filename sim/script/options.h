// Reading key=value options of script commands, with errors that name the command.
#pragma once

#include <string>

#include "sim/script/env.h"

namespace etcetera::sim {

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
    std::size_t used = 0;
    const auto v = std::stoull(word, &used);
    if (used == word.size()) return v;
  } catch (...) {
  }
  throw ScriptError{c.name + ": '" + word + "' is not a number"};
}

// delay=A-B (or delay=A), loss=PER_MILLE, dup=PER_MILLE over `base`.
inline LinkFaults link_faults_option(const Command& c, LinkFaults base) {
  if (auto it = c.options.find("delay"); it != c.options.end()) {
    const auto dash = it->second.find('-');
    base.min_delay = parse_uint(c, it->second.substr(0, dash));
    base.max_delay =
        dash == std::string::npos ? base.min_delay : parse_uint(c, it->second.substr(dash + 1));
    if (base.max_delay < base.min_delay)
      throw ScriptError{c.name + ": delay=" + it->second + " runs backwards"};
  }
  base.loss = static_cast<std::uint32_t>(uint_option(c, "loss", base.loss));
  base.duplicate = static_cast<std::uint32_t>(uint_option(c, "dup", base.duplicate));
  if (base.loss > 1000 || base.duplicate > 1000)
    throw ScriptError{c.name + ": loss and dup are per mille, at most 1000"};
  return base;
}

}  // namespace etcetera::sim
