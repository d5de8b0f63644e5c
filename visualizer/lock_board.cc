#include "visualizer/lock_board.h"

#include <algorithm>

namespace etcetera::viz {

using raft::pb::Event;

bool LockBoard::apply(const Event& e) {
  switch (e.kind_case()) {
    case Event::kLockEnqueued: {
      const auto& q = e.lock_enqueued();
      auto& queue = queues_[q.lock()];
      QueuedKey key{q.key(), q.revision(), q.lease(), q.client()};
      queue.insert(std::ranges::upper_bound(queue, q.revision(), {}, &QueuedKey::revision), key);
      LockClientLook& client = clients_[q.client()];
      client.lease = q.lease();
      client.lease_ended = false;
      return true;
    }
    case Event::kLockDequeued: {
      auto& queue = queues_[e.lock_dequeued().lock()];
      std::erase_if(queue, [&](const QueuedKey& k) { return k.key == e.lock_dequeued().key(); });
      return true;
    }
    case Event::kLockAcquired: {
      LockClientLook& client = clients_[e.lock_acquired().client()];
      client.token = e.lock_acquired().token();
      client.lock = e.lock_acquired().lock();
      return true;
    }
    case Event::kLockReleased: {
      LockClientLook& client = clients_[e.lock_released().client()];
      client.token.reset();
      client.lock.clear();
      client.last_release = e.lock_released().reason();
      return true;
    }
    case Event::kLeaseEnded: {
      LockClientLook& client = clients_[e.lease_ended().client()];
      if (client.lease == e.lease_ended().lease()) client.lease_ended = true;
      return true;
    }
    case Event::kClientPaused:
      clients_[e.client_paused().client()].paused_until = e.client_paused().until();
      return true;
    case Event::kClientResumed:
      clients_[e.client_resumed().client()].paused_until.reset();
      return true;
    case Event::kResourceWritten: {
      const auto& w = e.resource_written();
      resource_.last = w;
      if (w.accepted()) {
        resource_.highest = std::max(resource_.highest, w.token());
        ++resource_.accepted;
      } else {
        ++resource_.refused;
      }
      return true;
    }
    default:
      return false;
  }
}

bool LockBoard::stale(ClientId id) const {
  auto c = clients_.find(id);
  if (c == clients_.end() || !c->second.token) return false;
  auto q = queues_.find(c->second.lock);
  return q == queues_.end() || q->second.empty() || q->second.front().revision != *c->second.token;
}

}  // namespace etcetera::viz
