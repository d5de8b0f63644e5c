// Reading histories. Three formats, guessed from the content when not named:
//   jsonl   the simulator's (sim/history.h): one JSON object a line
//   jepsen  Jepsen's register log: "INFO  jepsen.util - P\t:TYPE\t:F\tVALUE"
//   edn     Jepsen's key-value maps: {:process P, :type :ok, :f :get, :key "K", :value "V"}
// Pairing is per process: an invocation, then its completion. A completion
// with nothing open, or an unreadable line, is an error naming the line. An
// invocation never completed is an unknown outcome.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "spec/linearizability/history.h"

namespace etcetera::spec::lin {

enum class Format { kJsonl, kJepsen, kEdn };

std::expected<Format, ParseError> guess_format(std::string_view text);
std::expected<Format, ParseError> format_by_name(std::string_view name);
const char* format_name(Format f);
// The model a format's histories are about: register, kv-empty or kv.
const char* default_model(Format f);

std::expected<History, ParseError> parse_history(std::string_view text, Format format);

}  // namespace etcetera::spec::lin
