// Revisions. The store's clock is its main revision: one per write request
// (a transaction is one request), starting from 1 for the empty store, so the
// first write is revision 2 as in etcd. Inside one main revision each change
// to a key takes the next sub revision, so (main, sub) orders every change
// ever made, and a watcher sees one request's changes in that order.
#pragma once

#include <compare>
#include <cstdint>

namespace etcetera::kv {

using Revision = std::int64_t;  // a main revision
using LeaseId = std::int64_t;   // 0: no lease

struct RevisionId {
  Revision main = 0;
  std::int64_t sub = 0;
  auto operator<=>(const RevisionId&) const = default;
};

}  // namespace etcetera::kv
