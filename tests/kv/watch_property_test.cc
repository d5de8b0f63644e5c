// Property: every watcher receives exactly the store's events for its range
// from its start revision, in order, once, and no response splits a revision.
//
// Random steps over four keys — puts (some with leases), deletes of a key or
// a range, small transactions, compactions, lease grants and revokes, and
// watches created (and some cancelled) along the way — drive one store and
// one watch stream. The store's events are published after the step that
// made them, or now and then a step later: a watch created in between gets
// them from history and must not get them again when they are published.
//
// The expected events come from a log the test keeps itself, not from the
// store's take_events() or history(): before and after each write the test
// reads every key, and each key whose version changed is one event (a PUT
// with the new version, or a DELETE at the new revision), with the version
// read before as its prev_kv. Inside a revision the events are ordered as the
// request wrote them: for a transaction, by the operation that wrote the key
// and then by key (a delete range goes in key order); for anything else, by
// key. So a watch stream that drops, repeats, reorders or misfiles an event
// fails the property: dropping the second event of every revision, for
// instance, is caught within a few dozen runs.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kv/store.h"
#include "kv/watch.h"

namespace etcetera::kv {
namespace {

using etcdserverpb::WatchCreateRequest;
using etcdserverpb::WatchResponse;

const std::vector<std::string> kKeys = {"a", "ab", "b", "c"};
const std::string kFromKey(1, '\0');

enum class Kind { kPut, kDelete, kTxn, kCompact, kGrant, kRevoke, kWatch, kCancel };

// One step; `args` are choices the step interprets against the store as it
// is then (which key, which revision, which lease), so that any sequence of
// steps is valid and shrinks to a smaller valid one.
struct Step {
  Kind kind;
  std::vector<int> args;
};

rc::Gen<Step> gen_step() {
  auto kind = rc::gen::weightedElement<Kind>({{30, Kind::kPut},
                                              {10, Kind::kDelete},
                                              {12, Kind::kTxn},
                                              {5, Kind::kCompact},
                                              {4, Kind::kGrant},
                                              {4, Kind::kRevoke},
                                              {12, Kind::kWatch},
                                              {2, Kind::kCancel}});
  return rc::gen::build<Step>(rc::gen::set(&Step::kind, kind),
                              rc::gen::set(&Step::args, rc::gen::container<std::vector<int>>(
                                                            48, rc::gen::inRange(0, 1 << 16))));
}

// Reads the step's choices in order.
struct Choices {
  const std::vector<int>& args;
  std::size_t next = 0;
  int pick(int n) { return args[next++ % args.size()] % n; }
  bool flip() { return pick(2) == 1; }
};

struct Range {
  std::string key, end;  // end "": the key alone; "\0": every key >= key
  bool covers(const std::string& k) const {
    if (end.empty()) return k == key;
    return k >= key && (end == kFromKey || k < end);
  }
};

Range pick_range(Choices& c) {
  const std::string key = kKeys[c.pick(static_cast<int>(kKeys.size()))];
  switch (c.pick(4)) {
    case 0:
      return {key, ""};
    case 1:
      return {key, prefix_end(key)};
    case 2:
      return {key, kFromKey};
    default: {
      std::vector<std::string> ends;
      for (const char* end : {"ab", "b", "bb", "c", "d"}) {
        if (end > key) ends.push_back(end);
      }
      return {key, ends[c.pick(static_cast<int>(ends.size()))]};
    }
  }
}

std::map<std::string, mvccpb::KeyValue> read_all(const Store& store) {
  etcdserverpb::RangeRequest r;
  r.set_key(kKeys.front());
  r.set_range_end(kFromKey);
  auto read = store.range(r);
  RC_ASSERT(read.has_value());
  std::map<std::string, mvccpb::KeyValue> out;
  for (const auto& kv : read->kvs())
    out[kv.key()] = kv;
  return out;
}

struct Watcher {
  WatchId id = 0;
  Range range;
  Revision start = 0;       // as requested
  Revision created_at = 0;  // the store's revision when created
  Revision compact_at = 0;  // the store's compact revision when created
  // Cancelled by the client when the watch had been offered every event
  // through this revision.
  std::optional<Revision> cancelled_at;
  bool prev_kv = false, no_put = false, no_delete = false;
  bool compacted = false;  // cancelled by the stream for compaction
  bool done = false;       // its canceled response arrived
  std::vector<mvccpb::Event> received;
  std::vector<Revision> boundaries;  // first and last revision of each response, in turn
};

struct Model {
  Store store;
  WatchStream stream{store};
  std::vector<mvccpb::Event> log;  // every change, in (revision, sub) order
  std::vector<Watcher> watchers;
  LeaseId next_lease = 1;
  std::vector<LeaseId> leases;
  Revision published = 1;            // the store's events are published through this revision
  bool whole_revision_seen = false;  // a response held two events of one revision

