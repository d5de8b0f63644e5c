// Properties of the apply layer (kv/state_machine.h): a snapshot round-trips
// exactly, and a lease's end deletes exactly its keys, at one revision.
//
// Round trip: a state machine that applied random entries is snapshotted and
// restored into a fresh one. The two must agree on everything a client can
// see (every key at every readable revision, the leases, the applied index)
// and keep agreeing: the same further entries give the same snapshot bytes.
// That last part is what catches a restore that rebuilds the key index
// wrongly, since the next write to a key reads its generation.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "kv/state_machine.h"

namespace etcetera::kv {
namespace {

const std::vector<std::string> kKeys = {"a", "ab", "b", "c"};

// One random request, as it would arrive in an entry.
pb::Request gen_request(const StateMachine& sm) {
  pb::Request r;
  const auto& key = kKeys[*rc::gen::inRange<std::size_t>(0, kKeys.size())];
  const auto& leases = sm.store().lessor().leases();
  switch (*rc::gen::inRange(0, 10)) {
    case 0:
    case 1:
    case 2: {
      auto* put = r.mutable_put();
      put->set_key(key);
      put->set_value(*rc::gen::element<std::string>("x", "y", "z"));
      if (!leases.empty() && *rc::gen::inRange(0, 3) == 0) put->set_lease(leases.begin()->first);
      break;
    }
    case 3: {
      r.mutable_delete_range()->set_key(key);
      if (*rc::gen::inRange(0, 2) == 0) r.mutable_delete_range()->set_range_end(prefix_end(key));
      break;
    }
    case 4: {
      auto* txn = r.mutable_txn();
      auto* cmp = txn->add_compare();
      cmp->set_key(key);
      cmp->set_target(etcdserverpb::Compare::VERSION);
      cmp->set_result(etcdserverpb::Compare::GREATER);
      cmp->set_version(*rc::gen::inRange(0, 3));
      txn->add_success()->mutable_request_put()->set_key(key);
      txn->add_failure()->mutable_request_delete_range()->set_key(kKeys[0]);
      break;
    }
    case 5: {
      const auto rev = sm.store().revision();
      const auto from = sm.store().compact_revision() + 1;
      r.mutable_compaction()->set_revision(from <= rev ? *rc::gen::inRange(from, rev + 1) : rev);
      break;
    }
    case 6:
      r.mutable_lease_grant()->set_ttl(*rc::gen::inRange(1, 100));
      break;
    case 7:
      if (!leases.empty()) {
        r.mutable_lease_revoke()->set_id(std::prev(leases.end())->first);
        break;
      }
      [[fallthrough]];
    default:
      r.mutable_put()->set_key(key);
      r.mutable_put()->set_value("w");
  }
  return r;
}

raft::pb::Entry entry(std::uint64_t index, const pb::Request& r) {
  raft::pb::Entry e;
  e.set_index(index);
  e.set_term(1);
  e.set_data(encode(r));
  return e;
}

// Everything a client can read: every key at every readable revision.
std::string readable(const Store& store) {
  std::string out;
  for (auto rev = std::max<Revision>(store.compact_revision(), 1); rev <= store.revision(); ++rev) {
    etcdserverpb::RangeRequest all;
    all.set_key(std::string(1, '\0'));
    all.set_range_end(std::string(1, '\0'));
    all.set_revision(rev);
    out += store.range(all)->SerializeAsString();
  }
  for (const auto& [id, lease] : store.lessor().leases()) {
    out += std::to_string(id) + ":" + std::to_string(lease.ttl) + ":";
    for (const auto& k : lease.keys)
      out += k + ",";
  }
  return out;
}

TEST_CASE("a state machine snapshot round-trips exactly", "[kv][snapshot]") {
  rc::prop("restore(snapshot()) reads and behaves as the original", [] {
    StateMachine original;
    std::uint64_t index = 0;
    const auto before = *rc::gen::inRange(0, 40);
    for (int i = 0; i < before; ++i)
      original.apply(entry(++index, gen_request(original)));

    StateMachine copy;
    REQUIRE(copy.restore(original.snapshot()));
    RC_ASSERT(copy.applied_index() == original.applied_index());
    RC_ASSERT(copy.snapshot() == original.snapshot());
    RC_ASSERT(readable(copy.store()) == readable(original.store()));

    const auto after = *rc::gen::inRange(0, 20);
    for (int i = 0; i < after; ++i) {
      const auto r = gen_request(original);
      ++index;
      auto a = original.apply(entry(index, r));
      auto b = copy.apply(entry(index, r));
      RC_ASSERT(a.has_value() == b.has_value());
      if (a) RC_ASSERT(a->SerializeAsString() == b->SerializeAsString());
    }
    RC_ASSERT(copy.snapshot() == original.snapshot());
  });
}

TEST_CASE("a snapshot in parts is the same snapshot", "[kv][snapshot]") {
  rc::prop("restore_parts(write_snapshot()) gives back the same state, whatever the batch size",
           [] {
             StateMachine original;
             std::uint64_t index = 0;
             const auto writes = *rc::gen::inRange(0, 60);
             for (int i = 0; i < writes; ++i)
               original.apply(entry(++index, gen_request(original)));
             const auto batch_bytes = static_cast<std::size_t>(*rc::gen::inRange(1, 400));
             std::vector<pb::SnapshotPart> parts;
             original.write_snapshot([&](pb::SnapshotPart p) { parts.push_back(std::move(p)); },
                                     batch_bytes);
             RC_ASSERT(parts.front().has_head());
             RC_ASSERT(parts.front().head().records_size() == 0);
             std::size_t at = 0;
             StateMachine copy;
             REQUIRE(copy.restore_parts([&]() -> Result<std::optional<pb::SnapshotPart>> {
               if (at == parts.size()) return std::nullopt;
               return parts[at++];
             }));
             RC_ASSERT(copy.snapshot() == original.snapshot());
             RC_ASSERT(readable(copy.store()) == readable(original.store()));
             RC_ASSERT(copy.store().stored_bytes() == original.store().stored_bytes());
           });
}

TEST_CASE("a store released before a restore holds nothing, and takes the snapshot whole",
          "[kv][snapshot]") {
  rc::prop("release_store() then restore_parts() gives the snapshot's state, not a mix", [] {
    StateMachine original, member;
    std::uint64_t index = 0;
    for (int i = *rc::gen::inRange(1, 40); i > 0; --i)
      original.apply(entry(++index, gen_request(original)));
    std::uint64_t own = 0;
    for (int i = *rc::gen::inRange(1, 40); i > 0; --i)
      member.apply(entry(++own, gen_request(member)));
    std::vector<pb::SnapshotPart> parts;
    original.write_snapshot([&](pb::SnapshotPart p) { parts.push_back(std::move(p)); }, 64);
    member.release_store();
    RC_ASSERT(member.store().stored_bytes() == 0u);
    RC_ASSERT(readable(member.store()) == readable(Store{}));
    std::size_t at = 0;
    RC_ASSERT(member.restore_parts([&]() -> Result<std::optional<pb::SnapshotPart>> {
      if (at == parts.size()) return std::nullopt;
      return parts[at++];
    }).has_value());
    RC_ASSERT(member.snapshot() == original.snapshot());
  });
}

TEST_CASE("a snapshot in parts that lacks its head, or has two, is refused", "[kv][snapshot]") {
  StateMachine sm;
  pb::SnapshotPart records;
  records.mutable_records();
  std::vector<pb::SnapshotPart> parts = {records};
  std::size_t at = 0;
  auto next = [&]() -> Result<std::optional<pb::SnapshotPart>> {
    if (at == parts.size()) return std::nullopt;
    return parts[at++];
  };
  auto no_head = sm.restore_parts(next);
  REQUIRE_FALSE(no_head);
  CHECK(no_head.error().code == Error::Code::kCorrupt);
  pb::SnapshotPart head;
  head.mutable_head()->set_revision(1);
  parts = {head, head};
  at = 0;
  auto two_heads = sm.restore_parts(next);
  REQUIRE_FALSE(two_heads);
  CHECK(two_heads.error().message.find("second head") != std::string::npos);
}

TEST_CASE("a snapshot that does not decode or contradicts itself is refused", "[kv][snapshot]") {
  StateMachine sm;
  auto garbage = sm.restore("not a snapshot");
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().code == Error::Code::kCorrupt);

