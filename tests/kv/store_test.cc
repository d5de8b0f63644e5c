// The store, one scenario at a time: the worked examples of docs/kv.md.
#include <catch2/catch.hpp>

#include <vector>

#include "kv/decode.h"
#include "kv/store.h"
#include "kv/validate.h"

namespace etcetera::kv {
namespace {

etcdserverpb::PutRequest put(std::string key, std::string value, LeaseId lease = 0) {
  etcdserverpb::PutRequest r;
  r.set_key(std::move(key));
  r.set_value(std::move(value));
  r.set_lease(lease);
  return r;
}

etcdserverpb::RangeRequest get(std::string key, std::int64_t revision = 0) {
  etcdserverpb::RangeRequest r;
  r.set_key(std::move(key));
  r.set_revision(revision);
  return r;
}

etcdserverpb::DeleteRangeRequest del(std::string key, std::string range_end = "") {
  etcdserverpb::DeleteRangeRequest r;
  r.set_key(std::move(key));
  r.set_range_end(std::move(range_end));
  return r;
}

etcdserverpb::RequestOp op(etcdserverpb::PutRequest r) {
  etcdserverpb::RequestOp op;
  *op.mutable_request_put() = std::move(r);
  return op;
}

etcdserverpb::RequestOp op(etcdserverpb::RangeRequest r) {
  etcdserverpb::RequestOp op;
  *op.mutable_request_range() = std::move(r);
  return op;
}

etcdserverpb::RequestOp op(etcdserverpb::DeleteRangeRequest r) {
  etcdserverpb::RequestOp op;
  *op.mutable_request_delete_range() = std::move(r);
  return op;
}

etcdserverpb::RequestOp op(etcdserverpb::TxnRequest r) {
  etcdserverpb::RequestOp op;
  *op.mutable_request_txn() = std::move(r);
  return op;
}

// A transaction: if every compare holds, then `success`, else `failure`.
etcdserverpb::TxnRequest txn(std::vector<etcdserverpb::Compare> compares,
                             std::vector<etcdserverpb::RequestOp> success,
                             std::vector<etcdserverpb::RequestOp> failure = {}) {
  etcdserverpb::TxnRequest r;
  for (auto& c : compares)
    *r.add_compare() = std::move(c);
  for (auto& o : success)
    *r.add_success() = std::move(o);
  for (auto& o : failure)
    *r.add_failure() = std::move(o);
  return r;
}

etcdserverpb::Compare mod_is(std::string key, std::int64_t revision) {
  etcdserverpb::Compare c;
  c.set_key(std::move(key));
  c.set_target(etcdserverpb::Compare::MOD);
  c.set_result(etcdserverpb::Compare::EQUAL);
  c.set_mod_revision(revision);
  return c;
}

etcdserverpb::Compare value_is(std::string key, std::string value, std::string range_end = "") {
  etcdserverpb::Compare c;
  c.set_key(std::move(key));
  c.set_range_end(std::move(range_end));
  c.set_target(etcdserverpb::Compare::VALUE);
  c.set_result(etcdserverpb::Compare::EQUAL);
  c.set_value(std::move(value));
  return c;
}

etcdserverpb::CompactionRequest compaction(std::int64_t revision) {
  etcdserverpb::CompactionRequest r;
  r.set_revision(revision);
  return r;
}

// The code of a refused request, and that its message starts with etcd's text.
template <class T>
Error::Code refused(const Result<T>& result) {
  REQUIRE_FALSE(result);
  CHECK(result.error().message.starts_with(etcd_text(result.error().code)));
  return result.error().code;
}

TEST_CASE("prefix_end increments the last byte that can be incremented", "[kv]") {
  CHECK(prefix_end("foo") == "fop");
  CHECK(prefix_end(std::string("a\xff", 2)) == "b");
  CHECK(prefix_end(std::string("\xff\xff", 2)) == std::string(1, '\0'));
}

TEST_CASE("a key's versions, generations and past revisions", "[kv]") {
  Store store;
  CHECK(store.revision() == 1);  // the empty store; the first write is revision 2
  REQUIRE(store.put(put("k", "a")));
  REQUIRE(store.put(put("k", "b")));
  REQUIRE(store.delete_range(del("k")));
  REQUIRE(store.put(put("k", "c")));
  CHECK(store.revision() == 5);

  auto now = store.range(get("k"));
  REQUIRE(now);
  REQUIRE(now->kvs_size() == 1);
  CHECK(now->kvs(0).value() == "c");
  CHECK(now->kvs(0).create_revision() == 5);  // a new generation
  CHECK(now->kvs(0).version() == 1);

  auto then = store.range(get("k", 3));
  REQUIRE(then);
  REQUIRE(then->kvs_size() == 1);
  CHECK(then->kvs(0).value() == "b");
  CHECK(then->kvs(0).create_revision() == 2);
  CHECK(then->kvs(0).mod_revision() == 3);
  CHECK(then->kvs(0).version() == 2);

  auto deleted = store.range(get("k", 4));
  REQUIRE(deleted);
  CHECK(deleted->kvs_size() == 0);
  CHECK(deleted->count() == 0);
}

TEST_CASE("compaction makes older revisions unreadable, with the compact revision named", "[kv]") {
  Store store;
  for (int i = 0; i < 4; ++i)
    REQUIRE(store.put(put("k", std::to_string(i))));  // revisions 2..5
  etcdserverpb::CompactionRequest compact;
  compact.set_revision(4);
  REQUIRE(store.compact(compact));

  auto old = store.range(get("k", 3));
  REQUIRE_FALSE(old);
  CHECK(old.error().code == Error::Code::kCompacted);
  CHECK(old.error().message ==
        "mvcc: required revision has been compacted (revision 3 requested, compacted through 4)");
  auto at = store.range(get("k", 4));
  REQUIRE(at);
  CHECK(at->kvs(0).value() == "2");

  auto future = store.range(get("k", 9));
  REQUIRE_FALSE(future);
  CHECK(future.error().code == Error::Code::kFutureRevision);
  CHECK(store.record_count() == 2);  // revisions 4 and 5 of the key
}

TEST_CASE("a delete of nothing takes no revision", "[kv]") {
  Store store;
  REQUIRE(store.put(put("a", "1")));
  auto r = store.delete_range(del("missing"));
  REQUIRE(r);
  CHECK(r->deleted() == 0);
  CHECK(store.revision() == 2);
}

// ---- etcd's errors, by name ------------------------------------------------

TEST_CASE("an empty key is refused: etcdserver: key is not provided", "[kv]") {
  Store store;
  auto put_empty = store.put(put("", "v"));
  CHECK(refused(put_empty) == Error::Code::kEmptyKey);
  CHECK(put_empty.error().message == "etcdserver: key is not provided (put)");
  CHECK(refused(store.range(get(""))) == Error::Code::kEmptyKey);
  CHECK(refused(store.delete_range(del(""))) == Error::Code::kEmptyKey);
  CHECK(refused(store.txn(txn({}, {op(put("", "v"))}))) == Error::Code::kEmptyKey);
  CHECK(store.revision() == 1);
}

TEST_CASE("a request over 1.5 MiB is refused: etcdserver: request is too large", "[kv]") {
  const Limits limits;
  REQUIRE(limits.max_request_bytes == 1536 * 1024);
  pb::Request request;
  *request.mutable_put() = put("k", std::string(limits.max_request_bytes - 100, 'v'));
  CHECK(validate_request(request, limits));  // the value, the key and their framing fit
  request.mutable_put()->set_value(std::string(limits.max_request_bytes, 'v'));
  CHECK(refused(validate_request(request, limits)) == Error::Code::kRequestTooLarge);
}

TEST_CASE("transactions nest 128 deep, as etcd's op budget allows, and no deeper", "[kv]") {
  // Each level takes its largest list off what the levels inside may hold.
  auto chain = [](int depth) {
    etcdserverpb::TxnRequest t = txn({}, {op(put("k", "v"))});
    for (int d = 1; d < depth; ++d)
      t = txn({}, {op(t)});
    return t;
  };
  Store store;
  CHECK(store.txn(chain(128)));
  CHECK(refused(store.txn(chain(129))) == Error::Code::kTooManyOps);
  // Two operations a level leave room for half as many levels.
  auto wide = [](int depth) {
    etcdserverpb::TxnRequest t = txn({}, {op(put("a", "v"))});
    for (int d = 1; d < depth; ++d)
      t = txn({}, {op(t), op(get("b"))});
    return t;
  };
  CHECK(store.txn(wide(64)));
  CHECK(refused(store.txn(wide(65))) == Error::Code::kTooManyOps);
  // And a request that deep decodes from a raft entry.
  pb::Request request;
  *request.mutable_txn() = chain(128);
  pb::Request decoded;
  CHECK(decode(decoded, request.SerializeAsString()));
  CHECK_FALSE(decoded.ParseFromString(request.SerializeAsString()));  // protobuf's 100 levels
}

TEST_CASE("more than 128 operations in a txn: etcdserver: too many operations in txn request",
          "[kv]") {
  Store store;
  auto puts = [](int n) {
    std::vector<etcdserverpb::RequestOp> ops;
    for (int i = 0; i < n; ++i)
      ops.push_back(op(put("k" + std::to_string(i), "v")));
    return ops;
  };
  CHECK(refused(store.txn(txn({}, puts(129)))) == Error::Code::kTooManyOps);
  CHECK(refused(store.txn(txn({}, {}, puts(129)))) == Error::Code::kTooManyOps);
  CHECK(refused(store.txn(txn(std::vector(129, mod_is("k", 0)), {}))) == Error::Code::kTooManyOps);
  CHECK(refused(store.txn(txn({}, {op(txn({}, puts(129)))}))) == Error::Code::kTooManyOps);
  CHECK(store.revision() == 1);

  auto at_the_limit = store.txn(txn({}, puts(128)));
  REQUIRE(at_the_limit);
  CHECK(at_the_limit->responses_size() == 128);
  CHECK(store.revision() == 2);  // 128 puts, one revision
  CHECK(store.key_count() == 128);
}

TEST_CASE("a key written twice in a txn: etcdserver: duplicate key given in txn request", "[kv]") {
  Store store;
  CHECK(refused(store.txn(txn({}, {op(put("k", "1")), op(put("k", "2"))}))) ==
        Error::Code::kDuplicateKey);
  // A put inside a range the same branch deletes, in either order.
  CHECK(refused(store.txn(txn({}, {op(del("a", "c")), op(put("b", "1"))}))) ==
        Error::Code::kDuplicateKey);
  CHECK(refused(store.txn(txn({}, {op(put("b", "1")), op(del("a", "c"))}))) ==
        Error::Code::kDuplicateKey);
  // A nested transaction's put and its parent's put of the same key.
  CHECK(refused(store.txn(txn({}, {op(put("k", "1")), op(txn({}, {op(put("k", "2"))}))}))) ==
        Error::Code::kDuplicateKey);
  // The two branches of a transaction never both run: they may share keys.
  CHECK(store.txn(txn({}, {op(put("k", "1"))}, {op(put("k", "2"))})));
  CHECK(store.revision() == 2);

  // So may the then and the else of a nested transaction, beside other keys.
  auto nested = store.txn(
      txn({}, {op(put("other", "x")),
               op(txn({mod_is("k", 1)}, {op(put("k", "then"))}, {op(put("k", "else"))}))}));
  REQUIRE(nested);
  CHECK_FALSE(nested->responses(1).response_txn().succeeded());  // k was modified at 2
  auto k = store.range(get("k"));
  REQUIRE(k);
  CHECK(k->kvs(0).value() == "else");
}

TEST_CASE("a put with a lease that does not exist: etcdserver: requested lease not found", "[kv]") {
  Store store;
  CHECK(refused(store.put(put("k", "v", 7))) == Error::Code::kLeaseNotFound);
  CHECK(refused(store.txn(txn({}, {op(put("k", "v", 7))}))) == Error::Code::kLeaseNotFound);
  CHECK(store.revision() == 1);

  etcdserverpb::LeaseGrantRequest grant;
  grant.set_id(7);
  grant.set_ttl(10);
  REQUIRE(store.lease_grant(grant, 0));
  REQUIRE(store.put(put("k", "v", 7)));
  auto k = store.range(get("k"));
  REQUIRE(k);
  CHECK(k->kvs(0).lease() == 7);
}

TEST_CASE("ignore_value needs an existing key and no value of its own", "[kv]") {
  Store store;
  etcdserverpb::PutRequest keep = put("k", "");
  keep.set_ignore_value(true);
  CHECK(refused(store.put(keep)) == Error::Code::kKeyNotFound);  // etcdserver: key not found

  REQUIRE(store.put(put("k", "old")));
  etcdserverpb::PutRequest with_value = keep;
  with_value.set_value("new");
  CHECK(refused(store.put(with_value)) == Error::Code::kValueProvided);  // value is provided

  REQUIRE(store.put(keep));
  auto k = store.range(get("k"));
  REQUIRE(k);
  CHECK(k->kvs(0).value() == "old");
  CHECK(k->kvs(0).version() == 2);
}

TEST_CASE("compaction of the past or of the future is refused", "[kv]") {
  Store store;
  for (int i = 0; i < 4; ++i)
    REQUIRE(store.put(put("k", std::to_string(i))));  // revisions 2..5
  REQUIRE(store.compact(compaction(3)));
  // mvcc: required revision has been compacted
  CHECK(refused(store.compact(compaction(3))) == Error::Code::kCompacted);
  CHECK(refused(store.compact(compaction(2))) == Error::Code::kCompacted);
  // mvcc: required revision is a future revision
  CHECK(refused(store.compact(compaction(6))) == Error::Code::kFutureRevision);
  CHECK(store.compact_revision() == 3);
  CHECK(store.compact(compaction(5)));  // up to the current revision
}

// ---- Transactions ----------------------------------------------------------

TEST_CASE("compare-and-swap: the put runs only if the key is still at the revision read", "[kv]") {
  Store store;
  REQUIRE(store.put(put("k", "1")));  // revision 2
  const auto swap = [](std::int64_t seen, std::string value) {
    return txn({mod_is("k", seen)}, {op(put("k", std::move(value)))}, {op(get("k"))});
  };

  auto won = store.txn(swap(2, "2"));
  REQUIRE(won);
  CHECK(won->succeeded());
  CHECK(won->header().revision() == 3);
  CHECK(won->responses(0).has_response_put());

  auto lost = store.txn(swap(2, "3"));  // k was modified at 3 since
  REQUIRE(lost);
  CHECK_FALSE(lost->succeeded());
  CHECK(lost->header().revision() == 3);  // a read-only branch takes no revision
  const auto& current = lost->responses(0).response_range();
  REQUIRE(current.kvs_size() == 1);
  CHECK(current.kvs(0).value() == "2");
  CHECK(current.kvs(0).mod_revision() == 3);
}

TEST_CASE("a compare over a range holds only if it holds for every key in it", "[kv]") {
  Store store;
  REQUIRE(store.put(put("lock/a", "free")));
  REQUIRE(store.put(put("lock/b", "free")));
  REQUIRE(store.put(put("lockz", "taken")));  // outside the prefix
  const auto all_free = txn({value_is("lock/", "free", prefix_end("lock/"))}, {});

  auto free = store.txn(all_free);
  REQUIRE(free);
  CHECK(free->succeeded());

  REQUIRE(store.put(put("lock/b", "taken")));
  auto taken = store.txn(all_free);
  REQUIRE(taken);
  CHECK_FALSE(taken->succeeded());

  // A value compare on a range with no key fails: no value is not "".
  auto empty = store.txn(txn({value_is("none/", "", prefix_end("none/"))}, {}));
  REQUIRE(empty);
  CHECK_FALSE(empty->succeeded());
}

TEST_CASE("a nested txn's compares see the store before the outer txn wrote", "[kv]") {
  Store store;
  REQUIRE(store.put(put("a", "1")));  // revision 2
  // The outer txn rewrites a at revision 3; the nested compare still sees a
  // at revision 2, so the nested txn takes its then branch.
  auto r =
      store.txn(txn({mod_is("a", 2)},
                    {op(put("a", "2")),
                     op(txn({mod_is("a", 2)}, {op(put("b", "then"))}, {op(put("b", "else"))}))}));
  REQUIRE(r);
  CHECK(r->succeeded());
  CHECK(r->header().revision() == 3);
  const auto& nested = r->responses(1).response_txn();
  CHECK(nested.succeeded());
  CHECK_FALSE(nested.has_header());  // only the outer response has one
  auto b = store.range(get("b"));
  REQUIRE(b);
  CHECK(b->kvs(0).value() == "then");
  CHECK(b->kvs(0).mod_revision() == 3);  // one revision for the whole txn
}

TEST_CASE("a range inside a txn sees the txn's earlier writes", "[kv]") {
  Store store;
  REQUIRE(store.put(put("k", "before")));  // revision 2
  auto r =
      store.txn(txn({}, {op(get("k")), op(put("k", "during")), op(get("k")), op(get("k", 2))}));
  REQUIRE(r);
  CHECK(r->responses(0).response_range().kvs(0).value() == "before");
  const auto& after = r->responses(2).response_range().kvs(0);
  CHECK(after.value() == "during");
  CHECK(after.mod_revision() == 3);
  CHECK(after.version() == 2);
  CHECK(r->responses(3).response_range().kvs(0).value() == "before");  // revision 2 asked
}

}  // namespace
}  // namespace etcetera::kv
