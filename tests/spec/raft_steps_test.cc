// The step validator (spec/raft_steps.h) must let the steps of Raft.tla
// through and stop the ones it forbids: each test writes a short trace by
// hand, and the rejections are the classic ways an implementation strays.
#include <catch2/catch.hpp>

#include "tests/spec/trace_builder.h"

namespace {

using etcetera::spec::Branch;
using etcetera::tests::append_request;
using etcetera::tests::append_response;
using etcetera::tests::heartbeat;
using etcetera::tests::snapshot_request;
using etcetera::tests::TraceBuilder;
using etcetera::tests::vote_request;
using etcetera::tests::vote_response;
namespace pb = etcetera::raft::pb;

TraceBuilder three_nodes() {
  TraceBuilder t;
  t.start(1).start(2).start(3);
  return t;
}

// The number the next event will get, for the messages that name it.
std::string next_event(const TraceBuilder& t) {
  return std::to_string(t.view().events() + 1);
}

}  // namespace

TEST_CASE("an election, replication and commits are steps of the spec") {
  TraceBuilder t = three_nodes();
  t.elect(1, 1);
  // Node 2 takes the leader's no-op.
  const auto to2 = append_request(1, 2, 1, 0, 0, {1}, 0);
  t.send(1, "AppendEntries", to2).receive(2, to2).leader(2, "Receive", 1);
  t.append(2, "HandleAppendEntriesRequest", 1, {1});
  t.send(2, "HandleAppendEntriesRequest", append_response(2, 1, 1, 1));
  t.receive(1, append_response(2, 1, 1, 1)).commit(1, "AdvanceCommitIndex", 1);
  // A client value; node 3, still in term 0, takes the term and both entries.
  t.append(1, "ClientRequest", 2, {1});
  const auto to3 = append_request(1, 3, 1, 0, 0, {1, 1}, 1);
  t.send(1, "AppendEntries", to3).receive(3, to3);
  t.term(3, "UpdateTerm", 1).leader(3, "UpdateTerm", 1);
  t.append(3, "HandleAppendEntriesRequest", 1, {1, 1}).commit(3, "HandleAppendEntriesRequest", 1);
  t.send(3, "HandleAppendEntriesRequest", append_response(3, 1, 1, 2));
  t.receive(1, append_response(3, 1, 1, 2)).commit(1, "AdvanceCommitIndex", 2);
  // A heartbeat brings node 2's commit index up; node 2 then compacts.
  t.send(1, "Heartbeat", heartbeat(1, 2, 1, 1)).receive(2, heartbeat(1, 2, 1, 1));
  t.commit(2, "HandleHeartbeatRequest", 1);
  t.send(2, "HandleHeartbeatRequest", [] {
    pb::Message m;
    m.set_type(pb::HEARTBEAT_RESPONSE);
    m.set_from(2);
    m.set_to(1);
    m.set_term(1);
    return m;
  }());
  t.compact(2, 1, 1);

  INFO(t.violation().value_or(""));
  CHECK_FALSE(etcetera::spec::check_raft_invariants(t.view()).has_value());
  const auto& c = t.view().coverage();
  CHECK(c.count(Branch::kTimeoutCandidate) == 1);
  CHECK(c.count(Branch::kRequestVoteGranted) == 1);
  CHECK(c.count(Branch::kVoteResponseVoteQuorum) == 1);
  CHECK(c.count(Branch::kBecomeLeaderQuorum) == 1);
  CHECK(c.count(Branch::kAppendRequestAppends) == 2);
  CHECK(c.count(Branch::kAdvanceCommitIndexCommits) == 2);
  CHECK(c.count(Branch::kAppendRequestHeartbeat) == 1);
  CHECK(c.count(Branch::kUpdateTermFollower) == 2);
  CHECK(c.count(Branch::kCompactCompacted) == 1);
  CHECK(c.count("Restart") == 3);
}

