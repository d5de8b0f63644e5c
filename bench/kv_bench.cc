// kv-bench: the speed and the memory of kv::Store, with Google Benchmark.
// docs/performance.md quotes the medians of `./run bench kv`.
//
// Keys are 16 bytes ("key/" and 12 digits, in the order of their number),
// values 32 bytes. Every write is followed by take_events(), as the apply
// layer does after each request, so that no benchmark keeps a growing list
// of watch events. Each timed operation includes building its request.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "kv/store.h"

namespace etcetera::kv {
namespace {

constexpr std::int64_t kMillion = 1'000'000;
const std::string kValue(32, 'v');

std::string key(std::int64_t i) {
  char text[17];
  std::snprintf(text, sizeof text, "key/%012lld", static_cast<long long>(i));
  return std::string(text, 16);
}

// The i-th of n numbers in a scattered order (a multiplier prime to n), so
// that reads do not walk the keys in order.
std::int64_t scatter(std::int64_t i, std::int64_t n) {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(i) * 2654435761u) %
                                   static_cast<std::uint64_t>(n));
}

void put(Store& store, std::int64_t i) {
  etcdserverpb::PutRequest r;
  r.set_key(key(i));
  r.set_value(kValue);
  auto response = store.put(r);
  benchmark::DoNotOptimize(response);
  benchmark::DoNotOptimize(store.take_events());
}

std::unique_ptr<Store> filled(std::int64_t keys) {
  auto store = std::make_unique<Store>();
  for (std::int64_t i = 0; i < keys; ++i)
    put(*store, i);
  return store;
}

// One million keys, each written once, shared by the read benchmarks (they
// do not change it) and built the first time one of them runs.
const Store& million() {
  static const std::unique_ptr<Store> store = filled(kMillion);
  return *store;
}

void count_ops(benchmark::State& state, double per_iteration = 1) {
  state.counters["ops"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * per_iteration, benchmark::Counter::kIsRate);
}

// Puts of keys the store has never seen, in key order, into a store that
// grows by one key per iteration.
void BM_PutNewKey(benchmark::State& state) {
  Store store;
  std::int64_t i = 0;
  for (auto _ : state)
    put(store, i++);
  count_ops(state);
}
BENCHMARK(BM_PutNewKey);

// Puts that overwrite keys of a store of state.range(0) keys, in a
// scattered order: each adds a version to an existing key.
void BM_PutOverwrite(benchmark::State& state) {
  const std::int64_t keys = state.range(0);
  auto store = filled(keys);
  std::int64_t i = 0;
  for (auto _ : state)
    put(*store, scatter(i++, keys));
  count_ops(state);
}
BENCHMARK(BM_PutOverwrite)->Arg(100'000);

// A range of one key, among one million, at the current revision.
void BM_RangeOneKeyOf1M(benchmark::State& state) {
  const Store& store = million();
  std::vector<std::string> keys;
  for (std::int64_t i = 0; i < (1 << 16); ++i)
    keys.push_back(key(scatter(i, kMillion)));
  etcdserverpb::RangeRequest r;
  std::size_t i = 0;
  for (auto _ : state) {
    r.set_key(keys[i++ % keys.size()]);
    auto response = store.range(r);
    benchmark::DoNotOptimize(response);
  }
  count_ops(state);
}
BENCHMARK(BM_RangeOneKeyOf1M);

// A range of a prefix that holds 100 of the million keys ("key/" and the
// first 10 digits), with their values.
void BM_RangePrefix100Of1M(benchmark::State& state) {
  const Store& store = million();
  etcdserverpb::RangeRequest r;
  std::int64_t i = 0;
  for (auto _ : state) {
    const std::string prefix = key(scatter(i++, kMillion / 100) * 100).substr(0, 14);
    r.set_key(prefix);
    r.set_range_end(prefix_end(prefix));
    auto response = store.range(r);
    benchmark::DoNotOptimize(response);
  }
  count_ops(state);
  state.counters["keys"] = benchmark::Counter(static_cast<double>(state.iterations()) * 100,
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RangePrefix100Of1M);

// Compare-and-swap on one key: a txn that puts the key if its mod revision
// is still the one last seen; every swap wins and takes a revision.
void BM_TxnCompareAndSwap(benchmark::State& state) {
  Store store;
  put(store, 0);
  etcdserverpb::TxnRequest txn;
  etcdserverpb::Compare* compare = txn.add_compare();
  compare->set_key(key(0));
  compare->set_target(etcdserverpb::Compare::MOD);
  compare->set_result(etcdserverpb::Compare::EQUAL);
  etcdserverpb::PutRequest* swap = txn.add_success()->mutable_request_put();
  swap->set_key(key(0));
  swap->set_value(kValue);
  Revision seen = store.revision();
  for (auto _ : state) {
    compare->set_mod_revision(seen);
    auto response = store.txn(txn);
    if (!response || !response->succeeded()) {
      state.SkipWithError("a swap lost");
      break;
    }
    seen = response->header().revision();
    benchmark::DoNotOptimize(store.take_events());
  }
  count_ops(state);
}
BENCHMARK(BM_TxnCompareAndSwap);

// Heap bytes in use: small blocks and the large ones malloc maps apart.
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// The heap a fresh store takes for one million keys, each written
// state.range(0) times (1: one version per key; 2: each overwritten once, so
// two versions are kept). The time is that of the writes.
void BM_MemoryOf1MKeys(benchmark::State& state) {
  const std::int64_t versions = state.range(0);
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto store = std::make_unique<Store>();
    for (std::int64_t v = 0; v < versions; ++v) {
      for (std::int64_t i = 0; i < kMillion; ++i)
        put(*store, i);
    }
    const std::size_t after = heap_in_use();
    state.counters["bytes_per_key"] =
        static_cast<double>(after - before) / static_cast<double>(kMillion);
    state.counters["records"] = static_cast<double>(store->record_count());
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_MemoryOf1MKeys)
    ->ArgName("versions")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace etcetera::kv

BENCHMARK_MAIN();
