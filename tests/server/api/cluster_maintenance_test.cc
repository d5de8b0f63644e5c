// The Cluster and Maintenance services over gRPC: the member list and its
// changes, status, hashes, alarms, defragment and the snapshot stream.
#include <openssl/sha.h>

#include <catch2/catch.hpp>

#include "kv/state_machine.h"
#include "server/api/snapshot_padding.h"
#include "tests/server/api/test_server.h"

using namespace etcdserverpb;
using etcetera::server::testing::FakeBackend;
using etcetera::server::testing::TestServer;

TEST_CASE("member list names the member") {
  TestServer s;
  MemberListResponse list;
  REQUIRE(s.cluster->MemberList(TestServer::context().get(), {}, &list).ok());
  REQUIRE(list.members_size() == 1);
  CHECK(list.members(0).id() == FakeBackend::kMemberId);
  CHECK(list.members(0).name() == "default");
  CHECK(list.header().cluster_id() == FakeBackend::kClusterId);
}

TEST_CASE("member add, update, promote and remove") {
  TestServer s;
  MemberAddRequest add;
  add.add_peerurls("http://127.0.0.1:2381");
  add.set_islearner(true);
  MemberAddResponse added;
  REQUIRE(s.cluster->MemberAdd(TestServer::context().get(), add, &added).ok());
  CHECK(added.member().islearner());
  CHECK(added.members_size() == 2);
  const std::uint64_t id = added.member().id();

  MemberPromoteRequest promote;
  promote.set_id(id);
  MemberPromoteResponse promoted;
  REQUIRE(s.cluster->MemberPromote(TestServer::context().get(), promote, &promoted).ok());

  MemberUpdateRequest update;
  update.set_id(id);
  update.add_peerurls("http://127.0.0.1:2382");
  MemberUpdateResponse updated;
  REQUIRE(s.cluster->MemberUpdate(TestServer::context().get(), update, &updated).ok());

  MemberRemoveRequest remove;
  remove.set_id(id);
  MemberRemoveResponse removed;
  REQUIRE(s.cluster->MemberRemove(TestServer::context().get(), remove, &removed).ok());
  CHECK(removed.members_size() == 1);

  auto again = s.cluster->MemberRemove(TestServer::context().get(), remove, &removed);
  CHECK(again.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(again.error_message() == "etcdserver: member not found");
}

TEST_CASE("member add without peer URLs is INVALID_ARGUMENT") {
  TestServer s;
  MemberAddResponse added;
  auto status = s.cluster->MemberAdd(TestServer::context().get(), {}, &added);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "etcdserver: given member URLs are invalid");
}

TEST_CASE("status reports the member's view") {
  TestServer s;
  s.put("k", "v");
  StatusResponse status;
  REQUIRE(s.maintenance->Status(TestServer::context().get(), {}, &status).ok());
  CHECK(status.version() == "3.4.0");
  CHECK(status.leader() == FakeBackend::kMemberId);
  CHECK(status.header().member_id() == FakeBackend::kMemberId);
  CHECK(status.raftindex() == 1);
  CHECK(status.raftappliedindex() == 1);
  CHECK(status.dbsize() > 0);
}

TEST_CASE("hashes, alarms, defragment and move-leader answer") {
  TestServer s;
  s.put("k", "v");
  HashKVRequest hkv;
  HashKVResponse hashed;
  REQUIRE(s.maintenance->HashKV(TestServer::context().get(), hkv, &hashed).ok());
  CHECK(hashed.header().revision() == 2);
  HashResponse hash;
  REQUIRE(s.maintenance->Hash(TestServer::context().get(), {}, &hash).ok());
  CHECK(hash.hash() == hashed.hash());

  AlarmResponse alarms;
  REQUIRE(s.maintenance->Alarm(TestServer::context().get(), {}, &alarms).ok());
  CHECK(alarms.alarms_size() == 0);
  DefragmentResponse defrag;
  REQUIRE(s.maintenance->Defragment(TestServer::context().get(), {}, &defrag).ok());
  CHECK(defrag.header().member_id() == FakeBackend::kMemberId);

  MoveLeaderRequest move;
  move.set_targetid(42);
  MoveLeaderResponse moved;
  auto refused = s.maintenance->MoveLeader(TestServer::context().get(), move, &moved);
  CHECK(refused.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_CASE("snapshot streams 32 KiB chunks, then the SHA-256 of them all") {
  TestServer s;
  for (int i = 0; i < 100; ++i)
    s.put("key" + std::to_string(i), std::string(1000, 'v'));
  auto context = TestServer::context();
  auto stream = s.maintenance->Snapshot(context.get(), {});
  std::vector<SnapshotResponse> chunks;
  SnapshotResponse chunk;
  while (stream->Read(&chunk))
    chunks.push_back(chunk);
  REQUIRE(stream->Finish().ok());
  REQUIRE(chunks.size() >= 4);  // 100 kB and more: 4 chunks, then the digest

  std::string bytes;
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    CHECK(chunks[i].blob().size() <= 32 * 1024);
    bytes += chunks[i].blob();
    CHECK(chunks[i].remaining_bytes() ==
          chunks[0].remaining_bytes() + chunks[0].blob().size() - bytes.size());
  }
  CHECK(chunks[chunks.size() - 2].remaining_bytes() == 0);
  CHECK(bytes.size() % 512 == 0);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  CHECK(chunks.back().blob() == std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

TEST_CASE("snapshot padding: a multiple of 512 bytes that parses as the same snapshot") {
  etcetera::kv::StateMachine machine;
  const std::string bytes = machine.snapshot();
  for (std::size_t extra = 0; extra < 1100; ++extra) {
    std::string padded = etcetera::server::api::pad_to_512(bytes + std::string(extra, '\0'));
    CHECK(padded.size() % 512 == 0);
  }
  etcetera::kv::StateMachine restored;
  CHECK(restored.restore(etcetera::server::api::pad_to_512(bytes)).has_value());
}
