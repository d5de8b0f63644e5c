// server::next_run — which run of the member this is: a counter in the data
// dir (the file `runs`), read and incremented, durably, once per start.
//
// The member numbers its client requests from it (kv/proposer.h): a request
// of an earlier run may still sit in a log, and a new request must never
// take its id, or the state machine would take one for a copy of the other.
// The new count is on disk (written to a temporary file, synced, renamed
// over the old one, the directory synced) before it is returned, so a crash
// at any point leaves the old count or the new one, never a count reused.
#pragma once

#include <cstdint>
#include <filesystem>

#include "server/disk/error.h"

namespace etcetera::server {

// 1 on an empty data dir (no `runs` file), then 2, 3, ...
[[nodiscard]] DiskResult<std::uint64_t> next_run(const std::filesystem::path& data_dir);

}  // namespace etcetera::server
