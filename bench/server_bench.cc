// server-bench: a load of etcd clients on a running cluster, for the
// side-by-side figures of docs/performance.md ("The server").
//
//   server-bench ENDPOINT[,ENDPOINT...] [--clients N] [--seconds S] [--value-bytes B]
//                [--op put|get] [--label TEXT]
//
// Each client is a thread with its own gRPC channel to one endpoint (round
// robin), sending one request at a time (a closed loop, as etcd's own
// benchmark tool does with --conns = --clients): a Put of a key of its own
// range, or a linearizable Range of one key. It prints one line: requests
// per second, and the latency's median, 90th and 99th percentiles. Any
// failed request is counted and reported; the run exits 1 if one failed.
//
// It speaks etcd's API only, so it measures etcd and etcetera alike.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/api/etcd_services.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> endpoints;
  int clients = 16;
  double seconds = 5;
  int value_bytes = 256;
  std::string op = "put";
  std::string label;
};

constexpr const char* kUsage =
    "usage: server-bench ENDPOINT[,ENDPOINT...] [--clients N] [--seconds S] [--value-bytes B]\n"
    "                    [--op put|get] [--label TEXT]\n";

bool parse_int(const std::string& s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out > 0;
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--clients" && has_value) {
      if (!parse_int(argv[++i], o.clients)) return std::nullopt;
    } else if (arg == "--value-bytes" && has_value) {
      if (!parse_int(argv[++i], o.value_bytes)) return std::nullopt;
    } else if (arg == "--seconds" && has_value) {
      int s = 0;
      if (!parse_int(argv[++i], s)) return std::nullopt;
      o.seconds = s;
    } else if (arg == "--op" && has_value) {
      o.op = argv[++i];
      if (o.op != "put" && o.op != "get") return std::nullopt;
    } else if (arg == "--label" && has_value) {
      o.label = argv[++i];
    } else if (arg.starts_with("--") || !o.endpoints.empty()) {
      return std::nullopt;
    } else {
      for (std::size_t at = 0; at <= arg.size();) {
        const auto comma = std::min(arg.find(',', at), arg.size());
        if (comma > at) o.endpoints.push_back(arg.substr(at, comma - at));
        at = comma + 1;
      }
    }
  }
  if (o.endpoints.empty()) return std::nullopt;
  return o;
}

struct ClientResult {
  std::vector<double> latencies_ms;
  std::uint64_t failures = 0;
  std::string first_failure;
};

void run_client(const Options& o, int index, Clock::time_point until, ClientResult& out) {
  auto channel =
      grpc::CreateChannel(o.endpoints[static_cast<std::size_t>(index) % o.endpoints.size()],
                          grpc::InsecureChannelCredentials());
  auto kv = etcdserverpb::KV::NewStub(channel);
  const std::string value(static_cast<std::size_t>(o.value_bytes), 'v');
  const std::string prefix = "bench/" + std::to_string(index) + "/";
  std::uint64_t n = 0;
  while (Clock::now() < until) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status;
    const auto start = Clock::now();
    if (o.op == "put") {
      etcdserverpb::PutRequest put;
      put.set_key(prefix + std::to_string(n++ % 1000));
      put.set_value(value);
      etcdserverpb::PutResponse response;
      status = kv->Put(&context, put, &response);
    } else {
      etcdserverpb::RangeRequest range;
      range.set_key(prefix + "0");
      etcdserverpb::RangeResponse response;
      status = kv->Range(&context, range, &response);
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (status.ok()) {
      out.latencies_ms.push_back(ms);
    } else if (out.failures++ == 0) {
      out.first_failure = status.error_message();
    }
  }
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[at];
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const Options& o = *options;
  // A key per client so that a get has something to read.
  if (o.op == "get") {
    for (int i = 0; i < o.clients; ++i) {
      auto kv = etcdserverpb::KV::NewStub(
          grpc::CreateChannel(o.endpoints[static_cast<std::size_t>(i) % o.endpoints.size()],
                              grpc::InsecureChannelCredentials()));
      grpc::ClientContext context;
      etcdserverpb::PutRequest put;
      put.set_key("bench/" + std::to_string(i) + "/0");
      put.set_value(std::string(static_cast<std::size_t>(o.value_bytes), 'v'));
      etcdserverpb::PutResponse response;
      if (auto s = kv->Put(&context, put, &response); !s.ok()) {
        std::fprintf(stderr, "server-bench: cannot write the keys to read: %s\n",
                     s.error_message().c_str());
        return 1;
      }
    }
  }
  std::vector<ClientResult> results(static_cast<std::size_t>(o.clients));
  std::vector<std::thread> threads;
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(o.seconds));
  const auto start = Clock::now();
  for (int i = 0; i < o.clients; ++i)
    threads.emplace_back(run_client, std::cref(o), i, until,
                         std::ref(results[static_cast<std::size_t>(i)]));
  for (auto& t : threads)
    t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  std::uint64_t failures = 0;
  std::string first_failure;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    failures += r.failures;
    if (first_failure.empty()) first_failure = r.first_failure;
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "%-10s %-4s clients=%-3d %8.0f req/s   p50 %6.2f ms   p90 %6.2f ms   p99 %6.2f ms   failed "
      "%llu\n",
      o.label.c_str(), o.op.c_str(), o.clients, static_cast<double>(all.size()) / elapsed,
      percentile(all, 0.5), percentile(all, 0.9), percentile(all, 0.99),
      static_cast<unsigned long long>(failures));
  if (failures > 0) {
    std::fprintf(stderr, "server-bench: %llu requests failed; the first: %s\n",
                 static_cast<unsigned long long>(failures), first_failure.c_str());
    return 1;
  }
  return 0;
}
