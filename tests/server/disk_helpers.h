// Small builders and views shared by the disk tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "raft/raft.pb.h"

namespace etcetera::server::testing {

inline raft::pb::Entry entry(std::uint64_t index, std::uint64_t term, std::string data = "") {
  raft::pb::Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_data(data.empty() ? "v" + std::to_string(index) : std::move(data));
  return e;
}

inline std::vector<raft::pb::Entry> entries(std::uint64_t from, std::uint64_t to,
                                            std::uint64_t term) {
  std::vector<raft::pb::Entry> out;
  for (std::uint64_t i = from; i <= to; ++i)
    out.push_back(entry(i, term));
  return out;
}

inline raft::pb::HardState hard_state(std::uint64_t term, std::uint64_t vote,
                                      std::uint64_t commit) {
  raft::pb::HardState hs;
  hs.set_term(term);
  hs.set_vote(vote);
  hs.set_commit(commit);
  return hs;
}

// "1/1 2/1 3/2": index/term of each entry, to compare logs at a glance.
inline std::string describe(std::span<const raft::pb::Entry> log) {
  std::string out;
  for (const auto& e : log) {
    if (!out.empty()) out += ' ';
    out += std::to_string(e.index()) + "/" + std::to_string(e.term());
  }
  return out;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void flip_byte(const std::filesystem::path& path, std::size_t offset) {
  std::string bytes = read_bytes(path);
  bytes.at(offset) ^= 0x5A;
  write_bytes(path, bytes);
}

}  // namespace etcetera::server::testing
