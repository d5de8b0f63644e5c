// The node's own random source: a seeded SplitMix64 generator. The core never
// touches a global or hardware random source, so the same seed always gives
// the same election timeouts, byte for byte, on every platform.
#pragma once

#include <cstdint>

namespace etcetera::raft {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A value in [lo, hi). REQUIRES: lo < hi. The modulo bias is below 2^-40 for
  // the small ranges used here, and it is the same on every run.
  std::uint64_t in_range(std::uint64_t lo, std::uint64_t hi) { return lo + next() % (hi - lo); }

 private:
  std::uint64_t state_;
};

}  // namespace etcetera::raft
