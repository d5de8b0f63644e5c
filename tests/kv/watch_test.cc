// Watch streams, one scenario at a time: what a client watching a key, a
// prefix or the past sees, response by response.
#include <catch2/catch.hpp>

#include "kv/store.h"
#include "kv/watch.h"

namespace etcetera::kv {
namespace {

using etcdserverpb::WatchCreateRequest;
using etcdserverpb::WatchResponse;

// A store and one watch stream over it; every write is published at once,
// as the apply layer does after each entry.
struct World {
  Store store;
  WatchStream stream{store};

  void put(std::string key, std::string value, LeaseId lease = 0) {
    etcdserverpb::PutRequest r;
    r.set_key(std::move(key));
    r.set_value(std::move(value));
    r.set_lease(lease);
    REQUIRE(store.put(r));
    stream.publish(store.take_events());
  }
  void del(std::string key, std::string range_end = "") {
    etcdserverpb::DeleteRangeRequest r;
    r.set_key(std::move(key));
    r.set_range_end(std::move(range_end));
    REQUIRE(store.delete_range(r));
    stream.publish(store.take_events());
  }
  void compact(Revision revision) {
    etcdserverpb::CompactionRequest r;
    r.set_revision(revision);
    REQUIRE(store.compact(r));
  }
  std::vector<WatchResponse> responses() { return stream.take_responses(); }
};

WatchCreateRequest watch(std::string key, std::string range_end = "", Revision start = 0) {
  WatchCreateRequest r;
  r.set_key(std::move(key));
  r.set_range_end(std::move(range_end));
  r.set_start_revision(start);
  return r;
}

// The (key, mod_revision, type) of each event, for compact comparisons.
struct Seen {
  std::string key;
  Revision revision;
  mvccpb::Event::EventType type;
  bool operator==(const Seen&) const = default;
};
std::vector<Seen> seen(const WatchResponse& r) {
  std::vector<Seen> out;
  for (const auto& e : r.events())
    out.push_back({e.kv().key(), e.kv().mod_revision(), e.type()});
  return out;
}
constexpr auto PUT = mvccpb::Event::PUT;
constexpr auto DELETE = mvccpb::Event::DELETE;

// Creates a watch and checks its `created` response.
WatchId created(World& w, const WatchCreateRequest& r) {
  auto id = w.stream.create(r);
  REQUIRE(id);
  auto responses = w.responses();
  REQUIRE(!responses.empty());
  CHECK(responses.front().created());
  CHECK(responses.front().watch_id() == *id);
  CHECK(responses.front().header().revision() == w.store.revision());
  return *id;
}

TEST_CASE("a watch on one key sees its puts and deletes as they happen, and no other key's",
          "[kv][watch]") {
  World w;
  const WatchId id = created(w, watch("k"));
  CHECK(id == 0);  // etcd's automatic ids start at 0

  w.put("k", "1");      // revision 2
  w.put("other", "x");  // revision 3: not watched
  w.put("k", "2");      // revision 4
  w.del("k");           // revision 5

  auto responses = w.responses();
  REQUIRE(responses.size() == 3);
  CHECK(seen(responses[0]) == std::vector<Seen>{{"k", 2, PUT}});
  CHECK(seen(responses[1]) == std::vector<Seen>{{"k", 4, PUT}});
  CHECK(seen(responses[2]) == std::vector<Seen>{{"k", 5, DELETE}});
  CHECK(responses[0].header().revision() == 2);
  CHECK(responses[1].header().revision() == 4);  // the store's revision when queued
  CHECK(responses[1].events(0).kv().value() == "2");
  CHECK(responses[1].events(0).kv().version() == 2);
  for (const auto& r : responses)
    CHECK(r.watch_id() == id);
}

TEST_CASE("a prefix watch sees every key under the prefix and nothing past it", "[kv][watch]") {
  World w;
  created(w, watch("app/", prefix_end("app/")));
  w.put("app/a", "1");    // 2
  w.put("app", "no");     // 3: sorts before the prefix
  w.put("app0", "no");    // 4: '0' is the byte after '/', the prefix's end
  w.put("app/b/c", "1");  // 5
  w.del("app/a");         // 6

  auto responses = w.responses();
  REQUIRE(responses.size() == 3);
  CHECK(seen(responses[0]) == std::vector<Seen>{{"app/a", 2, PUT}});
  CHECK(seen(responses[1]) == std::vector<Seen>{{"app/b/c", 5, PUT}});
  CHECK(seen(responses[2]) == std::vector<Seen>{{"app/a", 6, DELETE}});
}

TEST_CASE("a watch from key to the end (range_end \"\\0\") sees every key at or after it",
          "[kv][watch]") {
  World w;
  created(w, watch("b", std::string(1, '\0')));
  w.put("a", "no");  // 2
  w.put("b", "1");   // 3
  w.put("zz", "1");  // 4
  auto responses = w.responses();
  REQUIRE(responses.size() == 2);
  CHECK(seen(responses[0]) == std::vector<Seen>{{"b", 3, PUT}});
  CHECK(seen(responses[1]) == std::vector<Seen>{{"zz", 4, PUT}});
}

TEST_CASE("a watch from a past revision gets the history from there, then live changes",
          "[kv][watch]") {
  World w;
  w.put("k", "1");  // 2
  w.put("k", "2");  // 3
  w.put("j", "x");  // 4: outside the watch
  w.del("k");       // 5

  auto id = w.stream.create(watch("k", "", 3));
  REQUIRE(id);
  auto responses = w.responses();
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].created());
  CHECK(seen(responses[1]) == (std::vector<Seen>{{"k", 3, PUT}, {"k", 5, DELETE}}));
  CHECK(responses[1].header().revision() == 5);

