// server::ReadBatches: linearizable reads share ReadIndex rounds, one round
// out at a time.
#include <catch2/catch.hpp>

#include "server/read_batches.h"

namespace etcetera::server {

namespace {

using Clock = ReadBatches::Clock;

// A read whose answer lands in `answers` under `name`.
ReadBatches::Read read(const std::string& name, Clock::time_point deadline,
                       std::vector<std::string>& answers) {
  etcdserverpb::RangeRequest r;
  r.set_key(name);
  return {r, [&answers, name](auto) { answers.push_back(name); }, deadline};
}

std::vector<std::string> keys(const std::vector<ReadBatches::Read>& reads) {
  std::vector<std::string> out;
  for (const auto& r : reads)
    out.push_back(r.request.key());
  return out;
}

}  // namespace

TEST_CASE("reads that arrive while a round is out all go in the next round") {
  ReadBatches batches(7);
  std::vector<std::string> answers;
  const auto later = Clock::now() + std::chrono::seconds(5);
  auto first = batches.add(read("a", later, answers));
  REQUIRE(first);
  CHECK(first->starts_with("7/"));
  CHECK_FALSE(batches.add(read("b", later, answers)));
  CHECK_FALSE(batches.add(read("c", later, answers)));
  CHECK_FALSE(batches.next_round(Clock::now()));  // one round out at a time

  CHECK(batches.confirm("someone else's").empty());
  CHECK(keys(batches.confirm(*first)) == std::vector<std::string>{"a"});
  auto second = batches.next_round(Clock::now());
  REQUIRE(second);
  CHECK(*second != *first);
  CHECK(keys(batches.confirm(*second)) == std::vector<std::string>{"b", "c"});
  CHECK_FALSE(batches.next_round(Clock::now()));
  CHECK(batches.size() == 0);
}

TEST_CASE("a refused round gives back its reads, and the queued ones go next") {
  ReadBatches batches(1);
  std::vector<std::string> answers;
  const auto later = Clock::now() + std::chrono::seconds(5);
  auto first = batches.add(read("a", later, answers));
  (void)batches.add(read("b", later, answers));
  CHECK(keys(batches.refuse()) == std::vector<std::string>{"a"});
  CHECK_FALSE(batches.is_out(*first));
  auto next = batches.next_round(Clock::now());
  REQUIRE(next);
  CHECK(batches.is_out(*next));
}

TEST_CASE("a round unanswered for too long is asked again under a new context") {
  ReadBatches batches(1);
  std::vector<std::string> answers;
  const auto t0 = Clock::now();
  auto first = batches.add(read("a", t0 + std::chrono::seconds(5), answers));
  REQUIRE(first);
  CHECK_FALSE(batches.renew_if_older(t0 - std::chrono::seconds(1), t0));
  auto renewed = batches.renew_if_older(t0 + std::chrono::seconds(1), t0 + std::chrono::seconds(1));
  REQUIRE(renewed);
  CHECK(*renewed != *first);
  CHECK(batches.confirm(*first).empty());  // a late answer to the old context serves nothing
  CHECK(keys(batches.confirm(*renewed)) == std::vector<std::string>{"a"});
}

TEST_CASE("expired reads leave their round, and an emptied round lets the next go") {
  ReadBatches batches(1);
  std::vector<std::string> answers;
  const auto t0 = Clock::now();
  auto first = batches.add(read("soon", t0 + std::chrono::seconds(1), answers));
  (void)batches.add(read("late", t0 + std::chrono::seconds(9), answers));
  (void)batches.add(read("soon too", t0 + std::chrono::seconds(1), answers));
  CHECK(keys(batches.expire(t0 + std::chrono::seconds(2))) ==
        std::vector<std::string>{"soon too", "soon"});
  CHECK_FALSE(batches.is_out(*first));
  auto next = batches.next_round(t0 + std::chrono::seconds(2));
  REQUIRE(next);
  CHECK(keys(batches.take_all()) == std::vector<std::string>{"late"});
  CHECK(batches.size() == 0);
}

}  // namespace etcetera::server
