// The testdata folder of real third-party histories (its README describes
// them): which files are histories, and the verdicts published for them.
// lin-bench reads it; the folder is the one CMake found (ETCETERA_TESTDATA,
// see the top-level CMakeLists.txt) unless the command line names another.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/linearizability/checker.h"

namespace etcetera::bench {

// One history file of the folder.
struct HistoryFile {
  std::string name;  // the path relative to the folder: "jepsen-etcd/etcd_000.log"
  std::filesystem::path path;
  // What its authors say it is: from a verdicts.tsv beside it, or from a
  // name ending in -ok or -bad; nullopt when nobody published a verdict.
  std::optional<spec::lin::Verdict> published;
};

// Every history under `dir`, sorted by name: all regular files but the
// READMEs (*.md), the verdict tables (*.tsv) and hidden files. An error
// (a message a user can act on) when the folder or a verdict table cannot be
// read.
[[nodiscard]] std::expected<std::vector<HistoryFile>, std::string> find_histories(
    const std::filesystem::path& dir);

// The suite of a history: its first folder ("jepsen-etcd"), or "" at the top.
std::string suite_of(const std::string& name);

}  // namespace etcetera::bench
