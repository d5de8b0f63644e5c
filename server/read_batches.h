// server::ReadBatches — linearizable ranges waiting for a read index, in
// rounds: one ReadIndex round (docs/raft.md) at a time, and every read that
// arrives while it is out waits for the next, which then serves them all at
// once. A round costs the leader one heartbeat to a quorum however many
// reads it carries, as etcd's linearizable read loop does.
//
// Only bookkeeping: the member asks raft for the read index of the context
// it is given, and calls back with what raft said. On the driver thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kv/rpc.pb.h"
#include "server/backend.h"

namespace etcetera::server {

class ReadBatches {
 public:
  using Clock = std::chrono::steady_clock;
  struct Read {
    etcdserverpb::RangeRequest request;
    Reply<etcdserverpb::RangeResponse> reply;
    Clock::time_point deadline;
  };

  explicit ReadBatches(std::uint64_t member_id) : member_id_(member_id) {}

  // Queues a read. The context of a new round to ask raft for, when none is
  // out; otherwise the read waits for the next round.
  [[nodiscard]] std::optional<std::string> add(Read read);
  // Whether `context` names the round that is out.
  bool is_out(const std::string& context) const { return out_ && out_->context == context; }
  // Raft confirmed round `context` (its read index is applied): its reads,
  // to be served now. Reads for any other context: none.
  std::vector<Read> confirm(const std::string& context);
  // The round that is out could not be asked (no leader): its reads, to be
  // failed.
  std::vector<Read> refuse();
  // The context of the next round, when none is out and reads are queued.
  [[nodiscard]] std::optional<std::string> next_round(Clock::time_point now);
  // A round out since before `since` (its request or reply may have been
  // lost on the way to the leader) is asked again under a new context.
  [[nodiscard]] std::optional<std::string> renew_if_older(Clock::time_point since,
                                                          Clock::time_point now);
  // Reads whose deadline has passed, removed; a round left empty is over.
  std::vector<Read> expire(Clock::time_point now);
  // Every read, removed (the member stops).
  std::vector<Read> take_all();
  std::size_t size() const { return queued_.size() + (out_ ? out_->reads.size() : 0); }

 private:
  struct Round {
    std::string context;
    std::vector<Read> reads;
    Clock::time_point asked;
  };
  std::string new_context() { return std::to_string(member_id_) + "/" + std::to_string(++next_); }

  std::uint64_t member_id_;
  std::uint64_t next_ = 0;
  std::optional<Round> out_;
  std::vector<Read> queued_;
};

}  // namespace etcetera::server
