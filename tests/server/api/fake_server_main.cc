// etcetera-fake-server [PORT]: serves etcd's gRPC API over a FakeBackend on
// 127.0.0.1 (PORT 0 or none: a free port), for end-to-end tests with etcd's
// own clients. Prints the port on its first line; stops on SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/api/api_server.h"
#include "tests/server/api/fake_backend.h"

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "0";
  // Blocked before gRPC starts its threads, so that only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  etcetera::server::testing::FakeBackend backend;
  etcetera::server::api::ApiServer server(backend);
  if (!server.start("127.0.0.1:" + port)) {
    std::fprintf(stderr, "etcetera-fake-server: cannot listen on 127.0.0.1:%s\n", port.c_str());
    return 1;
  }
  backend.set_client_url("http://127.0.0.1:" + std::to_string(server.port()));
  std::printf("%d\n", server.port());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop, &signal);
  server.shutdown();
  return 0;
}
