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
  state = State::kProbe;
  probe_sent = false;
  next = match + 1;
  inflights.clear();
}

void Progress::become_replicate() {
  state = State::kReplicate;
  probe_sent = false;
  next = match + 1;
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
  return state == State::kProbe ? probe_sent : inflights.full();
}

std::string Progress::describe() const {
  std::string out = "match=" + std::to_string(match) + " next=" + std::to_string(next);
  if (state == State::kReplicate) {
    out += " replicate";
    if (inflights.count() > 0) out += " inflight=" + std::to_string(inflights.count());
  } else {
    out += probe_sent ? " probe(sent)" : " probe";
  }
  return out;
}

}  // namespace etcetera::raft
