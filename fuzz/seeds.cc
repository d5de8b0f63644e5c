// fuzz-seeds OUT_DIR: the seed corpus of every fuzz target, made by the
// project's own code the way the tests make their data: a WAL and snapshot
// files written by the disk layer, raft messages and requests as members and
// clients send them, a simulator trace, client histories. One directory per
// target under OUT_DIR. Nothing here is kept in the repository; ./run fuzz
// and the suite make it afresh.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "kv/state_machine.h"
#include "raft/trace.h"
#include "server/disk/durable_storage.h"
#include "server/disk/snapshot_file.h"
#include "server/disk/snapshot_stream.h"
#include "server/membership.pb.h"
#include "server/snapshot_state.h"
#include "sim/kv_run.h"

namespace {

using namespace etcetera;
namespace fs = std::filesystem;

class Corpus {
 public:
  Corpus(const fs::path& root, const std::string& target) : dir_(root / target) {
    fs::create_directories(dir_);
  }
  void add(const std::string& bytes) {
    std::ofstream(dir_ / ("seed-" + std::to_string(n_++)), std::ios::binary) << bytes;
  }
  void add(char prefix, const std::string& bytes) { add(std::string(1, prefix) + bytes); }

 private:
  fs::path dir_;
  int n_ = 0;
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

etcdserverpb::TxnRequest nested_txn(int depth) {
  etcdserverpb::TxnRequest t;
  auto* cmp = t.add_compare();
  cmp->set_key("a");
  cmp->set_target(etcdserverpb::Compare::VALUE);
  cmp->set_value("1");
  t.add_success()->mutable_request_put()->set_key("a");
  t.add_failure()->mutable_request_range()->set_key("b");
  for (int d = 1; d < depth; ++d) {
    etcdserverpb::TxnRequest outer;
    *outer.add_success()->mutable_request_txn() = t;
    t = outer;
  }
  return t;
}

std::vector<kv::pb::Request> writes() {
  std::vector<kv::pb::Request> out(7);
  out[0].mutable_put()->set_key("a");
  out[0].mutable_put()->set_value("1");
  out[0].mutable_put()->set_prev_kv(true);
  out[1].mutable_delete_range()->set_key("a");
  out[1].mutable_delete_range()->set_range_end("z");
  *out[2].mutable_txn() = nested_txn(3);
  out[3].mutable_compaction()->set_revision(2);
  out[4].mutable_lease_grant()->set_ttl(30);
  out[5].mutable_lease_revoke()->set_id(7);
  out[6] = out[0];
  out[6].set_proposer(9);
  out[6].set_id(1ULL << 40);
  out[6].set_settled_below(1ULL << 40);
  return out;
}

void add_history(kv::StateMachine& state) {
  std::uint64_t index = 0;
  for (const auto& w : writes()) {
    raft::pb::Entry e;
    e.set_index(++index);
    e.set_term(1);
    e.set_data(kv::encode(w));
    (void)state.apply(e);
  }
}

void wal_segments(const fs::path& root, const fs::path& scratch) {
  Corpus corpus(root, "wal_segment");
  auto d = server::DurableStorage::open(scratch / "wal");
  if (!d) return;
  std::uint64_t index = 0;
  for (const auto& w : writes()) {
    raft::pb::Entry e;
    e.set_index(++index);
    e.set_term(1);
    e.set_data(kv::encode(w));
    raft::pb::HardState hs;
    hs.set_term(1);
    hs.set_vote(1);
    hs.set_commit(index);
    (void)d->persist(hs, std::span(&e, 1));
    (void)d->sync();
  }
  raft::pb::Snapshot snapshot;
  snapshot.mutable_metadata()->set_index(4);
  snapshot.mutable_metadata()->set_term(1);
  snapshot.mutable_metadata()->mutable_conf_state()->add_voters(1);
  snapshot.set_data("inline state");
  (void)d->compact(snapshot);
  for (const auto& f : fs::directory_iterator(d->wal_dir()))
    if (f.path().extension() == ".wal") corpus.add(read(f.path()));
}

void snapshot_files(const fs::path& root, const fs::path& scratch) {
  Corpus corpus(root, "snapshot_file");
  const fs::path dir = scratch / "snap";
  fs::create_directories(dir);
  raft::pb::SnapshotMetadata meta;
  meta.set_index(5);
  meta.set_term(1);
  meta.mutable_conf_state()->add_voters(1);
  kv::StateMachine state;
  add_history(state);
  server::MemberRegistry registry;
  if (auto name = server::write_state_snapshot(dir, meta, state, registry))
    corpus.add(read(dir / *name));
  // Format 1: the whole raft snapshot in one record, its data inline.
  raft::pb::Snapshot whole;
  *whole.mutable_metadata() = meta;
  server::pb::SnapshotData data;
  data.set_version(1);
  data.set_kv(state.snapshot());
  whole.set_data(data.SerializeAsString());
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (server::save_snapshot(dir, whole)) corpus.add(read(dir / server::snapshot_file_name(1, 5)));
}

void peer_messages(const fs::path& root) {
  Corpus corpus(root, "peer_message");
  raft::pb::Message m;
  m.set_from(2);
  m.set_to(1);
  m.set_term(2);
  m.set_type(raft::pb::REQUEST_VOTE_REQUEST);
  corpus.add('\0', m.SerializeAsString());
  m.set_type(raft::pb::APPEND_ENTRIES_REQUEST);
  m.set_index(0);
  m.set_commit(1);
  for (const auto& w : writes()) {
    auto* e = m.add_entries();
    e->set_term(2);
    e->set_index(static_cast<std::uint64_t>(m.entries_size()));
    e->set_data(kv::encode(w));
  }
  corpus.add('\0', m.SerializeAsString());
  m.clear_entries();
  m.set_type(raft::pb::HEARTBEAT_REQUEST);
  m.set_context("read-1");
  corpus.add('\0', m.SerializeAsString());
  m.set_type(raft::pb::INSTALL_SNAPSHOT_REQUEST);
  m.mutable_snapshot()->mutable_metadata()->set_index(9);
  m.mutable_snapshot()->mutable_metadata()->set_term(2);
  m.mutable_snapshot()->mutable_metadata()->mutable_conf_state()->add_voters(1);
  kv::StateMachine state;
  add_history(state);
  m.mutable_snapshot()->set_data(state.snapshot());
  corpus.add('\0', m.SerializeAsString());
  for (const auto& w : writes())
    corpus.add('\1', w.SerializeAsString());
}

void client_requests(const fs::path& root) {
  Corpus corpus(root, "client_request");
  etcdserverpb::RangeRequest range;
  range.set_key("a");
  range.set_range_end("z");
  range.set_sort_target(etcdserverpb::RangeRequest::MOD);
  range.set_limit(1);
  corpus.add('\0', range.SerializeAsString());
  const auto w = writes();
  corpus.add('\1', w[0].put().SerializeAsString());
  corpus.add('\2', w[1].delete_range().SerializeAsString());
  corpus.add('\3', w[2].txn().SerializeAsString());
  corpus.add('\3', nested_txn(128).SerializeAsString());
  corpus.add('\4', w[3].compaction().SerializeAsString());
  corpus.add('\5', w[4].lease_grant().SerializeAsString());
  corpus.add('\6', w[5].lease_revoke().SerializeAsString());
  etcdserverpb::WatchRequest watch;
  watch.mutable_create_request()->set_key("a");
  watch.mutable_create_request()->set_start_revision(1);
  watch.mutable_create_request()->set_prev_kv(true);
  corpus.add('\7', watch.SerializeAsString());
}

void traces_and_histories(const fs::path& root) {
  Corpus traces(root, "trace_reader");
  Corpus histories(root, "history");
  std::ostringstream trace;
  raft::JsonLinesSink sink(trace);
  sim::KvRunOptions o;
  o.schedule.seed = 3;
  o.schedule.profile = "crashes";
  o.steps = 60;
  o.workload.clients = 3;
  const auto run = sim::run_kv(o, &sink);
  std::istringstream lines(trace.str());
  std::string chunk, line;
  for (int n = 0; std::getline(lines, line); ++n) {
    chunk += line + "\n";
    if (n % 10 == 9) {  // small seeds: libFuzzer's inputs stay as small
      traces.add(chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty()) traces.add(chunk);
  histories.add('\0', run.history.to_json_lines());
  histories.add('\1',
                "INFO  jepsen.util - 0\t:invoke\t:write\t4\n"
                "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
                "INFO  jepsen.util - 0\t:ok\t:write\t4\n"
                "INFO  jepsen.util - 2\t:invoke\t:cas\t[4 1]\n"
                "INFO  jepsen.util - 1\t:ok\t:read\t4\n"
                "INFO  jepsen.util - 2\t:fail\t:cas\t[4 1]\n");
  histories.add('\2',
                "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
                "{:process 1, :type :invoke, :f :get, :key \"0\", :value nil}\n"
                "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
                "{:process 1, :type :ok, :f :get, :key \"0\", :value \"x 0 0 y\"}\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz-seeds OUT_DIR\n");
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path scratch = root / ".scratch";
  fs::remove_all(scratch);
  wal_segments(root, scratch);
  snapshot_files(root, scratch);
  peer_messages(root);
  client_requests(root);
  traces_and_histories(root);
  fs::remove_all(scratch);
  return 0;
}
