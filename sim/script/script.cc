#include "sim/script/script.h"

#include <sstream>

namespace etcetera::sim {

std::string parse_script(const std::string& text, Script& out) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  std::vector<std::string> pending;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') {
      pending.push_back(line);
      continue;
    }
    Stanza s{.line = n, .command = line, .expected = {}, .leading = std::move(pending)};
    pending.clear();
    if (!std::getline(in, line) || line != "----")
      return "line " + std::to_string(n + 1) + ": expected '----' after the command '" + s.command +
             "'";
    ++n;
    bool first = true;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) {
        pending.push_back(line);
        break;
      }
      s.expected += (first ? "" : "\n") + line;
      first = false;
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
  }
  for (const auto& l : script.trailing)
    out += l + "\n";
  return out;
}

}  // namespace etcetera::sim
