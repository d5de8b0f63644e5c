// Any bytes as the one WAL segment of a data dir. Recovery rebuilds a log
// from them or says why not, naming the file; what it rebuilds is a log
// (consecutive entries after the snapshot mark), and opening changes
// nothing on disk.
#include <fstream>

#include "fuzz/fuzz_target.h"
#include "fuzz/scratch_dir.h"
#include "server/disk/durable_storage.h"

using namespace etcetera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fuzz::ScratchDir dir;
  const auto wal = dir.path() / "member" / "wal";
  std::filesystem::create_directories(wal);
  std::filesystem::create_directories(dir.path() / "member" / "snap");
  const auto segment = wal / "0000000000000000-0000000000000001.wal";
  {
    std::ofstream out(segment, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  server::DurableOptions options;
  options.repair_at_open = false;
  if (auto d = server::DurableStorage::open(dir.path(), options)) {
    const raft::MemoryStorage& s = d->storage();
    if (s.last_index() + 1 < s.first_index()) __builtin_trap();
    if (std::filesystem::file_size(segment) != size) __builtin_trap();  // opening cut nothing
  }
  std::filesystem::remove_all(wal);
  return 0;
}