TEST_CASE("a message of a higher term must be adopted before it is handled") {
  TraceBuilder t = three_nodes();
  t.elect(1, 1);
  const auto m = append_request(1, 3, 1, 0, 0, {1}, 0);
  t.send(1, "AppendEntries", m).receive(3, m);
  const std::string event = next_event(t);
  t.append(3, "HandleAppendEntriesRequest", 1, {1});
  REQUIRE(t.violation());
  CHECK(*t.violation() == "HandleAppendEntriesRequest at node 3 (event " + event +
                              "): handles an AppendEntriesRequest of term 1 above its term 0 "
                              "without adopting it: only UpdateTerm is enabled");
}

TEST_CASE("a pre-vote request does not make its receiver adopt its term") {
  TraceBuilder t = three_nodes();
  const auto m = vote_request(1, 2, 1, 0, 0, /*pre_vote=*/true);
  t.receive(2, m).term(2, "UpdateTerm", 1);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("adopted term 1 from a PreVoteRequest, which "
                                             "AdoptsTerm excludes"));
}

TEST_CASE("a leader that adopts a higher term must stop leading") {
  TraceBuilder t = three_nodes();
  t.elect(1, 1);
  t.receive(1, vote_request(3, 1, 3, 0, 0)).term(1, "UpdateTerm", 3);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(),
             Catch::Contains("is still Leader after adopting term 3: UpdateTerm makes it a "
                             "Follower"));
}

TEST_CASE("a vote for a candidate whose log is behind is refused by the spec") {
  TraceBuilder t;
  t.start(1, {1, 1}, 1).start(2, {1}, 1).start(3);
  t.receive(1, vote_request(2, 1, 2, 1, 1)).term(1, "UpdateTerm", 2);
  t.vote(1, "HandleRequestVoteRequest", 2);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(),
             Catch::Contains("granted a vote to node 2, whose log ends at 1/1 behind its own 2/1 "
                             "(the election restriction)"));
}

TEST_CASE("one vote per term") {
  TraceBuilder t;
  t.start(1, {}, 2, /*vote=*/2).start(2).start(3);
  t.receive(1, vote_request(3, 1, 2, 0, 0)).vote(1, "HandleRequestVoteRequest", 3);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("voted twice in term 2: for node 2, then for node 3"));
}

TEST_CASE("a vote the spec grants may be refused only while a leader is known") {
  TraceBuilder t = three_nodes();
  t.receive(2, vote_request(1, 2, 1, 0, 0)).term(2, "UpdateTerm", 1);
  t.reject_vote(2, 1);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("the spec grants it"));

  TraceBuilder u = three_nodes();
  u.elect(1, 1);
  u.leader(3, "Receive", 1);  // as if node 3 had heard from the leader
  u.receive(3, vote_request(2, 3, 1, 0, 0)).term(3, "UpdateTerm", 1).leader(3, "UpdateTerm", 1);
  u.reject_vote(3, 2);
  u.send(3, "HandleRequestVoteRequest", vote_response(3, 2, 1, false));
  CHECK_FALSE(u.violation());
  CHECK(u.view().coverage().count(Branch::kRequestVoteRefusedLeaderKnown) == 1);
}

TEST_CASE("a vote request is ignored within the leader lease, nothing else") {
  TraceBuilder t = three_nodes();
  t.leader(2, "Receive", 1);
  const auto request = vote_request(3, 2, 2, 0, 0);
  t.receive(2, request).refuse(2, "UpdateTerm", "step", &request);
  CHECK_FALSE(t.violation());
  CHECK(t.view().coverage().count(Branch::kDropMessageLeaderLease) == 1);

  const auto append = append_request(3, 2, 2, 0, 0, {}, 0);
  t.receive(2, append).refuse(2, "UpdateTerm", "step", &append);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("refused to adopt the term of an "
                                             "AppendEntriesRequest"));
}

