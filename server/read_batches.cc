#include "server/read_batches.h"

#include <algorithm>

namespace etcetera::server {

std::optional<std::string> ReadBatches::add(Read read) {
  const auto now = Clock::now();
  queued_.push_back(std::move(read));
  return next_round(now);
}

std::vector<ReadBatches::Read> ReadBatches::confirm(const std::string& context) {
  if (!is_out(context)) return {};
  auto reads = std::move(out_->reads);
  out_.reset();
  return reads;
}

std::vector<ReadBatches::Read> ReadBatches::refuse() {
  if (!out_) return {};
  auto reads = std::move(out_->reads);
  out_.reset();
  return reads;
}

std::optional<std::string> ReadBatches::next_round(Clock::time_point now) {
  if (out_ || queued_.empty()) return std::nullopt;
  out_ = Round{new_context(), std::move(queued_), now};
  queued_.clear();
  return out_->context;
}

std::optional<std::string> ReadBatches::renew_if_older(Clock::time_point since,
                                                       Clock::time_point now) {
  if (!out_ || out_->asked >= since) return std::nullopt;
  out_->context = new_context();
  out_->asked = now;
  return out_->context;
}

std::vector<ReadBatches::Read> ReadBatches::expire(Clock::time_point now) {
  std::vector<Read> expired;
  auto take = [&](std::vector<Read>& reads) {
    auto late = std::stable_partition(reads.begin(), reads.end(),
                                      [&](const Read& r) { return r.deadline > now; });
    std::move(late, reads.end(), std::back_inserter(expired));
    reads.erase(late, reads.end());
  };
  take(queued_);
  if (out_) {
    take(out_->reads);
    if (out_->reads.empty()) out_.reset();
  }
  return expired;
}

std::vector<ReadBatches::Read> ReadBatches::take_all() {
  std::vector<Read> all = refuse();
  std::move(queued_.begin(), queued_.end(), std::back_inserter(all));
  queued_.clear();
  return all;
}

}  // namespace etcetera::server
