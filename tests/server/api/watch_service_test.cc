// The Watch service over gRPC: a stream receives its watch's creation, the
// events of later writes, and its cancellation.
#include <catch2/catch.hpp>

#include "tests/server/api/test_server.h"

using namespace etcdserverpb;
using etcetera::server::testing::TestServer;

TEST_CASE("a watch stream receives create, events and cancel") {
  TestServer s;
  auto context = TestServer::context();
  auto stream = s.watch->Watch(context.get());

  WatchRequest create;
  create.mutable_create_request()->set_key("w");
  REQUIRE(stream->Write(create));
  WatchResponse created;
  REQUIRE(stream->Read(&created));
  CHECK(created.created());
  CHECK(created.header().member_id() != 0);
  const std::int64_t id = created.watch_id();

  s.put("w", "1");
  s.put("other", "x");
  s.put("w", "2");
  std::vector<std::string> values;
  while (values.size() < 2) {
    WatchResponse events;
    REQUIRE(stream->Read(&events));
    CHECK(events.watch_id() == id);
    for (const auto& e : events.events()) {
      CHECK(e.type() == mvccpb::Event::PUT);
      values.push_back(e.kv().value());
    }
  }
  CHECK(values == std::vector<std::string>{"1", "2"});

  WatchRequest cancel;
  cancel.mutable_cancel_request()->set_watch_id(id);
  REQUIRE(stream->Write(cancel));
  WatchResponse canceled;
  REQUIRE(stream->Read(&canceled));
  CHECK(canceled.canceled());
  CHECK(canceled.watch_id() == id);

  stream->WritesDone();
  CHECK(stream->Finish().ok());
}

TEST_CASE("a watch from a past revision replays the history first") {
  TestServer s;
  s.put("h", "1");  // revision 2
  s.put("h", "2");  // revision 3
  auto context = TestServer::context();
  auto stream = s.watch->Watch(context.get());
  WatchRequest create;
  create.mutable_create_request()->set_key("h");
  create.mutable_create_request()->set_start_revision(2);
  REQUIRE(stream->Write(create));
  std::vector<std::int64_t> revisions;
  while (revisions.size() < 2) {
    WatchResponse r;
    REQUIRE(stream->Read(&r));
    for (const auto& e : r.events())
      revisions.push_back(e.kv().mod_revision());
  }
  CHECK(revisions == std::vector<std::int64_t>{2, 3});
  stream->WritesDone();
  CHECK(stream->Finish().ok());
}

TEST_CASE("a client that goes away mid-stream ends the call cleanly") {
  TestServer s;
  {
    auto context = TestServer::context();
    auto stream = s.watch->Watch(context.get());
    WatchRequest create;
    create.mutable_create_request()->set_key("gone");
    REQUIRE(stream->Write(create));
    WatchResponse created;
    REQUIRE(stream->Read(&created));
    context->TryCancel();
  }
  s.put("gone", "1");  // the sink of the closed stream is not called
  CHECK(s.last.ok());
}

TEST_CASE("shutdown ends an open watch stream") {
  TestServer s;
  auto context = TestServer::context();
  auto stream = s.watch->Watch(context.get());
  WatchRequest create;
  create.mutable_create_request()->set_key("open");
  REQUIRE(stream->Write(create));
  WatchResponse created;
  REQUIRE(stream->Read(&created));
  s.server.shutdown();  // returns only once the call has ended
  WatchResponse none;
  CHECK_FALSE(stream->Read(&none));
  stream->Finish();
}
