#include "raft/read_only.h"

#include <algorithm>

namespace etcetera::raft {

bool ReadOnly::contains(const std::string& context) const {
  return std::ranges::any_of(queue_, [&](const ReadRequest& r) { return r.context == context; });
}

std::vector<ReadRequest> ReadOnly::recv_ack(NodeId from, const std::string& context,
                                            const JointConfig& voters) {
  auto it =
      std::ranges::find_if(queue_, [&](const ReadRequest& r) { return r.context == context; });
  if (it == queue_.end()) return {};
  it->acks.insert(from);
  if (!voters.has_quorum(it->acks)) return {};
  std::vector<ReadRequest> confirmed(std::make_move_iterator(queue_.begin()),
                                     std::make_move_iterator(it + 1));
  queue_.erase(queue_.begin(), it + 1);
  return confirmed;
}

std::vector<ReadRequest> ReadOnly::take_all() {
  std::vector<ReadRequest> all(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
  queue_.clear();
  return all;
}

}  // namespace etcetera::raft
