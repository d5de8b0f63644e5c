// The interaction-script format: a text file of stanzas, each one command and
// the output it is expected to print.
//
//   # comments and blank lines between stanzas are kept as they are
//   campaign 1
//   ----
//   1 BecomePreCandidate: role Follower -> PreCandidate
//
// A stanza's output runs to the next blank line. A command with no "----"
// after it is a bare command: it runs, and its output is not checked (the
// form etcetera-sim writes and reads; --rewrite adds the outputs). With rewrite on, the runner
// replaces every expected output by the actual one, so the scripts double as
// teaching material that is always true.
#pragma once

#include <string>
#include <vector>

namespace etcetera::sim {

struct Stanza {
  int line = 0;                      // 1-based line of the command, for messages
  std::string command;               // the whole command line
  std::string expected;              // the expected output, lines joined by '\n', no final newline
  std::vector<std::string> leading;  // comment and blank lines before the command
  bool has_expected = true;          // false: a bare command, whose output is not checked
};

struct Script {
  std::vector<Stanza> stanzas;
  std::vector<std::string> trailing;  // comment and blank lines after the last stanza
};

// Returns an error message (non-empty) when the text is not a valid script.
std::string parse_script(const std::string& text, Script& out);
// The script as text, with each stanza's output replaced by outputs[i].
std::string render_script(const Script& script, const std::vector<std::string>& outputs);

}  // namespace etcetera::sim
