// A fuzz target without libFuzzer, for the suite: every file of the seed
// corpora given, then --runs mutations of them, chosen by a seeded
// generator so that a run is the same every time:
//
//   fuzz-TARGET [--runs N] [--seed S] CORPUS_DIR...
//
// A mutation flips, sets, inserts or deletes bytes, cuts the input, or
// repeats a piece of it, one to four times. An input that crashes the
// target crashes this program; its bytes are written to crash-<n> first.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "raft/rng.h"

namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string mutate(std::string s, etcetera::raft::Rng& rng) {
  const int steps = 1 + static_cast<int>(rng.in_range(0, 4));
  for (int k = 0; k < steps; ++k) {
    const std::size_t at = s.empty() ? 0 : rng.in_range(0, s.size());
    switch (rng.in_range(0, 6)) {
      case 0:
        if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1 << rng.in_range(0, 8)));
        break;
      case 1:
        if (!s.empty()) s[at] = static_cast<char>(rng.in_range(0, 256));
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng.in_range(0, 256)));
        break;
      case 3:
        if (!s.empty()) s.erase(at, 1 + rng.in_range(0, 16));
        break;
      case 4:
        s.resize(at);
        break;
      default:
        if (!s.empty()) s.insert(at, s.substr(rng.in_range(0, s.size()), 1 + rng.in_range(0, 32)));
    }
  }
  return s;
}

void run(const std::string& input, std::uint64_t n) {
  // Written before the call: if it crashes, the input is there to replay.
  std::ofstream("crash-" + std::to_string(n), std::ios::binary) << input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  std::filesystem::remove("crash-" + std::to_string(n));
}

bool number(const char* text, std::uint64_t& out) {
  const char* end = text + std::char_traits<char>::length(text);
  auto [p, ec] = std::from_chars(text, end, out);
  return ec == std::errc() && p == end;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t runs = 10000, seed = 1;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--runs" || arg == "--seed") && i + 1 < argc) {
      if (!number(argv[++i], arg == "--runs" ? runs : seed)) {
        std::fprintf(stderr, "%s takes a number\n", arg.c_str());
        return 2;
      }
    } else if (std::filesystem::is_directory(arg)) {
      for (const auto& f : std::filesystem::directory_iterator(arg))
        if (f.is_regular_file()) corpus.push_back(read(f.path()));
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--seed S] CORPUS_DIR...\n", argv[0]);
      return 2;
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "%s: no seed inputs (give a corpus directory that holds some)\n", argv[0]);
    return 2;
  }
  std::uint64_t n = 0;
  for (const auto& input : corpus)
    run(input, n++);
  etcetera::raft::Rng rng(seed);
  for (std::uint64_t k = 0; k < runs; ++k)
    run(mutate(corpus[rng.in_range(0, corpus.size())], rng), n++);
  std::printf("%s: %zu seed inputs and %llu mutations of them, no crash\n", argv[0], corpus.size(),
              static_cast<unsigned long long>(runs));
  return 0;
}
