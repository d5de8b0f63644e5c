// etcd's Election service (v3electionpb.Election) over lock::Election and
// lock::LeaderObserver, which run on the recipes' thread of a BackendKvPort.
//
//   Campaign  blocks the call until the lease leads; a client that leaves
//             while campaigning leaves the queue (lock::Election::cancel),
//             as etcd's campaign resigns when its context ends.
//   Proclaim  the new value, only while the LeaderKey's key still exists
//             with its create revision (one guarded txn, as etcd's resumed
//             election does); otherwise "election: not leader".
//   Leader    the oldest key under the name; "election: no leader".
//   Observe   each leader and each value it proclaims, until the client
//             cancels.
//   Resign    deletes the leader's key if it is still that leadership's.
// Errors as etcd's: its election errors are plain errors there, which gRPC
// answers as UNKNOWN with their text.
// Thread-safe: gRPC calls it from any number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>

#include "lock/election.h"
#include "server/api/backend_kv_port.h"
#include "server/api/v3election.grpc.pb.h"

namespace etcetera::server::api {

class ElectionApiService final : public v3electionpb::Election::Service {
 public:
  // REQUIRES: port outlives the service, and is stopped before it goes.
  explicit ElectionApiService(BackendKvPort& port) : port_(port) {}

  grpc::Status Campaign(grpc::ServerContext* context, const v3electionpb::CampaignRequest* request,
                        v3electionpb::CampaignResponse* response) override;
  grpc::Status Proclaim(grpc::ServerContext* context, const v3electionpb::ProclaimRequest* request,
                        v3electionpb::ProclaimResponse* response) override;
  grpc::Status Leader(grpc::ServerContext* context, const v3electionpb::LeaderRequest* request,
                      v3electionpb::LeaderResponse* response) override;
  grpc::Status Observe(grpc::ServerContext* context, const v3electionpb::LeaderRequest* request,
                       grpc::ServerWriter<v3electionpb::LeaderResponse>* writer) override;
  grpc::Status Resign(grpc::ServerContext* context, const v3electionpb::ResignRequest* request,
                      v3electionpb::ResignResponse* response) override;

 private:
  // Drops the campaigns that have nothing left on their way.
  void reap();

  BackendKvPort& port_;
  // Only on the port's thread: the campaigns, by a number of their own,
  // kept until their last request (a cancel's delete) has been answered.
  std::map<std::uint64_t, std::unique_ptr<lock::Election>> campaigns_;
  std::atomic<std::uint64_t> next_id_{0};  // campaigns and observers, from any thread
  // Only on the port's thread: the observers of the Observe calls.
  std::map<std::uint64_t, std::unique_ptr<lock::LeaderObserver>> observers_;
};

}  // namespace etcetera::server::api
