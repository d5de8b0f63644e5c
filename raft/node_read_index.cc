// ReadIndex (thesis 6.4): a linearizable read without writing to the log.
//   1. The leader records its commit index as the read index. It serves no
//      read before it has committed an entry of its own term, because until
//      then its commit index may be behind what earlier leaders committed.
//   2. It confirms it is still the leader: a heartbeat round carrying the
//      read's context, acknowledged by a majority.
//   3. The read is served once the applied index reaches the read index.
// A follower forwards the request to its leader and serves the read itself
// once its own applied index reaches the index the leader sends back.
#include "raft/node.h"

namespace etcetera::raft {

Result<void> Node::read_index(std::string context) {
  ActionScope scope(*this, "ReadIndex");
  if (context.empty()) {
    trace_refused("read_index", "a read needs a non-empty context to be told apart");
    return fail(Error::Code::kInvalidArgument, "a read needs a non-empty context to be told apart");
  }
  if (role_ == pb::LEADER) return leader_read_index(std::move(context), id_);
  if (leader_ == kNoNode) {
    std::string why =
        "no leader is known to node " + std::to_string(id_) + "; retry after the election";
    trace_refused("read_index", why);
    return fail(Error::Code::kNoLeader, why);
  }
  pb::Message m;
  m.set_type(pb::READ_INDEX_REQUEST);
  m.set_to(leader_);
  m.set_context(context);
  trace([&](pb::Event& e) { e.mutable_read_index_requested()->set_context(context); });
  send(std::move(m));
  return {};
}

Result<void> Node::leader_read_index(std::string context, NodeId from) {
  if (!committed_entry_in_current_term()) {
    std::string why = "the leader of term " + std::to_string(current_term_) +
                      " has not yet committed an entry of its term; retry shortly";
    trace_refused("read_index", why);
    return fail(Error::Code::kReadNotReady, why);
  }
  if (read_only_.contains(context)) {
    std::string why = "a read with context '" + context + "' is already pending";
    trace_refused("read_index", why);
    return fail(Error::Code::kInvalidArgument, why);
  }
  const Index index = log_.committed();
  trace([&](pb::Event& e) {
    e.mutable_read_index_requested()->set_context(context);
    e.mutable_read_index_requested()->set_index(index);
  });
  ReadRequest request{context, index, from, {id_}};
  // A single voter is its own majority. (The read-no-heartbeat mutant skips
  // the confirmation everywhere: a deposed leader then serves stale reads.)
  if (tracker_.voters().has_quorum({id_}) || config_.mutant == Mutant::kReadWithoutHeartbeat) {
    release_read(std::move(request));
    return {};
  }
  read_only_.add(std::move(request));
  bcast_heartbeat(context);
  return {};
}

void Node::handle_read_index_request(const pb::Message& m) {
  ActionScope scope(*this, "HandleReadIndexRequest");
  if (leader_read_index(m.context(), m.from())) return;
  send_read_index_response(m.from(), m.context(), std::nullopt);
}

// The answer to a forwarded read: its read index, or nullopt for a refusal.
void Node::send_read_index_response(NodeId to, const std::string& context,
                                    std::optional<Index> index) {
  pb::Message reply;
  reply.set_type(pb::READ_INDEX_RESPONSE);
  reply.set_to(to);
  reply.set_context(context);
  reply.set_reject(!index.has_value());
  reply.set_index(index.value_or(0));
  send(std::move(reply));
}

void Node::handle_read_index_response(const pb::Message& m) {
  ActionScope scope(*this, "HandleReadIndexResponse");
  if (m.reject()) {
    refuse_read(m.context(), "the leader could not serve the read; retry", &m);
    return;
  }
  queue_read_state(m.context(), m.index());
}

// A heartbeat answer for `context` from `from`: releases every read that a
// majority has now confirmed.
void Node::confirm_reads(NodeId from, const std::string& context) {
  for (ReadRequest& r : read_only_.recv_ack(from, context, tracker_.voters()))
    release_read(std::move(r));
}

// A confirmed read: served here once applied, or its index sent to the
// follower that asked.
void Node::release_read(ReadRequest r) {
  if (r.from == id_) {
    queue_read_state(std::move(r.context), r.index);
    return;
  }
  send_read_index_response(r.from, r.context, r.index);
}

void Node::queue_read_state(std::string context, Index index) {
  pending_reads_.push_back(ReadState{std::move(context), index});
  release_applied_reads();
}

void Node::release_applied_reads() {
  std::erase_if(pending_reads_, [&](ReadState& r) {
    if (r.index > log_.applied()) return false;
    trace([&](pb::Event& e) {
      e.mutable_read_index_released()->set_context(r.context);
      e.mutable_read_index_released()->set_index(r.index);
    });
    ready_reads_.push_back(std::move(r));
    return true;
  });
}

// Reads the leader had not confirmed when it lost leadership are refused, not
// dropped in silence: the follower that asked hears of it too.
void Node::abandon_pending_reads(const std::string& reason) {
  for (ReadRequest& r : read_only_.take_all()) {
    if (r.from == id_) {
      refuse_read(r.context, reason);
      continue;
    }
    trace_refused("read_index", reason + " (a read forwarded by " + std::to_string(r.from) + ")");
    send_read_index_response(r.from, r.context, std::nullopt);
  }
}

// The read comes out in the next Ready's refused_reads, so the caller learns
// of it at once instead of waiting for a timeout.
void Node::refuse_read(const std::string& context, std::string reason, const pb::Message* m) {
  trace_refused("read_index", std::move(reason), m);
  refused_reads_.push_back(context);
}

}  // namespace etcetera::raft