  pb::Snapshot backwards;
  backwards.set_revision(5);
  for (int main : {4, 3}) {
    auto* rec = backwards.add_records();
    rec->set_main(main);
    rec->mutable_kv()->set_key("k");
  }
  auto refused = sm.restore(backwards.SerializeAsString());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "corrupt data (snapshot record at revision 3.0 out of order)");
  CHECK(sm.store().revision() == 1);  // nothing changed
}

TEST_CASE("an entry that is not a request is answered with an error on every replica",
          "[kv][snapshot]") {
  StateMachine sm;
  raft::pb::Entry e;
  e.set_index(1);
  e.set_data("\xff\xff garbage");
  auto response = sm.apply(e);
  REQUIRE(response.has_value());
  REQUIRE(response->has_error());
  CHECK(to_error(response->error()).code == Error::Code::kCorrupt);
  CHECK(sm.applied_index() == 1);
  CHECK_FALSE(sm.apply(e).has_value());  // already applied
}

TEST_CASE("revoking a lease deletes exactly its keys, at one revision", "[kv][lease]") {
  rc::prop("lease revoke", [] {
    Store store;
    const int leases = *rc::gen::inRange(1, 4);
    for (int id = 1; id <= leases; ++id) {
      etcdserverpb::LeaseGrantRequest g;
      g.set_id(id);
      g.set_ttl(10);
      RC_ASSERT(store.lease_grant(g, 0).has_value());
    }
    // Keys attached to random leases (0: none), some re-attached on the way.
    std::map<std::string, LeaseId> holder;
    const auto puts = *rc::gen::inRange(1, 30);
    for (int i = 0; i < puts; ++i) {
      etcdserverpb::PutRequest p;
      p.set_key("k" + std::to_string(*rc::gen::inRange(0, 8)));
      p.set_lease(*rc::gen::inRange(0, leases + 1));
      RC_ASSERT(store.put(p).has_value());
      holder[p.key()] = p.lease();
    }
    const LeaseId victim = *rc::gen::inRange(1, leases + 1);
    const auto before = store.revision();
    (void)store.take_events();
    RC_ASSERT(store
                  .lease_revoke([&] {
                    etcdserverpb::LeaseRevokeRequest r;
                    r.set_id(victim);
                    return r;
                  }())
                  .has_value());
    const auto events = store.take_events();
    std::size_t held = 0;
    for (const auto& [key, lease] : holder) {
      etcdserverpb::RangeRequest get;
      get.set_key(key);
      const bool present = store.range(get)->kvs_size() == 1;
      RC_ASSERT(present == (lease != victim));
      held += lease == victim ? 1 : 0;
    }
    RC_ASSERT(events.size() == held);
    for (const auto& e : events) {
      RC_ASSERT(e.type() == mvccpb::Event::DELETE);
      RC_ASSERT(e.kv().mod_revision() == before + 1);
    }
    RC_ASSERT(store.revision() == (held > 0 ? before + 1 : before));
    RC_ASSERT(!store.lessor().contains(victim));
  });
}

