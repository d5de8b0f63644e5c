// Any bytes as a member's newest snapshot file: loading verifies it or
// skips it with a reason, and a snapshot that loads restores the store and
// the registry from it, or says why not.
#include <fstream>

#include "fuzz/fuzz_target.h"
#include "fuzz/scratch_dir.h"
#include "server/disk/snapshot_file.h"
#include "server/disk/snapshot_stream.h"
#include "server/snapshot_state.h"

using namespace etcetera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fuzz::ScratchDir dir;
  const auto file = dir.path() / server::snapshot_file_name(1, 5);
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto loaded = server::load_newest_snapshot(dir.path());
  if (loaded && loaded->snapshot) {
    kv::StateMachine state;
    if (auto name = server::snapshot_file_of(loaded->snapshot->data()))
      (void)server::read_state_snapshot(dir.path() / *name, state);
    else
      (void)server::read_inline_state(loaded->snapshot->data(), state);
    (void)state.snapshot();  // whatever was restored reads back
  }
  std::filesystem::remove(file);
  return 0;
}