  w.put("k", "3");  // 6: a new generation, seen live and only once
  responses = w.responses();
  REQUIRE(responses.size() == 1);
  CHECK(seen(responses[0]) == std::vector<Seen>{{"k", 6, PUT}});
  CHECK(responses[0].events(0).kv().version() == 1);
  CHECK(responses[0].events(0).kv().create_revision() == 6);
}

TEST_CASE("a watch from a future revision waits for it", "[kv][watch]") {
  World w;
  created(w, watch("k", "", 4));
  w.put("k", "1");  // 2: before the start
  w.put("k", "2");  // 3
  w.put("k", "3");  // 4
  auto responses = w.responses();
  REQUIRE(responses.size() == 1);
  CHECK(seen(responses[0]) == std::vector<Seen>{{"k", 4, PUT}});
}

TEST_CASE("a watch starting below the compact revision is cancelled with that revision",
          "[kv][watch]") {
  World w;
  for (int i = 0; i < 4; ++i)
    w.put("k", std::to_string(i));  // revisions 2..5
  w.compact(4);

  auto id = w.stream.create(watch("k", "", 3));
  REQUIRE(id);  // created, then cancelled: the client learns why on the stream
  auto responses = w.responses();
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].created());
  CHECK(responses[1].canceled());
  CHECK(responses[1].watch_id() == *id);
  CHECK(responses[1].compact_revision() == 4);
  CHECK(responses[1].cancel_reason() ==
        "mvcc: required revision has been compacted (history from 3 requested, compacted through "
        "4)");
  CHECK(responses[1].events_size() == 0);
  CHECK(w.stream.watch_count() == 0);

  // At the compact revision itself the history is still whole.
  id = w.stream.create(watch("k", "", 4));
  REQUIRE(id);
  responses = w.responses();
  REQUIRE(responses.size() == 2);
  CHECK(seen(responses[1]) == (std::vector<Seen>{{"k", 4, PUT}, {"k", 5, PUT}}));
}

TEST_CASE("filters drop puts or deletes, and a revision with nothing left sends nothing",
          "[kv][watch]") {
  World w;
  auto no_put = watch("k");
  no_put.add_filters(WatchCreateRequest::NOPUT);
  auto no_delete = watch("k");
  no_delete.add_filters(WatchCreateRequest::NODELETE);
  const WatchId deletes_only = created(w, no_put);
  const WatchId puts_only = created(w, no_delete);

  w.put("k", "1");  // 2
  w.del("k");       // 3

  auto responses = w.responses();
  REQUIRE(responses.size() == 2);  // no empty response for a filtered-out revision
  CHECK(responses[0].watch_id() == puts_only);
  CHECK(seen(responses[0]) == std::vector<Seen>{{"k", 2, PUT}});
  CHECK(responses[1].watch_id() == deletes_only);
  CHECK(seen(responses[1]) == std::vector<Seen>{{"k", 3, DELETE}});
}

TEST_CASE("prev_kv brings the replaced version only to the watch that asks for it", "[kv][watch]") {
  World w;
  w.put("k", "old");  // 2
  auto with_prev = watch("k");
  with_prev.set_prev_kv(true);
  const WatchId asked = created(w, with_prev);
  created(w, watch("k"));

  w.put("k", "new");  // 3
  w.del("k");         // 4
  auto responses = w.responses();
  REQUIRE(responses.size() == 4);
  for (const auto& r : responses) {
    REQUIRE(r.events_size() == 1);
    const auto& e = r.events(0);
    if (r.watch_id() != asked) {
      CHECK_FALSE(e.has_prev_kv());
    } else if (e.type() == PUT) {
      CHECK(e.prev_kv().value() == "old");
      CHECK(e.prev_kv().mod_revision() == 2);
    } else {
      CHECK(e.prev_kv().value() == "new");
      CHECK(e.prev_kv().mod_revision() == 3);
    }
  }
}

