// A FakeBackend served by a real ApiServer on 127.0.0.1 (a free port), and
// etcd's generated stubs connected to it: the services are tested the way
// etcd's clients use them, over gRPC.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "server/api/api_server.h"
#include "server/api/etcd_services.grpc.pb.h"
#include "tests/server/api/fake_backend.h"

namespace etcetera::server::testing {

struct TestServer {
  TestServer() {
    if (!server.start("127.0.0.1:0")) throw std::runtime_error("cannot listen on 127.0.0.1");
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()),
                                       grpc::InsecureChannelCredentials());
    kv = etcdserverpb::KV::NewStub(channel);
    watch = etcdserverpb::Watch::NewStub(channel);
    lease = etcdserverpb::Lease::NewStub(channel);
    cluster = etcdserverpb::Cluster::NewStub(channel);
    maintenance = etcdserverpb::Maintenance::NewStub(channel);
  }

  // A client context with a deadline, so that a broken service fails the
  // test instead of hanging it.
  static std::unique_ptr<grpc::ClientContext> context() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return c;
  }

  etcdserverpb::PutResponse put(const std::string& key, const std::string& value,
                                std::int64_t lease_id = 0) {
    etcdserverpb::PutRequest r;
    r.set_key(key);
    r.set_value(value);
    r.set_lease(lease_id);
    etcdserverpb::PutResponse response;
    last = kv->Put(context().get(), r, &response);
    return response;
  }

  FakeBackend backend;
  api::ApiServer server{backend};
  std::unique_ptr<etcdserverpb::KV::Stub> kv;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  std::unique_ptr<etcdserverpb::Cluster::Stub> cluster;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
  grpc::Status last;  // the status of the last helper call
};

}  // namespace etcetera::server::testing