TEST_CASE("a follower never truncates an entry the request holds too") {
  TraceBuilder t;
  t.start(1, {1, 2, 2}, 2).start(2, {1, 2, 2, 2}, 2, 0, 1).start(3);
  const auto stale = append_request(1, 2, 2, 2, 2, {2}, 1);
  t.receive(2, stale);
  const std::string event = next_event(t);
  t.append(2, "HandleAppendEntriesRequest", 3, {2});
  REQUIRE(t.violation());
  CHECK(*t.violation() == "HandleAppendEntriesRequest at node 2 (event " + event +
                              "): truncated entry 3 of term 2 although the request's entry 3 "
                              "has term 2");
}

TEST_CASE("a follower truncates a conflicting suffix, and answers as the spec does") {
  TraceBuilder t;
  t.start(1, {1, 3}, 3).start(2, {1, 2, 2}, 3).start(3);
  const auto m = append_request(1, 2, 3, 1, 1, {3}, 2);
  t.receive(2, m).append(2, "HandleAppendEntriesRequest", 2, {3});
  t.commit(2, "HandleAppendEntriesRequest", 2);
  t.send(2, "HandleAppendEntriesRequest", append_response(2, 1, 3, 2));
  CHECK_FALSE(t.violation());
  CHECK(t.log_length(2) == 2);
  CHECK(t.view().coverage().count(Branch::kAppendRequestTruncates) == 1);

  // The same request, answered with the wrong index.
  TraceBuilder u;
  u.start(1, {1, 3}, 3).start(2, {1, 2, 2}, 3).start(3);
  u.receive(2, m).append(2, "HandleAppendEntriesRequest", 2, {3});
  u.commit(2, "HandleAppendEntriesRequest", 2);
  u.send(2, "HandleAppendEntriesRequest", append_response(2, 1, 3, 3));
  REQUIRE(u.violation());
  CHECK_THAT(*u.violation(),
             Catch::Contains("answered with index 3 where the spec's handler answers 2"));
}

TEST_CASE("a follower that fails the consistency check hints and changes nothing") {
  TraceBuilder t;
  t.start(1, {1, 3, 3}, 3).start(2, {1, 2, 2}, 3).start(3);
  const auto m = append_request(1, 2, 3, 3, 3, {}, 1);
  t.receive(2, m).send(2, "HandleAppendEntriesRequest", append_response(2, 1, 3, 3, true, 2, 2));
  CHECK_FALSE(t.violation());

  TraceBuilder u;
  u.start(1, {1, 3, 3}, 3).start(2, {1, 2, 2}, 3).start(3);
  u.receive(2, m).send(2, "HandleAppendEntriesRequest", append_response(2, 1, 3, 3, true, 2, 3));
  REQUIRE(u.violation());
  CHECK_THAT(*u.violation(), Catch::Contains("hinted conflict term 2 from index 3 where the "
                                             "spec's handler hints term 2 from index 2"));
}

TEST_CASE("a follower's commit index is min(leaderCommit, last new entry)") {
  TraceBuilder t;
  t.start(1, {1, 1, 1}, 1).start(2, {1}, 1).start(3);
  const auto m = append_request(1, 2, 1, 1, 1, {1}, 3);
  t.receive(2, m).append(2, "HandleAppendEntriesRequest", 2, {1});
  t.commit(2, "HandleAppendEntriesRequest", 3);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(),
             Catch::Contains("set commitIndex to 3 where the spec's handler sets it to 2"));
}

TEST_CASE("a leader commits only an entry of its own term (Figure 8)") {
  TraceBuilder t;
  t.start(1, {1, 2}, 2).start(2).start(3);
  t.elect(1, 3);
  t.receive(1, append_response(2, 1, 3, 2));
  const std::string event = next_event(t);
  t.commit(1, "AdvanceCommitIndex", 2);
  REQUIRE(t.violation());
  CHECK(*t.violation() == "AdvanceCommitIndex at node 1 (event " + event +
                              "): committed index 2 of term 2, not of its term 3: only an entry "
                              "of the leader's own term is committed by counting (Figure 8)");
}

