#include "server/api/election_service.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

#include "lock/observer.h"
#include "lock/requests.h"
#include "server/api/lock_errors.h"
#include "server/api/unary.h"

namespace etcetera::server::api {

using namespace v3electionpb;

namespace {

using Elected = lock::Result<lock::Election::Leadership>;

// etcd's election errors: plain errors there, so UNKNOWN on the wire.
grpc::Status election_error(const char* text) {
  return grpc::Status(grpc::StatusCode::UNKNOWN, text);
}
constexpr const char* kNotLeader = "election: not leader";
constexpr const char* kNoLeader = "election: no leader";
constexpr const char* kMissingLeaderKey = "\"leader\" field must be provided";

bool in_flight(lock::Election::State s) {
  using S = lock::Election::State;
  return s == S::kEnqueuing || s == S::kChecking || s == S::kWaiting || s == S::kGivingUp ||
         s == S::kReleasing;
}

// A guarded txn on a LeaderKey: `op` only while the leader's key exists
// with the create revision it won with.
etcdserverpb::TxnRequest if_still_leader(const LeaderKey& leader) {
  etcdserverpb::TxnRequest txn;
  *txn.add_compare() = lock::created_at(leader.key(), leader.rev());
  return txn;
}

}  // namespace

void ElectionApiService::reap() {
  std::erase_if(campaigns_, [](const auto& c) { return !in_flight(c.second->state()); });
}

grpc::Status ElectionApiService::Campaign(grpc::ServerContext* context,
                                          const CampaignRequest* request,
                                          CampaignResponse* response) {
  const std::uint64_t id = next_id_++;
  Waiter<Elected> waiter;
  port_.post([this, id, request = *request, reply = waiter.reply()] {
    reap();
    auto& election = campaigns_[id] =
        std::make_unique<lock::Election>(port_, request.name(), request.lease());
    auto answer = [reply](Elected elected) {
      reply(ApiResult<Elected>(std::in_place, std::move(elected)));
    };
    if (auto started = election->campaign(request.value(), answer); !started) {
      answer(std::unexpected(std::move(started.error())));
    }
  });
  ApiResult<Elected> answer = waiter.wait(*context);
  // Elected for a client that has gone meanwhile: it would never resign.
  if (answer && *answer && context->IsCancelled()) {
    answer = std::unexpected(ApiError{ApiError::Code::kCancelled, "context canceled"});
  }
  if (!answer) {
    // The client left: out of the queue, and out of the lead if it won in
    // the same instant (it never learned its LeaderKey to resign with).
    port_.post([this, id] {
      auto it = campaigns_.find(id);
      if (it == campaigns_.end()) return;
      lock::Election& e = *it->second;
      if (e.is_leader()) {
        port_.submit(lock::as_request(lock::delete_if_created_at(e.key(), e.create_revision())),
                     [](const kv::pb::Response&) {});
      } else {
        e.cancel();
      }
    });
    return to_status(answer.error());
  }
  if (!*answer) return to_status((*answer).error());
  const auto& won = **answer;
  *response->mutable_header() = won.header;
  fill_header(port_.backend(), *response);
  LeaderKey* leader = response->mutable_leader();
  leader->set_name(request->name());
  leader->set_key(won.key);
  leader->set_rev(won.create_revision);
  leader->set_lease(request->lease());
  return grpc::Status::OK;
}

grpc::Status ElectionApiService::Proclaim(grpc::ServerContext* context,
                                          const ProclaimRequest* request,
                                          ProclaimResponse* response) {
  if (!request->has_leader()) return election_error(kMissingLeaderKey);
  etcdserverpb::TxnRequest txn = if_still_leader(request->leader());
  auto* put = txn.add_success()->mutable_request_put();
  put->set_key(request->leader().key());
  put->set_value(request->value());
  put->set_lease(request->leader().lease());
  etcdserverpb::TxnResponse done;
  grpc::Status status = answer_unary(*context, port_.backend(), &done, [&](auto reply) {
    port_.backend().txn(txn, std::move(reply));
  });
  if (!status.ok()) return status;
  if (!done.succeeded()) return election_error(kNotLeader);
  *response->mutable_header() = done.header();
  return grpc::Status::OK;
}

grpc::Status ElectionApiService::Leader(grpc::ServerContext* context, const LeaderRequest* request,
                                        LeaderResponse* response) {
  const etcdserverpb::TxnRequest txn = lock::read_first(lock::queue_prefix(request->name()));
  etcdserverpb::TxnResponse read;
  grpc::Status status = answer_unary(*context, port_.backend(), &read, [&](auto reply) {
    port_.backend().txn(txn, std::move(reply));
  });
  if (!status.ok()) return status;
  const auto& kvs = read.responses(0).response_range().kvs();
  if (kvs.empty()) return election_error(kNoLeader);
  *response->mutable_header() = read.header();
  *response->mutable_kv() = kvs[0];
  return grpc::Status::OK;
}

grpc::Status ElectionApiService::Resign(grpc::ServerContext* context, const ResignRequest* request,
                                        ResignResponse* response) {
  if (!request->has_leader()) return election_error(kMissingLeaderKey);
  // As etcd's: a leadership that is over already is no error.
  etcdserverpb::TxnRequest txn =
      lock::delete_if_created_at(request->leader().key(), request->leader().rev());
  etcdserverpb::TxnResponse done;
  grpc::Status status = answer_unary(*context, port_.backend(), &done, [&](auto reply) {
    port_.backend().txn(txn, std::move(reply));
  });
  if (!status.ok()) return status;
  *response->mutable_header() = done.header();
  return grpc::Status::OK;
}

grpc::Status ElectionApiService::Observe(grpc::ServerContext* context, const LeaderRequest* request,
                                         grpc::ServerWriter<LeaderResponse>* writer) {
  // The observer delivers on the recipes' thread; this gRPC thread writes.
  struct Feed {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<mvccpb::KeyValue> leaders;  // GUARDED_BY(mutex)
  };
  auto feed = std::make_shared<Feed>();
  const std::uint64_t id = next_id_++;
  port_.post([this, id, feed, prefix = lock::queue_prefix(request->name())] {
    observers_[id] = std::make_unique<lock::LeaderObserver>(port_, prefix,
                                                            [feed](const mvccpb::KeyValue& leader) {
                                                              std::lock_guard lock(feed->mutex);
                                                              feed->leaders.push_back(leader);
                                                              feed->ready.notify_one();
                                                            });
  });
  // Polled as Waiter polls: the synchronous API has no callback for a
  // client that leaves.
  constexpr auto kPoll = std::chrono::milliseconds(100);
  grpc::Status status = grpc::Status::OK;
  for (;;) {
    std::unique_lock lock(feed->mutex);
    feed->ready.wait_for(lock, kPoll, [&] { return !feed->leaders.empty(); });
    if (context->IsCancelled()) {
      status = grpc::Status(grpc::StatusCode::CANCELLED, "context canceled");
      break;
    }
    if (feed->leaders.empty()) continue;
    LeaderResponse response;
    *response.mutable_kv() = std::move(feed->leaders.front());
    feed->leaders.pop_front();
    lock.unlock();
    fill_header(port_.backend(), response);
    if (!writer->Write(response)) break;  // the client went away
  }
  port_.post([this, id] { observers_.erase(id); });
  return status;
}

}  // namespace etcetera::server::api
