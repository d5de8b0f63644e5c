// Reading a WAL back: the records of every segment, in order, folded into
// the state they describe. Used by Wal::open; separate so that the rules of
// recovery (what is a torn tail, what is corruption, how entries replace each
// other) read on their own.
#pragma once

#include <optional>
#include <vector>

#include "server/disk/error.h"
#include "server/disk/wal.h"
#include "server/disk/wal_segment.h"

namespace etcetera::server {

struct RecoveredWal {
  WalState state;
  std::uint64_t last_index = 0;          // of the log as written, before trimming to entries_after
  std::uint64_t last_segment_bytes = 0;  // once any torn tail is cut
  // Where the last segment must be cut: its torn tail starts there.
  std::optional<std::uint64_t> cut_last_segment_at;
};

// Reads `segments` (oldest first, at least one), changing nothing on disk.
// A torn tail of the last segment is reported, to be cut by the caller;
// any other damage is kCorrupt.
[[nodiscard]] DiskResult<RecoveredWal> recover_wal(const std::vector<Segment>& segments,
                                                   std::optional<std::uint64_t> entries_after);

}  // namespace etcetera::server