TEST_CASE("a leader commits only what a quorum holds") {
  TraceBuilder t = three_nodes();
  t.elect(1, 1).commit(1, "AdvanceCommitIndex", 1);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(),
             Catch::Contains("committed index 1, which only {1} hold: not a quorum of (1 2 3)"));
}

TEST_CASE("only UpdateTerm and BecomeCandidate change a term") {
  TraceBuilder t = three_nodes();
  t.elect(1, 1);
  const std::string event = next_event(t);
  t.term(1, "ClientRequest", 2, 1);
  REQUIRE(t.violation());
  CHECK(*t.violation() == "ClientRequest at node 1 (event " + event +
                              "): changed currentTerm from 1 to 2, which ClientRequest leaves "
                              "unchanged (only UpdateTerm and BecomeCandidate change a term)");
}

TEST_CASE("a pre-candidate counts only pre-votes for the term it asks about") {
  TraceBuilder t;
  t.start(1, {}, 1).start(2, {}, 1).start(3, {}, 1);
  t.role(1, "BecomePreCandidate", pb::PRE_CANDIDATE);
  t.send(1, "Timeout", vote_request(1, 2, 2, 0, 0, true));
  t.send(1, "Timeout", vote_request(1, 3, 2, 0, 0, true));
  SECTION("a pre-vote for the term asked about counts") {
    t.receive(1, vote_response(2, 1, 2, true, true)).term(1, "BecomeCandidate", 2, 1);
    CHECK_FALSE(t.violation());
    CHECK(t.view().coverage().count(Branch::kBecomeCandidateAfterPreVote) == 1);
  }
  SECTION("a pre-vote granted in an earlier round does not") {
    t.receive(1, vote_response(2, 1, 1, true, true)).term(1, "BecomeCandidate", 2, 1);
    REQUIRE(t.violation());
    CHECK_THAT(*t.violation(), Catch::Contains("became a candidate with pre-votes from {} and "
                                               "itself, not a quorum of (1 2 3)"));
  }
}

TEST_CASE("a restart keeps a vote that others have seen persisted") {
  TraceBuilder t = three_nodes();
  t.elect(1, 1);  // node 2's vote for node 1 reached node 1
  t.start(2, {}, 1, /*vote=*/0);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("restarted with votedFor 0 in term 1, but its vote "
                                             "for node 1 in that term had been persisted"));
}

TEST_CASE("compaction covers committed entries only") {
  TraceBuilder t;
  t.start(1, {1, 1}, 1, 0, 1).start(2).start(3);
  t.compact(1, 1, 1);
  CHECK_FALSE(t.violation());
  t.compact(1, 2, 1);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("compacted through 2, past its commit index 1"));
}

TEST_CASE("a snapshot is installed only when the spec's handler installs it") {
  TraceBuilder t;
  t.start(1, {1, 1, 1}, 1).start(2, {1, 1}, 1).start(3);
  const auto m = snapshot_request(1, 2, 1, 2, 1, {1, 2, 3});
  t.receive(2, m);
  // Node 2 holds entry 2/1: it keeps its log and commits through 2.
  t.commit(2, "HandleInstallSnapshotRequest", 2);
  t.send(2, "HandleInstallSnapshotRequest", append_response(2, 1, 1, 2));
  CHECK_FALSE(t.violation());
  CHECK(t.view().coverage().count(Branch::kSnapshotRequestKeepsSuffix) == 1);
}

TEST_CASE("an action the implementation does not have is no step") {
  TraceBuilder t = three_nodes();
  t.commit(1, "Init", 0);
  REQUIRE(t.violation());
  CHECK_THAT(*t.violation(), Catch::Contains("'Init' is not an action of the implementation"));
}
