#include "server/snapshot_state.h"

#include "kv/decode.h"
#include "server/disk/snapshot_stream.h"
#include "server/membership.pb.h"

namespace etcetera::server {

namespace {

// What the store's batches weigh, about: the size of the records a part holds.
constexpr std::size_t kPartBytes = 1 << 20;

}  // namespace

std::expected<std::string, std::string> write_state_snapshot(
    const std::filesystem::path& dir, const raft::pb::SnapshotMetadata& metadata,
    const kv::StateMachine& kv, const MemberRegistry& registry, const std::atomic<bool>* abandon) {
  auto writer = SnapshotWriter::create(dir, metadata);
  if (!writer) return std::unexpected(writer.error().message);
  pb::SnapshotPart first;
  *first.mutable_registry() = registry.to_proto();
  std::optional<std::string> failed;
  if (auto ok = writer->append(first.SerializeAsString()); !ok) failed = ok.error().message;
  kv.write_snapshot(
      [&](kv::pb::SnapshotPart kv_part) {
        if (!failed && abandon != nullptr && abandon->load()) failed = "given up: stopping";
        if (failed) return;
        pb::SnapshotPart part;
        *part.mutable_kv() = std::move(kv_part);
        if (auto ok = writer->append(part.SerializeAsString()); !ok) failed = ok.error().message;
      },
      kPartBytes);
  if (failed) return std::unexpected(*failed);
  auto name = writer->finish();
  if (!name) return std::unexpected(name.error().message);
  return *name;
}

std::expected<MemberRegistry, std::string> read_state_snapshot(const std::filesystem::path& path,
                                                               kv::StateMachine& kv) {
  auto reader = SnapshotReader::open(path);
  if (!reader) return std::unexpected(reader.error().message);
  if (reader->inline_snapshot()) {
    auto registry = read_inline_state(reader->inline_snapshot()->data(), kv);
    if (!registry) return std::unexpected(registry.error());
    if (!*registry) return std::unexpected(path.string() + " holds no member registry");
    return std::move(**registry);
  }
  auto first = reader->next();
  if (!first) return std::unexpected(first.error().message);
  pb::SnapshotPart registry;
  if (!*first || !kv::decode(registry, **first) || !registry.has_registry())
    return std::unexpected(path.string() + " does not start with the member registry");
  std::string failure;
  auto ok = kv.restore_parts([&]() -> kv::Result<std::optional<kv::pb::SnapshotPart>> {
    auto next = reader->next();
    if (!next) {
      failure = next.error().message;
      return kv::fail(kv::Error::Code::kCorrupt, failure);
    }
    if (!*next) return std::nullopt;
    pb::SnapshotPart part;
    if (!kv::decode(part, **next) || !part.has_kv())
      return kv::fail(kv::Error::Code::kCorrupt, path.string() + ": a part that is not the store's");
    return std::move(*part.mutable_kv());
  });
  if (!ok) return std::unexpected(failure.empty() ? ok.error().message : failure);
  return MemberRegistry::from_proto(registry.registry());
}

std::expected<std::optional<MemberRegistry>, std::string> read_inline_state(
    const std::string& bytes, kv::StateMachine& kv) {
  pb::SnapshotData d;
  if (kv::decode(d, bytes) && d.version() == 1) {
    if (auto ok = kv.restore(d.kv()); !ok) return std::unexpected(ok.error().message);
    return MemberRegistry::from_proto(d.registry());
  }
  // A store snapshot alone, from before the registry was kept.
  if (auto ok = kv.restore(bytes); !ok) return std::unexpected(ok.error().message);
  return std::nullopt;
}

}  // namespace etcetera::server
