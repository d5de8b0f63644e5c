// etcetera: one etcd member (docs/server.md). etcd's flag names where they
// apply; with no flags, a single-node cluster on 127.0.0.1:2379 (clients)
// and :2380 (peers) with its data in ./default.etcetera.
//
// Exit codes: 0 after a clean shutdown (SIGINT, SIGTERM), 1 when the member
// cannot start (its data dir, its peer address), 2 for bad flags.
#include <csignal>
#include <iostream>

#include <boost/program_options.hpp>

#include "server/client_api.h"
#include "server/member.h"

namespace po = boost::program_options;
using namespace etcetera::server;

namespace {

struct Parsed {
  MemberOptions member;
  std::string listen_client;  // host:port
};

std::expected<Parsed, std::string> parse(const po::variables_map& vm) {
  Parsed p;
  MemberOptions& o = p.member;
  o.name = vm["name"].as<std::string>();
  o.data_dir = vm.count("data-dir") ? vm["data-dir"].as<std::string>() : o.name + ".etcetera";

  auto listen_client = parse_urls(vm["listen-client-urls"].as<std::string>());
  if (!listen_client) return std::unexpected("--listen-client-urls: " + listen_client.error());
  p.listen_client = *host_port_of(listen_client->front());
  auto advertise =
      parse_urls(vm.count("advertise-client-urls") ? vm["advertise-client-urls"].as<std::string>()
                                                   : vm["listen-client-urls"].as<std::string>());
  if (!advertise) return std::unexpected("--advertise-client-urls: " + advertise.error());
  o.advertise_client_urls = *advertise;

  auto listen_peer = parse_urls(vm["listen-peer-urls"].as<std::string>());
  if (!listen_peer) return std::unexpected("--listen-peer-urls: " + listen_peer.error());
  o.listen_peer = *host_port_of(listen_peer->front());
  auto advertise_peer = parse_urls(vm["initial-advertise-peer-urls"].as<std::string>());
  if (!advertise_peer)
    return std::unexpected("--initial-advertise-peer-urls: " + advertise_peer.error());

  const std::string cluster = vm.count("initial-cluster") ? vm["initial-cluster"].as<std::string>()
                                                          : o.name + "=" + advertise_peer->front();
  auto initial = parse_initial_cluster(cluster);
  if (!initial) return std::unexpected(initial.error());
  o.initial_cluster = *initial;

  const std::string state = vm["initial-cluster-state"].as<std::string>();
  if (state != "new" && state != "existing")
    return std::unexpected("--initial-cluster-state must be new or existing, not '" + state + "'");
  o.initial_cluster_state_new = state == "new";
  o.heartbeat_interval_ms = vm["heartbeat-interval"].as<int>();
  o.election_timeout_ms = vm["election-timeout"].as<int>();
  o.snapshot_count = vm["snapshot-count"].as<std::uint64_t>();
  if (vm.count("trace-file")) o.trace_file = vm["trace-file"].as<std::string>();
  if (auto ok = validate(o); !ok) return std::unexpected(ok.error());
  return p;
}

// A member that stopped serving for good exits, as etcd's does: 0 when the
// cluster removed it (restarting it would not help), 1 when its disk failed.
int exit_stopped(Member& member, const MemberOptions& o, const ApiError& why) {
  member.stop();
  if (why.message == removed_member().message) {
    std::cerr << "etcetera: " << o.name << " exits: " << why.message << "\n"
              << "etcetera: its data dir " << o.data_dir.string()
              << " is a removed member's; remove it before this machine joins the cluster again "
                 "(member add, then --initial-cluster-state existing)\n";
    return 0;
  }
  std::cerr << "etcetera: " << o.name << " exits: " << why.message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description flags("etcetera: one member of an etcd-compatible cluster");
  // clang-format off
  flags.add_options()
    ("help", "this text")
    ("name", po::value<std::string>()->default_value("default"), "human-readable name of this member")
    ("data-dir", po::value<std::string>(), "where the WAL and snapshots live (default: <name>.etcetera)")
    ("listen-client-urls", po::value<std::string>()->default_value("http://127.0.0.1:2379"), "URL to serve clients on")
    ("advertise-client-urls", po::value<std::string>(), "client URLs told to the cluster (default: --listen-client-urls)")
    ("listen-peer-urls", po::value<std::string>()->default_value("http://127.0.0.1:2380"), "URL to serve peers on")
    ("initial-advertise-peer-urls", po::value<std::string>()->default_value("http://127.0.0.1:2380"), "this member's peer URL, as the others reach it")
    ("initial-cluster", po::value<std::string>(), "name=peer-url,... of every member (default: <name>=<initial-advertise-peer-urls>)")
    ("initial-cluster-state", po::value<std::string>()->default_value("new"), "new or existing")
    ("heartbeat-interval", po::value<int>()->default_value(100), "ms between heartbeats (one raft tick)")
    ("election-timeout", po::value<int>()->default_value(1000), "ms without a leader before an election")
    ("snapshot-count", po::value<std::uint64_t>()->default_value(10000), "applied entries between snapshots")
    ("trace-file", po::value<std::string>(), "append raft's trace here, one JSON event a line");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "etcetera: " << e.what() << "\n(etcetera --help lists the flags)\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << flags << "\n";
    return 0;
  }
  auto parsed = parse(vm);
  if (!parsed) {
    std::cerr << "etcetera: " << parsed.error() << "\n";
    return 2;
  }

  // SIGINT and SIGTERM are taken by sigwait below, on this thread only:
  // blocked before any thread starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto member = Member::open(parsed->member);
  if (!member) {
    std::cerr << "etcetera: " << member.error() << "\n";
    return 1;
  }
  for (const auto& note : (*member)->recovery_notes())
    std::cerr << "etcetera: recovery: " << note << "\n";
  if (auto ok = (*member)->start(); !ok) {
    std::cerr << "etcetera: " << ok.error() << "\n";
    return 1;
  }
  const MemberOptions& o = parsed->member;
  std::cerr << "etcetera: member " << o.name << " (id " << std::hex << (*member)->id() << std::dec
            << ") peers on " << o.listen_peer << ", data in " << o.data_dir.string() << "\n";
  // Like etcd, clients are served once this member has published its name
  // and client URLs through raft (a leader is needed for that).
  const timespec poll{0, 50'000'000};
  for (int signal = 0; !(*member)->published();) {
    if (auto why = (*member)->stopped_serving()) return exit_stopped(**member, o, *why);
    signal = sigtimedwait(&signals, nullptr, &poll);
    if (signal == SIGINT || signal == SIGTERM) {
      std::cerr << "etcetera: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
                << " before serving clients, shutting down\n";
      (*member)->stop();
      return 0;
    }
  }
  auto api = serve_client_api(**member, parsed->listen_client);
  if (!api) {  // etcd too exits when it cannot listen for clients
    std::cerr << "etcetera: " << api.error() << "\n";
    (*member)->stop();
    return 1;
  }
  std::cerr << "etcetera: serving clients on " << parsed->listen_client << "\n";

  for (;;) {
    const int signal = sigtimedwait(&signals, nullptr, &poll);
    if (signal == SIGINT || signal == SIGTERM) {
      std::cerr << "etcetera: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down\n";
      (*api)->shutdown();
      (*member)->stop();
      return 0;
    }
    if (auto why = (*member)->stopped_serving()) {
      (*api)->shutdown();
      return exit_stopped(**member, o, *why);
    }
  }
}