  // Runs a write, then records its changes: `order` ranks a changed key
  // within the revision (lower first).
  template <class Write, class Order>
  void write(Write&& do_write, Order&& order) {
    const auto before = read_all(store);
    const Revision revision_before = store.revision();
    do_write();
    const auto after = read_all(store);
    if (store.revision() == revision_before) {  // refused, or changed nothing
      RC_ASSERT(before.size() == after.size());
      for (const auto& [key, kv] : before) {
        RC_ASSERT(after.contains(key) && after.at(key).mod_revision() == kv.mod_revision());
      }
      return;
    }
    RC_ASSERT(store.revision() == revision_before + 1);
    std::vector<mvccpb::Event> changes;
    for (const auto& key : kKeys) {
      auto b = before.find(key);
      auto a = after.find(key);
      mvccpb::Event e;
      if (a != after.end() && a->second.mod_revision() == store.revision()) {
        e.set_type(mvccpb::Event::PUT);
        *e.mutable_kv() = a->second;
      } else if (a == after.end() && b != before.end()) {
        e.set_type(mvccpb::Event::DELETE);
        e.mutable_kv()->set_key(key);
        e.mutable_kv()->set_mod_revision(store.revision());
      } else {
        continue;
      }
      if (b != before.end()) *e.mutable_prev_kv() = b->second;
      changes.push_back(std::move(e));
    }
    std::stable_sort(changes.begin(), changes.end(), [&](const auto& x, const auto& y) {
      return order(x.kv().key()) < order(y.kv().key());
    });
    log.insert(log.end(), changes.begin(), changes.end());
  }

  void step(const Step& s) {
    Choices c{s.args};
    auto by_key = [](const std::string&) { return 0; };  // kKeys is in key order already
    switch (s.kind) {
      case Kind::kPut: {
        etcdserverpb::PutRequest r = put_request(c);
        write([&] { RC_ASSERT(store.put(r).has_value()); }, by_key);
        break;
      }
      case Kind::kDelete: {
        const Range range = pick_range(c);
        etcdserverpb::DeleteRangeRequest r;
        r.set_key(range.key);
        r.set_range_end(range.end);
        write([&] { RC_ASSERT(store.delete_range(r).has_value()); }, by_key);
        break;
      }
      case Kind::kTxn:
        txn(c);
        break;
      case Kind::kCompact: {
        if (store.compact_revision() >= store.revision()) break;
        etcdserverpb::CompactionRequest r;
        const Revision span = store.revision() - store.compact_revision();
        r.set_revision(store.compact_revision() + 1 + c.pick(static_cast<int>(span)));
        RC_ASSERT(store.compact(r).has_value());
        break;
      }
      case Kind::kGrant: {
        etcdserverpb::LeaseGrantRequest r;
        r.set_ttl(10 + c.pick(50));
        RC_ASSERT(store.lease_grant(r, next_lease).has_value());
        leases.push_back(next_lease++);
        break;
      }
      case Kind::kRevoke: {
        if (leases.empty()) break;
        const auto at = leases.begin() + c.pick(static_cast<int>(leases.size()));
        etcdserverpb::LeaseRevokeRequest r;
        r.set_id(*at);
        leases.erase(at);
        write([&] { RC_ASSERT(store.lease_revoke(r).has_value()); }, by_key);
        break;
      }
      case Kind::kWatch:
        watch(c);
        break;
      case Kind::kCancel: {
        std::vector<Watcher*> open;
        for (auto& w : watchers) {
          if (!w.compacted && !w.cancelled_at) open.push_back(&w);
        }
        if (open.empty()) break;
        Watcher& w = *open[static_cast<std::size_t>(c.pick(static_cast<int>(open.size())))];
        RC_ASSERT(stream.cancel(w.id).has_value());
        const bool had_history = w.start > 0 && w.start <= w.created_at;
        w.cancelled_at = std::max(published, had_history ? w.created_at : 0);
        break;
      }
    }
    const bool wrote = s.kind == Kind::kPut || s.kind == Kind::kDelete || s.kind == Kind::kTxn ||
                       s.kind == Kind::kRevoke;
    if (!wrote || c.pick(4) != 0) publish();
    receive();
  }

