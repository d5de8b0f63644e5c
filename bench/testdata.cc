#include "bench/testdata.h"

#include <algorithm>
#include <fstream>

namespace etcetera::bench {

namespace fs = std::filesystem;
using spec::lin::Verdict;

namespace {

// A verdict table: "FILE\tlinearizable" or "FILE\tnot-linearizable" a line,
// FILE relative to the table's folder. Keys are relative to the testdata
// folder, as HistoryFile::name is.
std::expected<void, std::string> read_verdicts(const fs::path& table, const fs::path& root,
                                               std::map<std::string, Verdict>& out) {
  std::ifstream in(table);
  if (!in) return std::unexpected("cannot read " + table.string());
  const fs::path folder = table.parent_path().lexically_relative(root);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    const std::string word = tab == std::string::npos ? "" : line.substr(tab + 1);
    if (word != "linearizable" && word != "not-linearizable") {
      return std::unexpected(table.string() + ":" + std::to_string(number) +
                             ": expected 'FILE<tab>linearizable' or 'FILE<tab>not-linearizable'");
    }
    const std::string name = (folder / line.substr(0, tab)).lexically_normal().generic_string();
    out[name] = word == "linearizable" ? Verdict::kLinearizable : Verdict::kNotLinearizable;
  }
  return {};
}

// The kv-edn convention: c01-ok.txt is linearizable, c01-bad.txt is not.
std::optional<Verdict> verdict_by_name(const fs::path& path) {
  const std::string stem = path.stem().string();
  if (stem.ends_with("-ok")) return Verdict::kLinearizable;
  if (stem.ends_with("-bad")) return Verdict::kNotLinearizable;
  return std::nullopt;
}

bool is_history(const fs::directory_entry& entry) {
  const fs::path& p = entry.path();
  return entry.is_regular_file() && !p.filename().string().starts_with(".") &&
         p.extension() != ".md" && p.extension() != ".tsv";
}

}  // namespace

std::expected<std::vector<HistoryFile>, std::string> find_histories(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return std::unexpected("no testdata folder at '" + dir.string() +
                           "' (set ETCETERA_TESTDATA to the folder with jepsen-etcd/ and "
                           "kv-edn/, at configure time or with --testdata DIR)");
  }
  std::map<std::string, Verdict> tables;
  std::vector<HistoryFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() == "verdicts.tsv") {
      if (auto read = read_verdicts(entry.path(), dir, tables); !read)
        return std::unexpected(read.error());
    } else if (is_history(entry)) {
      const std::string name = entry.path().lexically_relative(dir).generic_string();
      files.push_back(HistoryFile{name, entry.path(), verdict_by_name(entry.path())});
    }
  }
  for (HistoryFile& file : files) {
    if (auto it = tables.find(file.name); it != tables.end()) file.published = it->second;
  }
  std::ranges::sort(files, {}, &HistoryFile::name);
  return files;
}

std::string suite_of(const std::string& name) {
  const auto slash = name.find('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

}  // namespace etcetera::bench
