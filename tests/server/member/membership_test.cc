// Membership changes end to end: a fourth member added to a running
// cluster, started on an empty data dir, caught up and serving; removed
// again; the registry after restarts; etcd's errors.
#include <catch2/catch.hpp>

#include "tests/server/member/loopback_cluster.h"

namespace etcetera::server::testing {

namespace {

using Members = std::vector<MemberInfo>;
using Added = std::pair<MemberInfo, Members>;

ApiResult<Members> list_of(Member& m) {
  return call<Members>([&](auto reply) { m.member_list(reply); });
}

// Every member of `list` started: a name and client URLs.
bool all_started(const ApiResult<Members>& list, std::size_t n) {
  if (!list || list->size() != n) return false;
  for (const auto& m : *list)
    if (m.name.empty() || m.client_urls.empty()) return false;
  return true;
}

// Adds a member through `m`. etcd's rule makes it wait until the leader
// has been connected to every voter for 5 s ("unhealthy cluster").
ApiResult<Added> add(Member& m, const std::string& url, bool learner = false) {
  ApiResult<Added> added = std::unexpected(ApiError{ApiError::Code::kUnavailable, "not tried"});
  eventually(
      [&] {
        added = call<Added>([&](auto reply) { m.member_add({url}, learner, reply); });
        return added || added.error().message != "etcdserver: unhealthy cluster";
      },
      15s);
  return added;
}

// Whether `m` comes to answer every call as a removed member does; what it
// last answered, in `answer`.
bool answers_as_removed(Member& m, std::string& answer) {
  return eventually([&] {
    auto read = get(m, "k", /*serializable=*/true);
    answer = read ? "the value '" + *read + "'" : read.error().message;
    return !read && read.error().message == removed_member().message;
  });
}

}  // namespace

TEST_CASE("a member added and started joins, serves, and is removed again") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  REQUIRE(put(c[leader], "before", "1"));
  const int follower = (leader + 1) % 3;

  const int fourth = c.add_joining("m4");
  const std::string url = c.options(fourth).initial_cluster.at("m4");
  auto added = add(c[follower], url);
  INFO((added ? "" : added.error().message));
  REQUIRE(added);
  CHECK(added->first.name.empty());  // unstarted
  CHECK(added->first.peer_urls == std::vector<std::string>{url});
  CHECK(added->second.size() == 4);

  c.start(fourth);
  CHECK(c[fourth].id() == added->first.id);
  CHECK(eventually([&] { return get(c[fourth], "before").value_or("") == "1"; }));
  REQUIRE(put(c[fourth], "after", "2"));
  for (int i = 0; i < 4; ++i)
    CHECK(eventually([&] { return all_started(list_of(c[i]), 4); }));

  // Restarted, the joined member is who it was (joined-identity), not a
  // hash of its name, and still a member.
  c.stop(fourth);
  c.start(fourth);
  CHECK(c[fourth].id() == added->first.id);
  CHECK(eventually([&] { return get(c[fourth], "after").value_or("") == "2"; }));
  CHECK(eventually([&] { return all_started(list_of(c[fourth]), 4); }));

  auto removed =
      call<Members>([&](auto reply) { c[leader].member_remove(added->first.id, reply); });
  INFO((removed ? "" : removed.error().message));
  REQUIRE(removed);
  CHECK(removed->size() == 3);
  for (int i = 0; i < 3; ++i)
    CHECK(eventually([&] { return all_started(list_of(c[i]), 3); }));
  CHECK(put(c[leader], "still", "3"));
  // The removed member stops serving: it applies its own removal, or, if the
  // leader dropped it before that entry reached it, its peers refuse its
  // next messages as a removed member's.
  std::string answer;
  const bool told = answers_as_removed(c[fourth], answer);
  INFO("the removed member answered " << answer);
  CHECK(told);
  c.stop(fourth);
}

TEST_CASE("a member removed while it was down is told so by its peers when it comes back") {
  LoopbackCluster c;
  int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int gone = (leader + 1) % 3;
  const std::uint64_t gone_id = c[gone].id();
  REQUIRE(put(c[leader], "before", "1"));
  c.stop(gone);

  auto removed = call<Members>([&](auto reply) { c[leader].member_remove(gone_id, reply); });
  INFO((removed ? "" : removed.error().message));
  REQUIRE(removed);
  CHECK(removed->size() == 2);
  REQUIRE(put(c[leader], "after", "2"));

  // Its log and configuration still hold it: only the others know. When it
  // campaigns they answer "removed", and it stops serving.
  c.start(gone);
  std::string answer;
  const bool told = answers_as_removed(c[gone], answer);
  INFO("the removed member answered " << answer);
  CHECK(told);
  auto after = get(c[gone], "after", /*serializable=*/true);
  CHECK_FALSE(after);
  // The two left go on.
  CHECK(put(c[leader], "later", "3"));
  CHECK(eventually([&] { return list_of(c[leader]) && list_of(c[leader])->size() == 2; }));
}

TEST_CASE("the registry survives restarts, through snapshots and the WAL") {
  LoopbackCluster c(3, /*snapshot_count=*/5);
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  auto added = add(c[leader], "http://127.0.0.1:1", /*learner=*/true);
  INFO((added ? "" : added.error().message));
  REQUIRE(added);
  CHECK(added->first.is_learner);
  for (int k = 0; k < 20; ++k)
    REQUIRE(put(c[leader], "k" + std::to_string(k), "v"));
  REQUIRE(eventually([&] { return all_started(list_of(c[0]), 3) || list_of(c[0])->size() == 4; }));

  for (int i = 0; i < 3; ++i)
    c.stop(i);
  for (int i = 0; i < 3; ++i)
    c.start(i);
  REQUIRE(c.wait_leader() >= 0);
  for (int i = 0; i < 3; ++i) {
    auto list = list_of(c[i]);
    REQUIRE(list);
    REQUIRE(list->size() == 4);
    int learners = 0, started = 0;
    for (const auto& m : *list) {
      learners += m.is_learner;
      started += !m.client_urls.empty();
    }
    CHECK(learners == 1);
    CHECK(started == 3);
  }
}

TEST_CASE("membership errors are etcd's") {
  LoopbackCluster c;
  const int leader = c.wait_leader();
  REQUIRE(leader >= 0);
  const int follower = (leader + 1) % 3;
  const std::string taken = c.options(leader).initial_cluster.at("m2");
  auto dup = add(c[follower], taken, /*learner=*/true);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ApiError::Code::kFailedPrecondition);
  CHECK(dup.error().message == "etcdserver: Peer URLs already exists");

  auto unknown = call<Members>([&](auto reply) { c[follower].member_remove(42, reply); });
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ApiError::Code::kNotFound);
  CHECK(unknown.error().message == "etcdserver: member not found");

  auto voter =
      call<Members>([&](auto reply) { c[follower].member_promote(c[leader].id(), reply); });
  REQUIRE_FALSE(voter);
  CHECK(voter.error().message == "etcdserver: can only promote a learner member");

  auto learner = add(c[follower], "http://127.0.0.1:1", /*learner=*/true);
  REQUIRE(learner);
  auto unsynced =
      call<Members>([&](auto reply) { c[follower].member_promote(learner->first.id, reply); });
  REQUIRE_FALSE(unsynced);
  CHECK(unsynced.error().message ==
        "etcdserver: can only promote a learner member which is in sync with leader");
}

}  // namespace etcetera::server::testing