TEST_CASE("a transaction writing three keys arrives as one response, in sub-revision order",
          "[kv][watch]") {
  World w;
  w.put("b", "0");              // 2
  created(w, watch("a", "c"));  // [a, c)

  etcdserverpb::TxnRequest txn;
  for (const char* key : {"c", "a"}) {  // "c" is outside the range
    auto* put = txn.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value("1");
  }
  auto* del = txn.add_success()->mutable_request_delete_range();
  del->set_key("b");
  auto* put = txn.add_success()->mutable_request_put();
  put->set_key("ab");
  put->set_value("1");
  REQUIRE(w.store.txn(txn));  // revision 3
  w.stream.publish(w.store.take_events());

  auto responses = w.responses();
  REQUIRE(responses.size() == 1);
  CHECK(seen(responses[0]) == (std::vector<Seen>{{"a", 3, PUT}, {"b", 3, DELETE}, {"ab", 3, PUT}}));
  CHECK(responses[0].header().revision() == 3);
}

TEST_CASE("cancel stops a watch with a canceled response; later changes do not reach it",
          "[kv][watch]") {
  World w;
  const WatchId id = created(w, watch("k"));
  REQUIRE(w.stream.cancel(id));
  auto responses = w.responses();
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].canceled());
  CHECK(responses[0].watch_id() == id);
  CHECK(w.stream.watch_count() == 0);

  w.put("k", "1");
  CHECK(w.responses().empty());
}

TEST_CASE("cancelling an unknown watch is an error and queues nothing", "[kv][watch]") {
  World w;
  const WatchId id = created(w, watch("k"));
  auto unknown = w.stream.cancel(id + 7);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Error::Code::kWatchNotFound);
  CHECK(unknown.error().message == "watch not found (watch id 7)");

  REQUIRE(w.stream.cancel(id));
  auto twice = w.stream.cancel(id);  // already gone
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Error::Code::kWatchNotFound);
  CHECK(w.responses().size() == 1);  // the one cancel that worked
}

TEST_CASE("a progress request answers with watch id -1 and the store's revision", "[kv][watch]") {
  World w;
  created(w, watch("k"));
  w.put("other", "1");  // 2
  w.stream.request_progress();
  auto responses = w.responses();
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].watch_id() == -1);
  CHECK(responses[0].header().revision() == 2);
  CHECK(responses[0].events_size() == 0);
}

TEST_CASE("progress notifications go to quiet watches that asked for them", "[kv][watch]") {
  World w;
  auto notify = watch("k");
  notify.set_progress_notify(true);
  const WatchId quiet = created(w, notify);
  notify.set_key("busy");
  const WatchId busy = created(w, notify);
  created(w, watch("silent"));  // never asked for notifications

  w.put("busy", "1");  // 2
  w.responses();
  w.stream.notify_progress();
  auto responses = w.responses();
  REQUIRE(responses.size() == 1);  // the busy watch got an event since
  CHECK(responses[0].watch_id() == quiet);
  CHECK(responses[0].header().revision() == 2);
  CHECK(responses[0].events_size() == 0);

  w.stream.notify_progress();  // nothing happened since: both are quiet now
  responses = w.responses();
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].watch_id() == quiet);
  CHECK(responses[1].watch_id() == busy);
}

TEST_CASE("a watch id already in use is refused; automatic ids skip it", "[kv][watch]") {
  World w;
  auto chosen = watch("k");
  chosen.set_watch_id(0);
  CHECK(created(w, chosen) == 0);
  chosen.set_watch_id(1);
  CHECK(created(w, chosen) == 1);

  auto again = w.stream.create(chosen);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Error::Code::kInvalidArgument);
  CHECK(again.error().message == "invalid argument (watch id 1 is already in use on this stream)");
  CHECK(w.responses().empty());  // a refused watch queues nothing

  chosen.set_watch_id(0);
  CHECK(created(w, chosen) == 2);  // 1 is taken
  chosen.set_watch_id(-3);
  auto negative = w.stream.create(chosen);
  REQUIRE_FALSE(negative);
  CHECK(negative.error().code == Error::Code::kInvalidArgument);
  CHECK(w.stream.watch_count() == 3);
}

TEST_CASE("a watch needs a key and a range that is not empty", "[kv][watch]") {
  World w;
  auto empty = w.stream.create(watch(""));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == Error::Code::kEmptyKey);
  CHECK(empty.error().message == "etcdserver: key is not provided (watch)");

  auto backwards = w.stream.create(watch("b", "a"));
  REQUIRE_FALSE(backwards);
  CHECK(backwards.error().code == Error::Code::kInvalidArgument);
  CHECK(w.responses().empty());
  CHECK(w.stream.watch_count() == 0);
}

}  // namespace
}  // namespace etcetera::kv
