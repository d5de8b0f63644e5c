// sim::ProtectedResource — a storage service outside the cluster that lock
// holders write to: the thing the lock protects.
//
// It knows nothing of leases or of the store. It keeps one number, the
// highest fencing token it has seen, and accepts a write only if the
// write's token is at least that high; a lower token comes from a holder
// that lost the lock to a later one (Kleppmann's fencing, docs/locks.md).
// Every write is logged, accepted or refused, with who wrote it and when,
// so that a run can be checked afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kv/revision.h"
#include "sim/network.h"

namespace etcetera::sim {

class ProtectedResource {
 public:
  struct Write {
    int client = 0;
    kv::Revision token = 0;
    Time time = 0;
    bool accepted = false;
  };

  // Accepts the write (and raises the highest token seen) if token >=
  // highest_token(); refuses it otherwise. Returns whether it was accepted.
  bool write(int client, kv::Revision token, Time time);

  kv::Revision highest_token() const { return highest_; }
  const std::vector<Write>& log() const { return log_; }
  std::size_t accepted() const;
  std::size_t refused() const { return log_.size() - accepted(); }

 private:
  kv::Revision highest_ = 0;
  std::vector<Write> log_;
};

// Fenced safety, checked on the log alone: the accepted writes, in order,
// never go back to a lower token, and one token is one holder (never two
// clients writing with the same token). The first breach, or nothing.
std::optional<std::string> check_fenced_writes(const std::vector<ProtectedResource::Write>& log);

}  // namespace etcetera::sim