  void publish() {
    stream.publish(store.take_events());
    published = store.revision();
  }

  etcdserverpb::PutRequest put_request(Choices& c) {
    etcdserverpb::PutRequest r;
    r.set_key(kKeys[c.pick(static_cast<int>(kKeys.size()))]);
    r.set_value("v" + std::to_string(c.pick(1000)));
    if (!leases.empty() && c.flip()) {
      r.set_lease(leases[static_cast<std::size_t>(c.pick(static_cast<int>(leases.size())))]);
    }
    return r;
  }

  // One to three puts and deletes, sometimes behind a compare; a request
  // that writes a key twice is refused by the store and changes nothing.
  void txn(Choices& c) {
    etcdserverpb::TxnRequest r;
    if (c.flip()) {
      auto* compare = r.add_compare();
      compare->set_key(kKeys[c.pick(static_cast<int>(kKeys.size()))]);
      compare->set_target(etcdserverpb::Compare::VERSION);
      compare->set_result(etcdserverpb::Compare::GREATER);
      compare->set_version(c.pick(3));
    }
    std::vector<Range> writes[2];  // what each branch's operations write, in order
    for (int branch = 0; branch < 2; ++branch) {
      const int ops = 1 + c.pick(3);
      for (int i = 0; i < ops; ++i) {
        auto* op = branch == 0 ? r.add_success() : r.add_failure();
        if (c.pick(3) != 0) {
          *op->mutable_request_put() = put_request(c);
          writes[branch].push_back({op->request_put().key(), ""});
        } else {
          const Range range = pick_range(c);
          op->mutable_request_delete_range()->set_key(range.key);
          op->mutable_request_delete_range()->set_range_end(range.end);
          writes[branch].push_back(range);
        }
      }
    }
    bool succeeded = false;
    auto run = [&] {
      auto response = store.txn(r);
      if (response) {
        succeeded = response->succeeded();
      } else {
        RC_ASSERT(response.error().code == Error::Code::kDuplicateKey);
      }
    };
    // The operation that wrote a key: the first of the chosen branch that
    // covers it (a later delete of the same range finds it gone).
    auto by_op = [&](const std::string& key) {
      const auto& ops = writes[succeeded ? 0 : 1];
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].covers(key)) return i;
      }
      return ops.size();
    };
    write(run, by_op);
  }

  void watch(Choices& c) {
    Watcher w;
    w.range = pick_range(c);
    switch (c.pick(4)) {
      case 0:
        w.start = 0;
        break;
      case 1:
        w.start = store.revision() + 1 + c.pick(3);
        break;  // in the future
      default:
        w.start = 1 + c.pick(static_cast<int>(store.revision()));
    }
    w.prev_kv = c.flip();
    w.no_put = c.pick(4) == 0;
    w.no_delete = c.pick(4) == 0;
    w.created_at = store.revision();
    w.compact_at = store.compact_revision();

    WatchCreateRequest r;
    r.set_key(w.range.key);
    r.set_range_end(w.range.end);
    r.set_start_revision(w.start);
    r.set_prev_kv(w.prev_kv);
    if (w.no_put) r.add_filters(WatchCreateRequest::NOPUT);
    if (w.no_delete) r.add_filters(WatchCreateRequest::NODELETE);
    auto id = stream.create(r);
    RC_ASSERT(id.has_value());
    for (const auto& other : watchers)
      RC_ASSERT(other.done || other.id != *id);
    w.id = *id;
    watchers.push_back(std::move(w));
  }

  Watcher* watcher(WatchId id) {
    // The newest with the id: a finished watch's id may be handed out again.
    for (auto w = watchers.rbegin(); w != watchers.rend(); ++w) {
      if (w->id == id) return &*w;
    }
    return nullptr;
  }

  // Files the stream's responses under their watchers.
  void receive() {
    for (const WatchResponse& r : stream.take_responses()) {
      RC_ASSERT(r.header().revision() == store.revision());
      Watcher* found = watcher(r.watch_id());
      RC_ASSERT(found != nullptr);
      Watcher& w = *found;
      RC_ASSERT(!w.done);
      if (r.created()) {
        RC_ASSERT(w.received.empty() && w.boundaries.empty());
        continue;
      }
      if (r.canceled()) {
        w.done = true;
        if (r.compact_revision() != 0) {
          RC_ASSERT(r.compact_revision() == w.compact_at);
          w.compacted = true;
        }
        continue;
      }
      RC_ASSERT(r.events_size() > 0);  // no progress requested: no empty responses
      for (int i = 1; i < r.events_size(); ++i) {
        if (r.events(i).kv().mod_revision() == r.events(i - 1).kv().mod_revision()) {
          whole_revision_seen = true;
        }
      }
      w.boundaries.push_back(r.events(0).kv().mod_revision());
      w.boundaries.push_back(r.events(r.events_size() - 1).kv().mod_revision());
      w.received.insert(w.received.end(), r.events().begin(), r.events().end());
    }
  }

  std::vector<mvccpb::Event> expected(const Watcher& w) const {
    const Revision from = w.start > 0 ? w.start : w.created_at + 1;
    std::vector<mvccpb::Event> out;
    for (const auto& e : log) {
      const Revision rev = e.kv().mod_revision();
      if (rev < from || (w.cancelled_at && rev > *w.cancelled_at)) continue;
      if (!w.range.covers(e.kv().key())) continue;
      if (w.no_put && e.type() == mvccpb::Event::PUT) continue;
      if (w.no_delete && e.type() == mvccpb::Event::DELETE) continue;
      mvccpb::Event want = e;
      // History at the compact revision itself cannot carry the version
      // before it: compaction dropped it (etcd leaves prev_kv out too).
      const bool history_at_compaction = rev <= w.created_at && rev == w.compact_at;
      if (!w.prev_kv || history_at_compaction) want.clear_prev_kv();
      out.push_back(std::move(want));
    }
    return out;
  }
};

