// MemberRegistry on its own: the ids removed so far are kept, persisted
// with the registry, and not changed by an entry replayed twice.
#include <catch2/catch.hpp>

#include "server/member_options.h"
#include "server/member_registry.h"

namespace etcetera::server::testing {

namespace {

raft::pb::ConfChange remove_node(std::uint64_t id) {
  raft::pb::ConfChange cc;
  auto* c = cc.add_changes();
  c->set_type(raft::pb::REMOVE_NODE);
  c->set_node(id);
  return cc;
}

}  // namespace

TEST_CASE("a member removed is out of the list and in the removed ids, through a snapshot") {
  auto r = MemberRegistry::seeded({{"m1", "http://127.0.0.1:1"}, {"m2", "http://127.0.0.1:2"},
                                   {"m3", "http://127.0.0.1:3"}});
  const std::uint64_t m3 = member_id_of("m3");
  REQUIRE(r.find(m3) != nullptr);
  CHECK(r.removed().empty());

  REQUIRE(r.apply_conf_change(7, remove_node(m3)));
  CHECK(r.find(m3) == nullptr);
  CHECK(r.list().size() == 2);
  CHECK(r.removed() == std::set<std::uint64_t>{m3});

  const auto restored = MemberRegistry::from_proto(r.to_proto());
  CHECK(restored.removed() == std::set<std::uint64_t>{m3});
  CHECK(restored.list().size() == 2);
  CHECK(restored.applied() == 7);
}

TEST_CASE("a removal replayed from the WAL after the snapshot that holds it changes nothing") {
  auto r = MemberRegistry::seeded({{"m1", "http://127.0.0.1:1"}, {"m2", "http://127.0.0.1:2"}});
  const std::uint64_t m2 = member_id_of("m2");
  REQUIRE(r.apply_conf_change(5, remove_node(m2)));
  auto restored = MemberRegistry::from_proto(r.to_proto());
  CHECK_FALSE(restored.apply_conf_change(5, remove_node(m2)));
  CHECK(restored.removed() == std::set<std::uint64_t>{m2});
}

}  // namespace etcetera::server::testing
