#include "sim/script/script.h"

#include <sstream>

namespace etcetera::sim {

std::string parse_script(const std::string& text, Script& out) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::vector<std::string> pending;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      pending.push_back(line);
      continue;
    }
    if (line == "----") return "line " + std::to_string(i + 1) + ": '----' without a command";
    Stanza s{.line = static_cast<int>(i + 1),
             .command = line,
             .expected = {},
             .leading = std::move(pending),
             .has_expected = false};
    pending.clear();
    if (i + 1 < lines.size() && lines[i + 1] == "----") {
      s.has_expected = true;
      ++i;
      bool first = true;
      while (++i < lines.size()) {
        if (lines[i].empty()) {
          pending.push_back(lines[i]);
          break;
        }
        s.expected += (first ? "" : "\n") + lines[i];
        first = false;
      }
    }
    out.stanzas.push_back(std::move(s));
  }
  out.trailing = std::move(pending);
  return "";
}

std::string render_script(const Script& script, const std::vector<std::string>& outputs) {
  std::string out;
  for (std::size_t i = 0; i < script.stanzas.size(); ++i) {
    const Stanza& s = script.stanzas[i];
    for (const auto& l : s.leading)
      out += l + "\n";
    out += s.command + "\n----\n" + outputs[i] + "\n";
    // A command without output, followed directly by the next one, gets
    // the blank line that separates stanzas.
    if (!s.has_expected && i + 1 < script.stanzas.size() && script.stanzas[i + 1].leading.empty())
      out += "\n";
  }
  for (const auto& l : script.trailing)
    out += l + "\n";
  return out;
}

}  // namespace etcetera::sim
