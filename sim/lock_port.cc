#include "sim/lock_port.h"

#include <utility>
#include <vector>

namespace etcetera::sim {

namespace {

kv::pb::Response unknown_outcome(std::uint64_t id, Time waited) {
  kv::pb::Response r;
  r.set_id(id);
  auto* failure = r.mutable_error();
  failure->set_code(0);  // no kv::Error::Code: the store never answered
  failure->set_message("outcome unknown: no answer after " + std::to_string(waited) +
                       " ticks; the request may or may not have been applied");
  return r;
}

etcdserverpb::WatchResponse canceled(std::int64_t id, const std::string& reason) {
  etcdserverpb::WatchResponse r;
  r.set_watch_id(id);
  r.set_created(true);
  r.set_canceled(true);
  r.set_cancel_reason(reason);
  return r;
}

}  // namespace

SimKvPort::SimKvPort(Cluster& cluster, std::uint32_t client, Time timeout)
    : cluster_(cluster), client_(client), timeout_(timeout) {
  const auto ids = cluster_.ids();
  target_ = ids[client % ids.size()];
}

SimKvPort::~SimKvPort() {
  for (auto& [node, stream] : streams_)
    cluster_.kv(node).close_watch_stream(*stream);
}

bool SimKvPort::reachable(NodeId node) const {
  return cluster_.is_up(node) && !cluster_.is_isolated(node);
}

NodeId SimKvPort::next_node(NodeId after) const {
  const auto ids = cluster_.ids();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == after) return ids[(i + 1) % ids.size()];
  }
  return ids.front();
}

kv::WatchStream& SimKvPort::stream_at(NodeId node) {
  auto [it, added] = streams_.try_emplace(node, nullptr);
  if (added) it->second = &cluster_.kv(node).open_watch_stream();
  return *it->second;
}

void SimKvPort::submit(kv::pb::Request request, Done done) {
  const std::uint64_t id = (static_cast<std::uint64_t>(client_) << 32) + next_request_++;
  request.set_id(id);
  pending_[id] = Pending{std::move(request), std::move(done), cluster_.now() + timeout_, 0};
}

void SimKvPort::propose(Pending& p) {
  NodeId n = target_;
  for (std::size_t attempt = 0; attempt < 2 * cluster_.ids().size(); ++attempt) {
    if (!reachable(n)) {
      n = next_node(n);
      continue;
    }
    auto index = cluster_.node(n).propose(kv::encode(p.request));
    if (index) {
      p.node = n;
      target_ = n;
      return;
    }
    const auto& error = index.error();
    if (error.code == raft::Error::Code::kNotLeader && error.leader_hint != 0 &&
        error.leader_hint != n) {
      ++redirects_;
      n = static_cast<NodeId>(error.leader_hint);
    } else {
      n = next_node(n);
    }
  }
  target_ = n;  // nobody took it: again at the next step
}

void SimKvPort::applied(NodeId node, const kv::pb::Response& response) {
  auto it = pending_.find(response.id());
  if (it == pending_.end() || it->second.node != node) return;
  inbox_.push_back([done = std::move(it->second.done), response] {
    if (done) done(response);
  });
  pending_.erase(it);
}

std::int64_t SimKvPort::watch(const etcdserverpb::WatchCreateRequest& create, OnWatch on_event) {
  const std::int64_t id = next_watch_++;
  NodeId n = cluster_.leader().value_or(target_);
  if (!reachable(n)) n = target_;
  if (!reachable(n)) {
    inbox_.push_back([on_event = std::move(on_event), id] {
      on_event(canceled(id, "no node reachable to watch on"));
    });
    return id;
  }
  kv::WatchStream& stream = stream_at(n);
  // The stream's id is the port's, never used twice: a canceled response
  // still queued for an old watch cannot be taken for a new one's.
  etcdserverpb::WatchCreateRequest ours = create;
  ours.set_watch_id(id);
  auto stream_id = stream.create(ours);
  if (!stream_id) {
    inbox_.push_back([on_event = std::move(on_event), id, reason = stream_id.error().message] {
      on_event(canceled(id, reason));
    });
    return id;
  }
  watches_[id] = Watch{n, &stream, *stream_id, std::move(on_event)};
  return id;
}

void SimKvPort::cancel_watch(std::int64_t id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  (void)it->second.stream->cancel(it->second.stream_id);
  watches_.erase(it);
}

void SimKvPort::keep_alive(std::int64_t lease, KeepAliveDone done) {
  keep_alives_.push_back(KeepAlive{lease, std::move(done)});
}

void SimKvPort::step() {
  // Answers first, each in its own turn: what they ask for waits for the
  // next step, so that no answer arrives inside the call that asked.
  time_out_overdue();
  cancel_unreachable_watches();
  collect_watch_responses();
  auto answers = std::move(inbox_);
  inbox_.clear();
  for (auto& answer : answers)
    answer();
  serve_keep_alives();
  for (auto& [id, p] : pending_)
    if (p.node == 0) propose(p);
}

void SimKvPort::time_out_overdue() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (cluster_.now() < it->second.deadline) {
      ++it;
      continue;
    }
    ++unknown_;
    const std::uint64_t id = it->first;
    if (it->second.node != 0) target_ = next_node(it->second.node);
    inbox_.push_back([done = std::move(it->second.done), r = unknown_outcome(id, timeout_)] {
      if (done) done(r);
    });
    it = pending_.erase(it);
  }
}

void SimKvPort::cancel_unreachable_watches() {
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (reachable(it->second.node)) {
      ++it;
      continue;
    }
    (void)it->second.stream->cancel(it->second.stream_id);
    inbox_.push_back([on_event = std::move(it->second.on_event), id = it->first] {
      on_event(canceled(id, "the node serving the watch went away"));
    });
    it = watches_.erase(it);
  }
}

void SimKvPort::collect_watch_responses() {
  for (auto& [node, stream] : streams_) {
    for (auto& response : stream->take_responses()) {
      for (auto it = watches_.begin(); it != watches_.end(); ++it) {
        if (it->second.node != node || it->second.stream_id != response.watch_id()) continue;
        response.set_watch_id(it->first);
        inbox_.push_back([on_event = it->second.on_event, response] { on_event(response); });
        if (response.canceled()) watches_.erase(it);
        break;
      }
    }
  }
}

void SimKvPort::serve_keep_alives() {
  const auto leader = cluster_.leader();
  if (!leader || !reachable(*leader)) return;  // asked again next step
  kv::StateMachine& sm = cluster_.kv(*leader);
  if (!sm.lease_clock().primary()) return;
  auto waiting = std::move(keep_alives_);
  keep_alives_.clear();
  for (auto& k : waiting) {
    auto ttl =
        sm.lease_clock().keep_alive(sm.store().lessor(), k.lease, cluster_.local_millis(*leader));
    etcdserverpb::LeaseKeepAliveResponse r;
    r.set_id(k.lease);
    r.set_ttl(ttl ? *ttl : 0);  // 0: the lease is gone
    r.mutable_header()->set_revision(sm.store().revision());
    inbox_.push_back([done = std::move(k.done), r] {
      if (done) done(r);
    });
  }
}

}  // namespace etcetera::sim
