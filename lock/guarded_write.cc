#include "lock/guarded_write.h"

#include <utility>

#include "lock/requests.h"

namespace etcetera::lock {

etcdserverpb::TxnRequest guarded_put(const std::string& holder_key, kv::Revision token,
                                     etcdserverpb::PutRequest put) {
  etcdserverpb::TxnRequest txn;
  *txn.add_compare() = created_at(holder_key, token);
  *txn.add_success()->mutable_request_put() = std::move(put);
  return txn;
}

void submit_guarded_put(KvPort& port, const std::string& holder_key, kv::Revision token,
                        etcdserverpb::PutRequest put, OnGuardedPut done) {
  const std::string written = put.key();
  auto on_answer = [holder_key, token, written,
                    done = std::move(done)](const kv::pb::Response& response) {
    auto txn = txn_response(response);
    if (!txn) return done(std::unexpected(std::move(txn.error())));
    if (!txn->succeeded()) {
      return done(fail(Error::Code::kNotHolder,
                       "refused to write " + written + ": " + holder_key +
                           " no longer exists with create revision " + std::to_string(token) +
                           ", so the lock fenced by token " + std::to_string(token) +
                           " was lost; lock again and use the new token"));
    }
    etcdserverpb::PutResponse put_response = txn->responses(0).response_put();
    *put_response.mutable_header() = txn->header();
    done(std::move(put_response));
  };
  port.submit(as_request(guarded_put(holder_key, token, std::move(put))), std::move(on_answer));
}

}  // namespace etcetera::lock
