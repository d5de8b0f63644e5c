#include "raft/progress.h"

#include <algorithm>

namespace etcetera::raft {

void Inflights::free_to(Index index) {
  while (!sent_.empty() && sent_.front() <= index)
    sent_.pop_front();
}

void Inflights::free_first_one() {
  if (!sent_.empty()) sent_.pop_front();
}

bool Progress::maybe_update(Index n) {
  next = std::max(next, n + 1);
  if (n <= match) return false;
  match = n;
  probe_sent = false;
  return true;
}

void Progress::become_probe() {
  // After a snapshot, resume right after it (thesis 5.1): the follower has it.
  const Index after = state == State::kSnapshot ? std::max(match, pending_snapshot) + 1 : match + 1;
  state = State::kProbe;
  probe_sent = false;
  next = after;
  inflights.clear();
}

void Progress::become_replicate() {
  state = State::kReplicate;
  pending_snapshot = 0;
  probe_sent = false;
  next = match + 1;
  inflights.clear();
}

void Progress::become_snapshot(Index snapshot_index) {
  state = State::kSnapshot;
  probe_sent = false;
  pending_snapshot = snapshot_index;
  next = snapshot_index + 1;  // where it will resume once the snapshot is in
  snapshot_heartbeats = 0;
  inflights.clear();
}

void Progress::sent_append(Index last) {
  if (state == State::kReplicate) {
    if (last != 0) {
      next = last + 1;
      inflights.add(last);
    }
  } else {
    probe_sent = true;
  }
}

bool Progress::is_paused() const {
  switch (state) {
    case State::kProbe:
      return probe_sent;
    case State::kReplicate:
      return inflights.full();
    default:
      return true;  // snapshot: wait for its acknowledgement
  }
}

std::string Progress::describe() const {
  std::string out = "match=" + std::to_string(match) + " next=" + std::to_string(next);
  if (state == State::kSnapshot) {
    out += " snapshot(" + std::to_string(pending_snapshot) + ")";
  } else if (state == State::kReplicate) {
    out += " replicate";
    if (inflights.count() > 0) out += " inflight=" + std::to_string(inflights.count());
  } else {
    out += probe_sent ? " probe(sent)" : " probe";
  }
  return out;
}

}  // namespace etcetera::raft
