// Property: kv::Store answers every request exactly as the naive reference
// model of reference_model.h does. Random sequences of requests over five
// keys that prefix one another ("a", "ab", "abc", "b", "c"), so that ranges,
// compares and transactions keep colliding: puts (prev_kv, leases,
// ignore_value / ignore_lease), delete ranges, transactions (compares on
// every target with every result, nested transactions, ranges at past
// revisions, duplicate keys), ranges with every option, compactions, lease
// grants and revokes. After each request the two answers (the etcd response
// message, or the error code) must be equal, and so must the revisions and
// the lease tables; at the end, every revision still readable must read the
// same. rapidcheck shrinks a failing sequence and prints it, one request per
// line, with the first disagreement.
#include <google/protobuf/util/message_differencer.h>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kv/store.h"
#include "tests/kv/reference_model.h"

namespace etcetera::kv {
namespace {

using etcdserverpb::CompactionRequest;
using etcdserverpb::Compare;
using etcdserverpb::DeleteRangeRequest;
using etcdserverpb::LeaseRevokeRequest;
using etcdserverpb::PutRequest;
using etcdserverpb::RangeRequest;
using etcdserverpb::RequestOp;
using etcdserverpb::TxnRequest;

// A lease grant with the id the caller would generate for it.
struct LeaseGrant {
  etcdserverpb::LeaseGrantRequest request;
  LeaseId generated = 0;
};

using Request = std::variant<RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest,
                             CompactionRequest, LeaseGrant, LeaseRevokeRequest>;

// The same call on the store or on the model.
template <class Target>
auto send(Target& t, const RangeRequest& r) {
  return t.range(r);
}
template <class Target>
auto send(Target& t, const PutRequest& r) {
  return t.put(r);
}
template <class Target>
auto send(Target& t, const DeleteRangeRequest& r) {
  return t.delete_range(r);
}
template <class Target>
auto send(Target& t, const TxnRequest& r) {
  return t.txn(r);
}
template <class Target>
auto send(Target& t, const CompactionRequest& r) {
  return t.compact(r);
}
template <class Target>
auto send(Target& t, const LeaseGrant& g) {
  return t.lease_grant(g.request, g.generated);
}
template <class Target>
auto send(Target& t, const LeaseRevokeRequest& r) {
  return t.lease_revoke(r);
}

std::string describe(const Request& request) {
  static const char* const names[] = {"Range",      "Put",        "DeleteRange", "Txn",
                                      "Compaction", "LeaseGrant", "LeaseRevoke"};
  std::string text = names[request.index()];
  std::visit(
      [&](const auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, LeaseGrant>) {
          text += " { " + r.request.ShortDebugString() + " } (generated id " +
                  std::to_string(r.generated) + ")";
        } else {
          text += " { " + r.ShortDebugString() + " }";
        }
      },
      request);
  return text;
}

template <class T>
std::string show(const Result<T>& result) {
  if (!result) {
    return "error " + std::to_string(static_cast<int>(result.error().code)) + ": " +
           result.error().message;
  }
  return "{ " + result->ShortDebugString() + " }";
}

template <class T>
bool same(const Result<T>& a, const Result<T>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return a.error().code == b.error().code;
  return google::protobuf::util::MessageDifferencer::Equals(*a, *b);
}

// Sends `request` to both; describes their disagreement, if any.
std::optional<std::string> disagreement(Store& store, reference::Model& model,
                                        const Request& request) {
  return std::visit(
      [&](const auto& r) -> std::optional<std::string> {
        auto from_store = send(store, r);
        auto from_model = send(model, r);
        if (same(from_store, from_model)) return std::nullopt;
        return "the store and the model disagree on\n  " + describe(request) +
               "\n  store: " + show(from_store) + "\n  model: " + show(from_model);
      },
      request);
}

// The revisions and the leases (with the keys each holds) must agree too.
std::optional<std::string> state_disagreement(const Store& store, const reference::Model& model) {
  auto describe_state = [](Revision revision, Revision compacted, std::string leases) {
    return "revision " + std::to_string(revision) + ", compacted through " +
           std::to_string(compacted) + ", leases {" + leases + " }";
  };
  std::string store_leases, model_leases;
  for (const auto& [id, lease] : store.lessor().leases()) {
    store_leases += " " + std::to_string(id) + ":" + std::to_string(lease.ttl) + "[";
    for (const auto& key : lease.keys)
      store_leases += " " + key;
    store_leases += " ]";
  }
  for (const auto& [id, ttl] : model.leases()) {
    model_leases += " " + std::to_string(id) + ":" + std::to_string(ttl) + "[";
    for (const auto& key : model.lease_keys(id))
      model_leases += " " + key;
    model_leases += " ]";
  }
  std::string in_store = describe_state(store.revision(), store.compact_revision(), store_leases);
  std::string in_model = describe_state(model.revision(), model.compact_revision(), model_leases);
  if (in_store == in_model) return std::nullopt;
  return "\n  store: " + in_store + "\n  model: " + in_model;
}

// ---- Generators ------------------------------------------------------------

const std::vector<std::string> kKeys{"a", "ab", "abc", "b", "c"};
const std::vector<std::string> kValues{"", "x", "y", "z"};

// What the generators need to know of the model: where revisions stand and
// which leases exist, so that most requests are near the interesting edges.
struct Context {
  Revision revision = 1;
  Revision compact_revision = 0;
  std::vector<LeaseId> leases;
};

// True `percent` times in a hundred; shrinks to false.
bool chance(int percent) {
  return *rc::gen::inRange(0, 100) >= 100 - percent;
}

template <class T>
T pick(const std::vector<T>& from) {
  return *rc::gen::elementOf(from);
}

std::string gen_range_end(const std::string& key) {
  switch (*rc::gen::inRange(0, 6)) {
    case 0:
    case 1:
    case 2:
      return "";  // the key alone
    case 3:
      return std::string(1, '\0');  // every key from it on
    case 4:
      return prefix_end(key);  // the keys it prefixes
    default:
      return pick(kKeys);  // maybe below the key: an empty range
  }
}

// 0 (the current revision) most of the time, else anything from just below
// the compact revision (refused) to just past the current one (refused).
std::int64_t gen_read_revision(const Context& c) {
  if (!chance(40)) return 0;
  return *rc::gen::inRange<std::int64_t>(c.compact_revision - 1, c.revision + 2);
}

LeaseId gen_lease(const Context& c) {
  if (!c.leases.empty() && chance(75)) return pick(c.leases);
  return *rc::gen::inRange<LeaseId>(1, 7);  // 6 is never granted
}

RangeRequest gen_range(const Context& c) {
  RangeRequest r;
  r.set_key(pick(kKeys));
  r.set_range_end(gen_range_end(r.key()));
  r.set_revision(gen_read_revision(c));
  if (chance(40)) r.set_limit(*rc::gen::inRange(1, 4));
  if (chance(50)) {
    r.set_sort_order(static_cast<RangeRequest::SortOrder>(*rc::gen::inRange(0, 3)));
    r.set_sort_target(static_cast<RangeRequest::SortTarget>(*rc::gen::inRange(0, 5)));
  }
  r.set_keys_only(chance(20));
  r.set_count_only(chance(15));
  auto bound = [&]() -> std::int64_t {
    return chance(20) ? *rc::gen::inRange<std::int64_t>(1, c.revision + 2) : 0;
  };
  r.set_min_mod_revision(bound());
  r.set_max_mod_revision(bound());
  r.set_min_create_revision(bound());
  r.set_max_create_revision(bound());
  return r;
}

PutRequest gen_put(const Context& c) {
  PutRequest r;
  r.set_key(pick(kKeys));
  r.set_value(pick(kValues));
  if (chance(30)) r.set_lease(gen_lease(c));
  r.set_prev_kv(chance(50));
  if (chance(15)) {
    r.set_ignore_value(true);
    if (!chance(20)) r.clear_value();  // else refused: a value with ignore_value
  }
  if (chance(15)) {
    r.set_ignore_lease(true);
    if (!chance(20)) r.set_lease(0);  // else refused: a lease with ignore_lease
  }
  return r;
}

DeleteRangeRequest gen_delete(bool ranges) {
  DeleteRangeRequest r;
  r.set_key(pick(kKeys));
  if (ranges) r.set_range_end(gen_range_end(r.key()));
  r.set_prev_kv(chance(50));
  return r;
}

Compare gen_compare(const Context& c) {
  Compare cmp;
  cmp.set_key(pick(kKeys));
  if (chance(30)) cmp.set_range_end(gen_range_end(cmp.key()));
  cmp.set_result(static_cast<Compare::CompareResult>(*rc::gen::inRange(0, 4)));
  cmp.set_target(static_cast<Compare::CompareTarget>(*rc::gen::inRange(0, 5)));
  switch (cmp.target()) {
    case Compare::VERSION:
      cmp.set_version(*rc::gen::inRange(0, 4));
      break;
    case Compare::CREATE:
      cmp.set_create_revision(*rc::gen::inRange<std::int64_t>(0, c.revision + 2));
      break;
    case Compare::MOD:
      cmp.set_mod_revision(*rc::gen::inRange<std::int64_t>(0, c.revision + 2));
      break;
    case Compare::VALUE:
      cmp.set_value(pick(kValues));
      break;
    default:
      cmp.set_lease(chance(50) ? gen_lease(c) : 0);
      break;
  }
  return cmp;
}

TxnRequest gen_txn(const Context& c, int depth);

RequestOp gen_op(const Context& c, int depth) {
  RequestOp op;
  switch (*rc::gen::inRange(0, depth < 2 ? 4 : 3)) {
    case 0:
      *op.mutable_request_range() = gen_range(c);
      break;
    case 1:
      *op.mutable_request_put() = gen_put(c);
      break;
    case 2:
      *op.mutable_request_delete_range() = gen_delete(chance(30));
      break;
    default:
      *op.mutable_request_txn() = gen_txn(c, depth + 1);
      break;
  }
  return op;
}

TxnRequest gen_txn(const Context& c, int depth) {
  TxnRequest t;
  const int compares = *rc::gen::inRange(0, 3);
  for (int i = 0; i < compares; ++i)
    *t.add_compare() = gen_compare(c);
  for (auto* ops : {t.mutable_success(), t.mutable_failure()}) {
    const int n = *rc::gen::inRange(0, 4);
    for (int i = 0; i < n; ++i)
      *ops->Add() = gen_op(c, depth);
  }
  return t;
}

LeaseGrant gen_lease_grant() {
  LeaseGrant g;
  if (chance(50)) g.request.set_id(*rc::gen::inRange<LeaseId>(-1, 6));
  g.generated = *rc::gen::inRange<LeaseId>(1, 6);
  g.request.set_ttl(pick(std::vector<std::int64_t>{0, 10, -3, 10, kMaxLeaseTtl + 1}));
  return g;
}

Request gen_request(const Context& c) {
  const int kind = *rc::gen::inRange(0, 20);
  if (kind < 4) return gen_range(c);
  if (kind < 10) return gen_put(c);
  if (kind < 12) return gen_delete(chance(60));
  if (kind < 16) return gen_txn(c, 0);
  if (kind < 18) {
    CompactionRequest r;
    r.set_revision(
        chance(10) ? 0 : *rc::gen::inRange<std::int64_t>(c.compact_revision, c.revision + 2));
    return r;
  }
  if (kind == 18) return gen_lease_grant();
  LeaseRevokeRequest r;
  r.set_id(gen_lease(c));
  return r;
}

// ---- The property ----------------------------------------------------------

// The system under test: the store, and the model it is checked against.
struct System {
  Store store;
  reference::Model model;
  int txns_written = 0;  // transactions that took a revision
};

struct Apply final : rc::state::Command<reference::Model, System> {
  Request request;
  explicit Apply(Request r) : request(std::move(r)) {}