std::vector<std::string> shown(const std::vector<mvccpb::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    out.push_back(e.ShortDebugString());
  return out;
}

TEST_CASE(
    "every watcher receives exactly the store's events for its range from its start "
    "revision, in order, once",
    "[kv][watch]") {
  rc::prop("watch streams follow the store", [] {
    const auto steps =
        *rc::gen::container<std::vector<Step>>(*rc::gen::inRange(1, 120), gen_step());
    Model m;
    for (const auto& s : steps) {
      m.step(s);
    }
    m.publish();  // what the last step held back
    m.receive();

    for (const auto& w : m.watchers) {
      const bool start_compacted = w.start > 0 && w.start <= w.created_at && w.start < w.compact_at;
      RC_ASSERT(w.compacted == start_compacted);
      RC_ASSERT(w.done == (w.compacted || w.cancelled_at.has_value()));
      if (w.compacted) {
        RC_ASSERT(w.received.empty());
        continue;
      }
      RC_ASSERT(shown(w.received) == shown(m.expected(w)));
      // No revision spans two responses: each response starts after the
      // last revision of the one before.
      for (std::size_t i = 2; i < w.boundaries.size(); i += 2) {
        RC_ASSERT(w.boundaries[i - 1] < w.boundaries[i]);
      }
    }
    RC_CLASSIFY(m.store.compact_revision() > 0, "compacted");
    RC_CLASSIFY(m.whole_revision_seen, "a revision of several events in one response");
    RC_CLASSIFY(std::any_of(m.watchers.begin(), m.watchers.end(),
                            [](const Watcher& w) { return w.compacted; }),
                "a watch cancelled for compaction");
    RC_CLASSIFY(std::any_of(m.watchers.begin(), m.watchers.end(),
                            [](const Watcher& w) { return w.received.size() >= 5; }),
                "a watch with 5 events or more");
  });
}

}  // namespace
}  // namespace etcetera::kv