TEST_CASE("a lease kept alive in time never expires; one left alone does", "[kv][lease]") {
  rc::prop("lease clock", [] {
    Lessor lessor;
    const std::int64_t ttl = *rc::gen::inRange(1, 10);
    lessor.grant(7, ttl);
    LeaseClock clock;
    Millis now = 0;
    clock.promote(lessor, now, 1000);
    // Keep-alives at random gaps shorter than the TTL: never expired.
    const auto renewals = *rc::gen::inRange(1, 30);
    for (int i = 0; i < renewals; ++i) {
      now += *rc::gen::inRange<Millis>(1, ttl * 1000);
      RC_ASSERT(clock.expired(lessor, now, 1000).empty());
      RC_ASSERT(clock.keep_alive(lessor, 7, now).has_value());
    }
    // Then silence: expired once the TTL has passed, not before.
    RC_ASSERT(clock.expired(lessor, now + ttl * 1000 - 1, 1000).empty());
    RC_ASSERT(clock.expired(lessor, now + ttl * 1000, 1000) == std::vector<LeaseId>{7});
    // Offered once, then again only after the retry interval.
    RC_ASSERT(clock.expired(lessor, now + ttl * 1000 + 1, 1000).empty());
    RC_ASSERT(clock.expired(lessor, now + ttl * 1000 + 1000, 1000) == std::vector<LeaseId>{7});
  });
}

}  // namespace
}  // namespace etcetera::kv