  void apply(reference::Model& model) const override {
    std::visit([&](const auto& r) { (void)send(model, r); }, request);
  }

  void run(const reference::Model&, System& system) const override {
    const Revision before = system.store.revision();
    if (auto diff = disagreement(system.store, system.model, request)) RC_FAIL(*diff);
    if (auto diff = state_disagreement(system.store, system.model)) {
      RC_FAIL("the store and the model disagree after\n  " + describe(request) + *diff);
    }
    (void)system.store.take_events();
    if (std::holds_alternative<TxnRequest>(request) && system.store.revision() > before) {
      ++system.txns_written;
    }
  }

  void show(std::ostream& os) const override { os << describe(request); }
};

using Command = rc::state::Command<reference::Model, System>;

rc::Gen<std::shared_ptr<const Command>> gen_command(const reference::Model& model) {
  Context c{model.revision(), model.compact_revision(), {}};
  for (const auto& [id, ttl] : model.leases())
    c.leases.push_back(id);
  return rc::gen::exec(
      [c]() -> std::shared_ptr<const Command> { return std::make_shared<Apply>(gen_request(c)); });
}

TEST_CASE("the store answers every request like the reference model", "[kv][property]") {
  rc::prop("random request sequences", [] {
    // Up to 300 requests (rapidcheck's size goes to 100), so that a sequence
    // has time to build generations, compact them and revoke leases.
    const auto requests =
        *rc::gen::scale(3.0, rc::state::gen::commands(reference::Model{}, gen_command));
    System system;
    rc::state::runAll(requests, reference::Model{}, system);

    // Every revision still readable reads the same, key for key.
    for (Revision at = std::max<Revision>(system.store.compact_revision(), 1);
         at <= system.store.revision(); ++at) {
      RangeRequest all;
      all.set_key(std::string(1, '\0'));
      all.set_range_end(std::string(1, '\0'));
      all.set_revision(at);
      if (auto diff = disagreement(system.store, system.model, all)) RC_FAIL(*diff);
    }
    RC_CLASSIFY(system.txns_written >= 3, "three or more transactions wrote");
    RC_CLASSIFY(system.store.compact_revision() > 1, "compacted");
    RC_CLASSIFY(system.store.revision() >= 20, "20 revisions or more");
  });
}

}  // namespace
}  // namespace etcetera::kv
