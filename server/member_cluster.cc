// Leadership transfer (membership changes: member_membership.cc).
#include "server/member.h"

namespace etcetera::server {

void Member::move_leader(std::uint64_t target, Reply<void> reply) {
  run(
      [this, target, reply] {
        if (node_->role() != raft::pb::LEADER) return reply(std::unexpected(not_leader()));
        if (target == id_) return reply({});
        if (transfer_)
          return reply(std::unexpected(ApiError{ApiError::Code::kFailedPrecondition,
                                                "etcdserver: a leader transfer is in progress"}));
        if (auto ok = node_->transfer_leadership(target); !ok)
          return reply(std::unexpected(
              ApiError{ApiError::Code::kFailedPrecondition,
                       "etcdserver: bad leader transferee (" + ok.error().message + ")"}));
        transfer_ = Transfer{target, reply, deadline()};
        schedule_ready();
      },
      reply);
}

// Answers a transfer once this member sees the target lead.
void Member::check_transfer() {
  if (!transfer_ || node_->leader() != transfer_->target) return;
  auto t = std::move(*transfer_);
  transfer_.reset();
  t.reply({});
}

}  // namespace etcetera::server
