// The simulated network: delays within each link's range (so messages
// reorder), losses and duplicates at their rates, partitions into groups.
#include <catch2/catch.hpp>

#include "sim/network.h"

namespace {

using etcetera::sim::LinkFaults;
using etcetera::sim::Network;

etcetera::raft::pb::Message msg(std::uint64_t from, std::uint64_t to, std::uint64_t index) {
  etcetera::raft::pb::Message m;
  m.set_from(from);
  m.set_to(to);
  m.set_index(index);
  return m;
}

}  // namespace

TEST_CASE("a message arrives after its link's delay, and delays reorder messages") {
  Network net(1);
  net.set_default_link(LinkFaults{1, 5, 0, 0});
  for (std::uint64_t i = 0; i < 200; ++i)
    net.send(msg(1, 2, i), 0);
  CHECK(net.take_due(0).empty());  // nothing arrives before the minimum delay
  std::vector<std::uint64_t> order;
  for (etcetera::sim::Time t = 1; t <= 5; ++t)
    for (const auto& m : net.take_due(t))
      order.push_back(m.index());
  REQUIRE(order.size() == 200);  // and everything by the maximum
  CHECK_FALSE(std::is_sorted(order.begin(), order.end()));
}

TEST_CASE("take_next_due hands out one due message at a time, in the order take_due would") {
  Network net(3);
  net.set_default_link(LinkFaults{0, 4, 0, 0});
  for (std::uint64_t i = 0; i < 50; ++i)
    net.send(msg(1, 2, i), 0);
  Network same(3);
  same.set_default_link(LinkFaults{0, 4, 0, 0});
  for (std::uint64_t i = 0; i < 50; ++i)
    same.send(msg(1, 2, i), 0);
  for (etcetera::sim::Time t = 0; t <= 4; ++t) {
    std::vector<std::uint64_t> one_by_one, all_at_once;
    while (auto m = net.take_next_due(t))
      one_by_one.push_back(m->index());
    for (const auto& m : same.take_due(t))
      all_at_once.push_back(m.index());
    CHECK(one_by_one == all_at_once);
  }
  CHECK_FALSE(net.take_next_due(100));
}

TEST_CASE("a lossy, duplicating link loses and copies about as often as configured") {
  Network net(7);
  net.set_link(1, 2, LinkFaults{0, 0, 100, 50});  // 10% lost, 5% twice
  for (std::uint64_t i = 0; i < 10000; ++i)
    net.send(msg(1, 2, i), 0);
  net.send(msg(2, 1, 0), 0);  // the other direction keeps the default: perfect
  CHECK(net.stats().lost > 800);
  CHECK(net.stats().lost < 1200);
  CHECK(net.stats().duplicated > 350);
  CHECK(net.stats().duplicated < 650);
  CHECK(net.in_flight().size() == 10000 - net.stats().lost + net.stats().duplicated + 1);
}

TEST_CASE("a partition splits the nodes into groups until healed") {
  Network net(1);
  net.partition({{1, 2}, {3}});
  CHECK(net.connected(1, 2));
  CHECK_FALSE(net.connected(1, 3));
  CHECK_FALSE(net.connected(4, 1));  // 4 is in no group: the group of the unnamed
  CHECK(net.describe_partition({1, 2, 3, 4}) == "{4} {1,2} {3}");
  net.heal();
  CHECK(net.connected(1, 3));
  net.isolate(2);
  CHECK(net.is_isolated(2));
  CHECK_FALSE(net.connected(2, 1));
  CHECK(net.connected(1, 3));
}
