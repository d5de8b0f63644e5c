// The lock view: the board follows the lock layer's events (a queue in
// create-revision order, beliefs, pauses, the resource's verdicts), spots a
// client that believes it holds a lock whose queue no longer starts with its
// key, and the diagram says so.
#include <catch2/catch.hpp>

#include "visualizer/graphviz.h"
#include "visualizer/lock_board.h"
#include "visualizer/lock_view.h"
#include "visualizer/replay.h"

namespace {

namespace pb = etcetera::raft::pb;
namespace viz = etcetera::viz;

pb::Event enqueued(std::uint64_t client, std::int64_t revision) {
  pb::Event e;
  e.set_action("Enqueue");
  auto* q = e.mutable_lock_enqueued();
  q->set_lock("jobs");
  q->set_client(client);
  q->set_key("jobs/" + std::to_string(100 + client));
  q->set_revision(revision);
  q->set_lease(static_cast<std::int64_t>(100 + client));
  return e;
}

pb::Event dequeued(std::uint64_t client, std::int64_t revision) {
  pb::Event e;
  e.set_action("Dequeue");
  auto* d = e.mutable_lock_dequeued();
  d->set_lock("jobs");
  d->set_client(client);
  d->set_key("jobs/" + std::to_string(100 + client));
  d->set_revision(revision);
  d->set_cause("its lease expired");
  return e;
}

pb::Event acquired(std::uint64_t client, std::int64_t token) {
  pb::Event e;
  e.set_action("Acquire");
  e.mutable_lock_acquired()->set_lock("jobs");
  e.mutable_lock_acquired()->set_client(client);
  e.mutable_lock_acquired()->set_token(token);
  return e;
}

pb::Event paused(std::uint64_t client, std::uint64_t until) {
  pb::Event e;
  e.set_action("Pause");
  e.mutable_client_paused()->set_client(client);
  e.mutable_client_paused()->set_until(until);
  return e;
}

pb::Event written(std::uint64_t client, std::int64_t token, bool accepted, std::int64_t highest) {
  pb::Event e;
  e.set_action("ResourceWrite");
  auto* w = e.mutable_resource_written();
  w->set_client(client);
  w->set_token(token);
  w->set_accepted(accepted);
  w->set_highest(highest);
  return e;
}

// Client 1 holds with token 5; clients 2 and 3 wait (enqueued out of
// order); client 1 pauses, its key goes with its lease, client 2 takes the
// lock with token 7, and client 1 wakes to a refused write.
std::vector<pb::Event> handoff() {
  return {enqueued(1, 5), enqueued(3, 9),  enqueued(2, 7),        acquired(1, 5),
          paused(1, 40),  dequeued(1, 5), acquired(2, 7),         written(2, 7, true, 5),
          written(1, 5, false, 7)};
}

}  // namespace

TEST_CASE("the board keeps each queue in create-revision order", "[visualizer][locks]") {
  viz::LockBoard board;
  for (const auto& e : handoff())
    if (e.action() == "Enqueue") board.apply(e);
  const auto& queue = board.queues().at("jobs");
  REQUIRE(queue.size() == 3);
  CHECK(queue[0].revision == 5);
  CHECK(queue[1].revision == 7);
  CHECK(queue[2].revision == 9);
  CHECK(queue[1].client == 2);
}

TEST_CASE("a holder whose key left the queue is stale while it still believes",
          "[visualizer][locks]") {
  viz::LockBoard board;
  const auto events = handoff();
  for (std::size_t i = 0; i < 5; ++i)
    board.apply(events[i]);  // client 1 holds and pauses
  CHECK_FALSE(board.stale(1));
  CHECK(board.clients().at(1).paused_until == 40u);
  board.apply(events[5]);  // its key goes
  CHECK(board.stale(1));
  board.apply(events[6]);  // client 2 takes the lock
  CHECK(board.stale(1));
  CHECK_FALSE(board.stale(2));
}

TEST_CASE("the resource's verdicts are counted and the highest accepted token kept",
          "[visualizer][locks]") {
  viz::LockBoard board;
  for (const auto& e : handoff())
    board.apply(e);
  CHECK(board.resource().highest == 7);
  CHECK(board.resource().accepted == 1);
  CHECK(board.resource().refused == 1);
  REQUIRE(board.resource().last.has_value());
  CHECK_FALSE(board.resource().last->accepted());
}

TEST_CASE("events of other layers leave the board as it is", "[visualizer][locks]") {
  viz::LockBoard board;
  pb::Event note;
  note.mutable_note()->set_text("a leader crashes");
  CHECK_FALSE(board.apply(note));
  CHECK(board.empty());
}

TEST_CASE("the lock view draws nothing until a lock event, then the queue, the stale holder "
          "and the refused write",
          "[visualizer][locks]") {
  pb::Event note;
  note.mutable_note()->set_text("before any lock");
  auto events = handoff();
  events.insert(events.begin(), note);
  viz::Replay replay(events);
  viz::LockView view;
  replay.next();
  CHECK(view.dot(replay).empty());

  replay.seek(events.size() - 1);  // client 2 wrote; client 1 still believes, its key gone
  std::string dot = view.dot(replay);
  CHECK(dot.find("first: token 7") != std::string::npos);
  CHECK(dot.find("holds jobs, token 7") != std::string::npos);
  CHECK(dot.find("waits for 7's deletion") != std::string::npos);
  CHECK(dot.find("STALE") != std::string::npos);
  CHECK(dot.find("PAUSED until t=40") != std::string::npos);

  replay.next();  // the refused write, highlighted at the resource
  dot = view.dot(replay);
  CHECK(dot.find("token 5: REFUSED") != std::string::npos);
  viz::Graphviz graphviz;
  auto svg = graphviz.render(dot, view.engine(), "svg");
  REQUIRE(svg.has_value());
  CHECK(svg->find("REFUSED") != std::string::npos);
}
