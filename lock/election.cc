#include "lock/election.h"

#include <utility>

#include "lock/guarded_write.h"
#include "lock/requests.h"

namespace etcetera::lock {

Election::Election(KvPort& port, std::string_view name, kv::LeaseId lease, Mutant mutant)
    : port_(port), name_(name), entry_(port, queue_prefix(name), lease, mutant) {}

Result<void> Election::campaign(std::string value, OnElected done) {
  return entry_.enter(
      std::move(value), std::nullopt, [done = std::move(done)](Result<QueueEntry::Turn> turn) {
        if (!turn) return done(std::unexpected(std::move(turn.error())));
        done(Leadership{std::move(turn->key), turn->create_revision, std::move(turn->header)});
      });
}

Result<void> Election::proclaim(std::string value, OnDone done) {
  if (!is_leader()) {
    return fail(Error::Code::kNotLeader,
                key() + " is " + state_name(state()) + ": campaign and win before proclaiming");
  }
  etcdserverpb::PutRequest put;
  put.set_key(key());
  put.set_value(std::move(value));
  put.set_lease(entry_.lease());
  auto on_put = [this, done = std::move(done)](Result<etcdserverpb::PutResponse> written) {
    if (written) return done(written->header());
    Error error = std::move(written.error());
    if (error.code == Error::Code::kNotHolder) {
      entry_.lost();
      error = fail(Error::Code::kNotLeader, key() +
                                                " is gone: the lease ended and with it the "
                                                "leadership; campaign again")
                  .error();
    }
    done(std::unexpected(std::move(error)));
  };
  submit_guarded_put(port_, key(), entry_.create_revision(), std::move(put),
                     lifetime_.guard(std::move(on_put)));
  return {};
}

Result<void> Election::resign(OnDone done) {
  if (!is_leader()) {
    return fail(Error::Code::kNotLeader,
                key() + " is " + state_name(state()) + ": only the leader can resign");
  }
  return entry_.leave(std::move(done));
}

void Election::leader(OnLeaderRead done) {
  auto on_read = [name = name_, done = std::move(done)](const kv::pb::Response& response) {
    auto txn = txn_response(response);
    if (!txn) return done(std::unexpected(std::move(txn.error())));
    const auto& kvs = txn->responses(0).response_range().kvs();
    if (kvs.empty()) {
      return done(fail(Error::Code::kNoLeader, "nobody campaigns in election " + name));
    }
    done(kvs[0]);
  };
  port_.submit(as_request(read_first(queue_prefix(name_))), std::move(on_read));
}

void Election::observe(LeaderObserver::OnLeader on_leader) {
  observer_.reset();  // the old one's watch goes before the new one's starts
  observer_ = std::make_unique<LeaderObserver>(port_, queue_prefix(name_), std::move(on_leader));
}

}  // namespace etcetera::lock
