// raft-scripts: runs interaction scripts and compares each command's output
// with the expected one.
//   raft-scripts FILE...             fails (exit 1) on the first difference
//   raft-scripts --rewrite FILE...   writes the actual outputs into the files
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/script/env.h"
#include "sim/script/script.h"

namespace {

using etcetera::sim::InteractionEnv;
using etcetera::sim::Script;
using etcetera::sim::ScriptError;

bool run_file(const std::string& path, bool rewrite) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: cannot be read\n", path.c_str());
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  Script script;
  if (std::string err = etcetera::sim::parse_script(text.str(), script); !err.empty()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), err.c_str());
    return false;
  }
  InteractionEnv env;
  std::vector<std::string> outputs;
  bool ok = true;
  for (const auto& s : script.stanzas) {
    std::string actual;
    try {
      actual = env.run(s.command);
    } catch (const ScriptError& e) {
      std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), s.line, e.message.c_str());
      return false;
    }
    outputs.push_back(actual);
    if (!rewrite && s.has_expected && actual != s.expected) {
      std::fprintf(stderr, "%s:%d: '%s' printed\n%s\n---- but the script expects\n%s\n----\n",
                   path.c_str(), s.line, s.command.c_str(), actual.c_str(), s.expected.c_str());
      ok = false;
      break;
    }
  }
  if (rewrite) {
    std::ofstream(path) << etcetera::sim::render_script(script, outputs);
    std::printf("rewrote %s\n", path.c_str());
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  bool rewrite = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--rewrite") {
      rewrite = true;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: raft-scripts [--rewrite] SCRIPT.txt...\n");
    return 2;
  }
  int failed = 0;
  for (const auto& f : files)
    failed += run_file(f, rewrite) ? 0 : 1;
  std::printf("%zu scripts, %d failed\n", files.size(), failed);
  return failed == 0 ? 0 : 1;
}
