#include "server/snapshot_state.h"

#include <memory>

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
    StatePieces pieces, const std::atomic<bool>* abandon) {
  auto writer = SnapshotWriter::create(dir, metadata);
  if (!writer) return std::unexpected(writer.error().message);
  auto append = [&](pb::SnapshotPart part) -> std::optional<std::string> {
    if (abandon != nullptr && abandon->load()) return "given up: stopping";
    if (auto ok = writer->append(part.SerializeAsString()); !ok) return ok.error().message;
    return std::nullopt;
  };
  pb::SnapshotPart registry;
  *registry.mutable_registry() = std::move(pieces.registry);
  if (auto failed = append(std::move(registry))) return std::unexpected(*failed);
  pb::SnapshotPart head;
  *head.mutable_kv()->mutable_head() = std::move(pieces.head);
  if (auto failed = append(std::move(head))) return std::unexpected(*failed);
  for (;;) {
    pb::SnapshotPart part;
    *part.mutable_kv()->mutable_records() = pieces.next_records();
    if (part.kv().records().records_size() == 0) break;
    if (auto failed = append(std::move(part))) return std::unexpected(*failed);
  }
  auto name = writer->finish();
  if (!name) return std::unexpected(name.error().message);
  return *name;
}

std::expected<std::string, std::string> write_state_snapshot(
    const std::filesystem::path& dir, const raft::pb::SnapshotMetadata& metadata,
    const kv::StateMachine& kv, const MemberRegistry& registry) {
  return write_state_snapshot(
      dir, metadata,
      StatePieces{registry.to_proto(), kv.snapshot_head(),
                  records_of(kv.store(), kv.store().revision())});
}

std::function<kv::pb::RecordBatch()> records_of(
    const kv::Store& store, kv::Revision upto,
    std::function<kv::pb::RecordBatch(const std::function<kv::pb::RecordBatch()>&)> read) {
  auto after = std::make_shared<kv::RevisionId>(kv::RevisionId{0, 0});
  return [&store, upto, after, read = std::move(read)] {
    auto step = [&] { return store.records_after(*after, upto, kPartBytes); };
    kv::pb::RecordBatch batch = read ? read(step) : step();
    if (batch.records_size() > 0) {
      const auto& last = *batch.records().rbegin();
      *after = kv::RevisionId{last.main(), last.sub()};
    }
    return batch;
  };
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
