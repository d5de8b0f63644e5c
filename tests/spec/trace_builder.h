// A trace written by hand, one event at a time, for the tests of the step
// validator and the invariants: each call records one event of one node,
// with the node's state after it, and feeds it to a ClusterView. The
// messages are built by the functions below it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/trace.pb.h"
#include "spec/raft_invariants.h"

namespace etcetera::tests {

namespace pb = raft::pb;
using spec::Index;
using spec::NodeId;
using spec::Term;

class TraceBuilder {
 public:
  // The configuration every node starts with.
  explicit TraceBuilder(std::vector<NodeId> voters = {1, 2, 3}) : voters_(std::move(voters)) {}

  // Restart (the first one is Init): the node's persisted log holds entries
  // first_index.. with these terms, the ones in `conf` being membership
  // changes. A snapshot (first_index > 1) is taken to end in the term of the
  // first entry after it, or in `term` if there is none.
  TraceBuilder& start(NodeId id, std::vector<Term> terms = {}, Term term = 0, NodeId vote = 0,
                      Index commit = 0, Index first_index = 1, std::vector<Index> conf = {});
  TraceBuilder& role(NodeId id, const std::string& action, pb::Role to);
  TraceBuilder& term(NodeId id, const std::string& action, Term to, NodeId vote = 0);
  TraceBuilder& leader(NodeId id, const std::string& action, NodeId leader);
  TraceBuilder& vote(NodeId id, const std::string& action, NodeId candidate, bool pre_vote = false);
  TraceBuilder& reject_vote(NodeId id, NodeId candidate, bool pre_vote = false);
  // EntriesAppended: the log holds these terms from `first` on, and nothing after.
  TraceBuilder& append(NodeId id, const std::string& action, Index first, std::vector<Term> terms,
                       std::vector<Index> conf = {});
  TraceBuilder& commit(NodeId id, const std::string& action, Index to);
  TraceBuilder& send(NodeId id, const std::string& action, const pb::Message& m);
  TraceBuilder& receive(NodeId id, const pb::Message& m);
  TraceBuilder& refuse(NodeId id, const std::string& action, const std::string& input,
                       const pb::Message* m = nullptr);
  TraceBuilder& compact(NodeId id, Index index, Term term);
  TraceBuilder& apply_conf(NodeId id, Index index, bool enter, std::vector<NodeId> incoming,
                           std::vector<NodeId> outgoing = {});

  // The plain election of the tests: with PreVote off, `id` campaigns in
  // term `t`, the next node (by id) votes for it, and it becomes leader with
  // its no-op at the end of its log. Every node has started.
  TraceBuilder& elect(NodeId id, Term t);

  const spec::ClusterView& view() const { return view_; }
  // The first disallowed step, if any.
  std::optional<std::string> violation() const { return spec::check_next_steps(view_); }
  std::size_t log_length(NodeId id) const { return view_.nodes().at(id).log.size(); }

 private:
  pb::Event event(NodeId id, const std::string& action);
  void emit(const pb::Event& e);

  std::vector<NodeId> voters_;
  std::map<NodeId, pb::NodeState> states_;
  spec::ClusterView view_;
};

pb::Message vote_request(NodeId from, NodeId to, Term term, Index last_index, Term last_term,
                         bool pre_vote = false);
pb::Message vote_response(NodeId from, NodeId to, Term term, bool granted, bool pre_vote = false);
// entry_terms are those of entries prev + 1, prev + 2, ...
pb::Message append_request(NodeId from, NodeId to, Term term, Index prev, Term prev_term,
                           std::vector<Term> entry_terms, Index commit);
pb::Message append_response(NodeId from, NodeId to, Term term, Index index, bool reject = false,
                            Term conflict_term = 0, Index conflict_index = 0);
pb::Message heartbeat(NodeId from, NodeId to, Term term, Index commit);
pb::Message snapshot_request(NodeId from, NodeId to, Term term, Index index, Term snapshot_term,
                             std::vector<NodeId> voters);

}  // namespace etcetera::tests
