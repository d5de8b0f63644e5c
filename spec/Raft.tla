-------------------------------- MODULE Raft --------------------------------
(***************************************************************************)
(* Raft as etcetera's C++ core (raft/) implements it: leader election     *)
(* with optional PreVote, a no-op entry appended by every new leader,     *)
(* log replication with the consistency check and the conflict hint,      *)
(* commitment restricted to entries of the leader's own term, CheckQuorum *)
(* step-down, crash-restart from stable storage, log compaction with      *)
(* InstallSnapshot, and joint-consensus membership changes that take      *)
(* effect on apply, over a network that may drop, duplicate and reorder   *)
(* messages.                                                               *)
(*                                                                         *)
(* Every action is named after the C++ function that performs it; the     *)
(* comment above each action gives that function.  Every invariant ends   *)
(* in "Inv"; all but TypeOKInv have a C++ checker                         *)
(* check_<snake_case_name> in spec/raft_invariants.h, and every step of    *)
(* a trace is checked against these actions by spec/raft_steps.h.         *)
(* Model-checking bounds live in MCRaft.tla, never here.                  *)
(*                                                                         *)
(* Section numbers refer to Ongaro's dissertation, "Consensus: Bridging   *)
(* Theory and Practice" (2014).                                            *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

-----------------------------------------------------------------------------
(***************************************************************************)
(* Constants                                                               *)
(***************************************************************************)

\* Every server that may ever be a member.  The set is fixed; membership
\* changes move servers in and out of the voter sets.
CONSTANT Servers

\* The voters of the initial configuration, a subset of Servers: the
\* others can be added by a membership change.
CONSTANT InitVoters

\* The values clients may propose.
CONSTANT Values

\* A value that is neither a server nor a client value: "no vote" in
\* votedFor, and the value carried by a leader's no-op entry.
CONSTANT Nil

\* TRUE: an election timeout starts a pre-vote round (section 9.6);
\* FALSE: it starts a real election at once.
CONSTANT PreVote

ASSUME Nil \notin Servers \cup Values
ASSUME PreVote \in BOOLEAN
ASSUME InitVoters \subseteq Servers /\ InitVoters /= {}

\* Server roles.
Follower     == "Follower"
PreCandidate == "PreCandidate"
Candidate    == "Candidate"
Leader       == "Leader"

\* Message types.  Both kinds of vote request are handled by one handler,
\* and so are both kinds of vote response.
PreVoteRequest        == "PreVoteRequest"
PreVoteResponse       == "PreVoteResponse"
RequestVoteRequest    == "RequestVoteRequest"
RequestVoteResponse   == "RequestVoteResponse"
AppendEntriesRequest  == "AppendEntriesRequest"
AppendEntriesResponse == "AppendEntriesResponse"
\* Answered with an AppendEntriesResponse, as in the C++.
InstallSnapshotRequest == "InstallSnapshotRequest"

-----------------------------------------------------------------------------
(***************************************************************************)
(* Variables                                                               *)
(***************************************************************************)

\* Persistent state: what a server keeps in its Storage and gets back
\* after a restart.

\* The latest term each server has seen.
VARIABLE currentTerm
\* The server each server voted for in its current term, or Nil.
VARIABLE votedFor
\* Each server's log: a sequence of entries [term |-> t, value |-> v],
\* where v is a client value, Nil (a leader's no-op) or a configuration
\* (a membership-change entry, see ConfigAt).  Entries 1 .. snapshotIndex[i]
\* are compacted: the server no longer holds them, only its snapshot.
\* The spec keeps them in log[i] as history so that the log invariants
\* keep their meaning; no action reads them, except the term and the
\* configuration as of snapshotIndex[i], which the snapshot records.
VARIABLE log
\* The last index covered by each server's snapshot, 0 if none
\* (MemoryStorage's snapshot metadata; the first index held is one more).
VARIABLE snapshotIndex
persistentVars == <<currentTerm, votedFor, log, snapshotIndex>>

\* Volatile state: lost on restart.

\* Each server's role: Follower, PreCandidate, Candidate or Leader.
VARIABLE role
\* The highest log index each server knows to be committed.
VARIABLE commitIndex
volatileVars == <<role, commitIndex>>

\* Candidate state: the servers that granted the (pre-)vote of the
\* current campaign, the candidate's own included.
VARIABLE votesGranted
candidateVars == <<votesGranted>>

\* Leader state: for each leader and peer, the next index to send.
VARIABLE nextIndex
\* Leader state: for each leader and peer, the highest index known to be
\* replicated on the peer (the leader counts itself separately).
VARIABLE matchIndex
leaderVars == <<nextIndex, matchIndex>>

\* The network: the set of messages that may still be delivered.  A set,
\* not a bag: a duplicated message is the same element (see the network
\* section).
VARIABLE messages

\* History, not part of any server: every entry ever committed by a
\* leader, as [index, term, value, commitTerm], commitTerm being the
\* leader's term when the entry was first committed.
VARIABLE committed

vars == <<persistentVars, volatileVars, candidateVars, leaderVars,
          messages, committed>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Helpers                                                                 *)
(***************************************************************************)

Min(a, b) == IF a < b THEN a ELSE b
Max(a, b) == IF a > b THEN a ELSE b
MaxOf(S)  == CHOOSE x \in S : \A y \in S : y <= x
MinOf(S)  == CHOOSE x \in S : \A y \in S : x <= y

\* A configuration: the voters of the incoming and outgoing sets; it is
\* joint iff outgoing /= {} (C_old,new = incoming + outgoing).  Learners
\* are not modelled.
Configs == [incoming : SUBSET Servers, outgoing : SUBSET Servers]
InitConfig == [incoming |-> InitVoters, outgoing |-> {}]
IsJoint(c) == c.outgoing /= {}
Voters(c)  == c.incoming \cup c.outgoing

\* A membership-change entry.  Its value is the configuration it leads
\* to: "enter joint" has incoming = the new voters and outgoing = the
\* voters before; "leave joint" has the incoming voters and no outgoing.
IsConfEntry(e) == e.value \notin Values \cup {Nil}

\* The configuration as of index k of a log: that of its last
\* membership-change entry at or below k, else the initial one.
ConfIndexes(xlog, k) == {x \in 1 .. k : IsConfEntry(xlog[x])}
ConfigAt(xlog, k) ==
    IF ConfIndexes(xlog, k) = {} THEN InitConfig
    ELSE xlog[MaxOf(ConfIndexes(xlog, k))].value

\* Server i's configuration.  A change takes effect when applied; apply
\* is not modelled, so: as of i's commit index.  This is its snapshot's
\* configuration plus the committed changes after the snapshot.
Config(i) == ConfigAt(log[i], commitIndex[i])

\* S holds a majority of every voter set of configuration c: both
\* majorities while c is joint (section 4.3).
IsQuorumOf(S, voters) == 2 * Cardinality(S \cap voters) > Cardinality(voters)
IsQuorum(S, c) ==
    /\ IsQuorumOf(S, c.incoming)
    /\ IsJoint(c) => IsQuorumOf(S, c.outgoing)

\* Server i's log holds no membership-change entry past its commit index
\* (Node's pending_conf_index_ <= applied).
NoPendingConf(i) == \A k \in commitIndex[i] + 1 .. Len(log[i]) : ~IsConfEntry(log[i][k])

\* The term of the last entry of a log, 0 if it is empty.
LastTerm(xlog) == IF xlog = <<>> THEN 0 ELSE xlog[Len(xlog)].term

\* The election restriction (section 3.6.1): a log ending in
\* (lastTerm, lastIndex) is at least as up to date as server i's log.
LogUpToDate(i, lastTerm, lastIndex) ==
    \/ lastTerm > LastTerm(log[i])
    \/ /\ lastTerm = LastTerm(log[i])
       /\ lastIndex >= Len(log[i])

\* The leader state a server that is not leading holds.
InitNextIndex  == [j \in Servers |-> 1]
InitMatchIndex == [j \in Servers |-> 0]

\* Messages of the pre-vote round carry a term the receiver must not
\* adopt: a pre-vote request (the term the candidate would campaign in)
\* and a granted pre-vote response (which echoes that term).
AdoptsTerm(m) ==
    ~ \/ m.mtype = PreVoteRequest
      \/ m.mtype = PreVoteResponse /\ m.mvoteGranted

\* Message m, addressed to server i, is for i's current term once the
\* shared term rules of Node::step have run: it has i's term, or a
\* higher one that i does not adopt.
IsCurrent(i, m) ==
    \/ m.mterm = currentTerm[i]
    \/ m.mterm > currentTerm[i] /\ ~AdoptsTerm(m)

\* Network helpers.  A handler that has used message m either takes it
\* off the network, or leaves it there because the network holds another
\* copy (DuplicateMessage).
Send(m)      == messages' = messages \cup {m}
SendAll(ms)  == messages' = messages \cup ms
Remaining(m) == {messages \ {m}, messages}
Discard(m)   == \E rest \in Remaining(m) : messages' = rest
Reply(r, m)  == \E rest \in Remaining(m) : messages' = rest \cup {r}

-----------------------------------------------------------------------------
(***************************************************************************)
(* Init                                                                    *)
(***************************************************************************)

Init ==
    /\ currentTerm  = [i \in Servers |-> 0]
    /\ votedFor     = [i \in Servers |-> Nil]
    /\ log          = [i \in Servers |-> <<>>]
    /\ snapshotIndex = [i \in Servers |-> 0]
    /\ role         = [i \in Servers |-> Follower]
    /\ commitIndex  = [i \in Servers |-> 0]
    /\ votesGranted = [i \in Servers |-> {}]
    /\ nextIndex    = [i \in Servers |-> InitNextIndex]
    /\ matchIndex   = [i \in Servers |-> InitMatchIndex]
    /\ messages     = {}
    /\ committed    = {}

-----------------------------------------------------------------------------
(***************************************************************************)
(* Actions                                                                 *)
(***************************************************************************)

\* C++: Node::become_pre_candidate, folded into Timeout.  Server i asks
\* the others whether they would vote for it in term currentTerm + 1,
\* without raising its own term or casting a vote (section 9.6).
BecomePreCandidate(i) ==
    /\ role'         = [role EXCEPT ![i] = PreCandidate]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {i}]
    /\ SendAll({[mtype         |-> PreVoteRequest,
                 mterm         |-> currentTerm[i] + 1,
                 mlastLogTerm  |-> LastTerm(log[i]),
                 mlastLogIndex |-> Len(log[i]),
                 msource       |-> i,
                 mdest         |-> j] : j \in Servers \ {i}})
    /\ UNCHANGED <<persistentVars, commitIndex, leaderVars, committed>>

\* C++: Node::become_candidate.  Server i starts term currentTerm + 1,
\* votes for itself and asks the others for votes (section 3.4).  Called
\* by Timeout when PreVote is off, and by HandleRequestVoteResponse when a
\* PreCandidate has pre-votes from a quorum; msgs is the network as that
\* caller leaves it.
BecomeCandidate(i, msgs) ==
    /\ currentTerm'  = [currentTerm EXCEPT ![i] = currentTerm[i] + 1]
    /\ votedFor'     = [votedFor EXCEPT ![i] = i]
    /\ role'         = [role EXCEPT ![i] = Candidate]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {i}]
    /\ messages'     = msgs \cup
                         {[mtype         |-> RequestVoteRequest,
                           mterm         |-> currentTerm[i] + 1,
                           mlastLogTerm  |-> LastTerm(log[i]),
                           mlastLogIndex |-> Len(log[i]),
                           msource       |-> i,
                           mdest         |-> j] : j \in Servers \ {i}}
    /\ UNCHANGED <<log, snapshotIndex, commitIndex, leaderVars, committed>>

\* C++: Node::timeout.  Server i's election timer fires (section 3.4).
\* With PreVote it becomes a PreCandidate, without it a Candidate.  Only
\* a voter of its configuration campaigns (Node::promotable).
Timeout(i) ==
    /\ role[i] \in {Follower, PreCandidate, Candidate}
    /\ i \in Voters(Config(i))
    /\ IF PreVote THEN BecomePreCandidate(i) ELSE BecomeCandidate(i, messages)

\* C++: Node::become_leader.  Called by HandleRequestVoteResponse when a
\* Candidate has votes from a quorum: i becomes leader and appends a
\* no-op entry of its term (section 6.4), so that it can commit the
\* entries of earlier terms.
BecomeLeader(i) ==
    /\ role'         = [role EXCEPT ![i] = Leader]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ nextIndex'    = [nextIndex EXCEPT ![i] = [j \in Servers |-> Len(log[i]) + 1]]
    /\ matchIndex'   = [matchIndex EXCEPT ![i] = InitMatchIndex]
    /\ log'          = [log EXCEPT ![i] = Append(@, [term  |-> currentTerm[i],
                                                     value |-> Nil])]
    /\ UNCHANGED <<currentTerm, votedFor, snapshotIndex, commitIndex, committed>>

\* C++: Node::propose.  Leader i appends client value v to its log.
ClientRequest(i, v) ==
    /\ role[i] = Leader
    /\ log' = [log EXCEPT ![i] = Append(@, [term |-> currentTerm[i], value |-> v])]
    /\ UNCHANGED <<currentTerm, votedFor, snapshotIndex, volatileVars,
                   candidateVars, leaderVars, messages, committed>>

\* C++: Node::propose_conf_change.  Leader i proposes that newVoters
\* become the voters: it appends an "enter joint" entry whose outgoing
\* set is its current voters.  Refused while i's configuration is joint
\* or a membership-change entry in its log is not yet committed
\* (applied); also refused by a leader the committed configuration has
\* removed, which the C++ has stepped down when applying that entry.
ProposeConfChange(i, newVoters) ==
    /\ role[i] = Leader
    /\ ~IsJoint(Config(i))
    /\ NoPendingConf(i)
    /\ i \in Config(i).incoming
    /\ newVoters /= {}
    /\ newVoters /= Config(i).incoming
    /\ log' = [log EXCEPT ![i] =
                  Append(@, [term  |-> currentTerm[i],
                             value |-> [incoming |-> newVoters,
                                        outgoing |-> Config(i).incoming]])]
    /\ UNCHANGED <<currentTerm, votedFor, snapshotIndex, volatileVars,
                   candidateVars, leaderVars, messages, committed>>

\* C++: Node::maybe_leave_joint.  Once leader i's configuration is joint
\* and no membership-change entry is pending, it appends the "leave
\* joint" entry by itself.
LeaveJoint(i) ==
    /\ role[i] = Leader
    /\ IsJoint(Config(i))
    /\ NoPendingConf(i)
    /\ log' = [log EXCEPT ![i] =
                  Append(@, [term  |-> currentTerm[i],
                             value |-> [incoming |-> Config(i).incoming,
                                        outgoing |-> {}]])]
    /\ UNCHANGED <<currentTerm, votedFor, snapshotIndex, volatileVars,
                   candidateVars, leaderVars, messages, committed>>

\* C++: Node::apply_conf_change, its step-down.  A leader that applies
\* the "leave joint" entry of a configuration whose voters exclude it
\* becomes a follower in its term.  Until then it still leads, as the
\* C++ does between commit and apply.
ApplyConfChange(i) ==
    /\ role[i] = Leader
    /\ ~IsJoint(Config(i))
    /\ i \notin Config(i).incoming
    /\ role'       = [role EXCEPT ![i] = Follower]
    /\ nextIndex'  = [nextIndex EXCEPT ![i] = InitNextIndex]
    /\ matchIndex' = [matchIndex EXCEPT ![i] = InitMatchIndex]
    /\ UNCHANGED <<persistentVars, commitIndex, candidateVars, messages,
                   committed>>

\* C++: sim::Cluster::compact (MemoryStorage::compact).  Server i
\* replaces the prefix of its log through committed index k by a
\* snapshot recording k, the term of entry k and the configuration as of
\* k.
Compact(i, k) ==
    /\ k > snapshotIndex[i]
    /\ k <= commitIndex[i]
    /\ snapshotIndex' = [snapshotIndex EXCEPT ![i] = k]
    /\ UNCHANGED <<currentTerm, votedFor, log, volatileVars, candidateVars,
                   leaderVars, messages, committed>>

\* C++: Node::send_snapshot, called by Node::send_append when peer j
\* needs an entry leader i has compacted.  The message carries the
\* snapshot: its index and term and, standing for the state machine and
\* the configuration as of it, the compacted prefix.
SendSnapshot(i, j) ==
    /\ i /= j
    /\ role[i] = Leader
    /\ snapshotIndex[i] > 0
    /\ nextIndex[i][j] <= snapshotIndex[i]
    /\ Send([mtype          |-> InstallSnapshotRequest,
             mterm          |-> currentTerm[i],
             msnapshotIndex |-> snapshotIndex[i],
             msnapshotTerm  |-> log[i][snapshotIndex[i]].term,
             msnapshotLog   |-> SubSeq(log[i], 1, snapshotIndex[i]),
             msource        |-> i,
             mdest          |-> j])
    /\ UNCHANGED <<persistentVars, volatileVars, candidateVars, leaderVars,
                   committed>>

\* C++: Node::send_append.  Leader i sends peer j the entry at
\* nextIndex[i][j], or no entry if j is up to date (which then serves as
\* a heartbeat; there is no separate Heartbeat action).  At most one
\* entry per message keeps the model small.  If the entry before
\* nextIndex[i][j] is compacted, SendSnapshot goes instead.  The commit index sent is
\* capped at the last index the message covers, which is all a follower
\* may use of it.
AppendEntries(i, j) ==
    /\ i /= j
    /\ role[i] = Leader
    /\ nextIndex[i][j] > snapshotIndex[i]
    /\ LET prevLogIndex == nextIndex[i][j] - 1
           prevLogTerm  == IF prevLogIndex > 0 THEN log[i][prevLogIndex].term ELSE 0
           lastEntry    == Min(Len(log[i]), nextIndex[i][j])
           entries      == SubSeq(log[i], nextIndex[i][j], lastEntry)
       IN Send([mtype         |-> AppendEntriesRequest,
                mterm         |-> currentTerm[i],
                mprevLogIndex |-> prevLogIndex,
                mprevLogTerm  |-> prevLogTerm,
                mentries      |-> entries,
                mcommitIndex  |-> Min(commitIndex[i], lastEntry),
                msource       |-> i,
                mdest         |-> j])
    /\ UNCHANGED <<persistentVars, volatileVars, candidateVars, leaderVars,
                   committed>>

\* C++: Node::advance_commit_index.  Called by
\* HandleAppendEntriesResponse once leader i's matchIndex for the
\* responder is updated; match is that new matchIndex[i].  Leader i
\* commits up to the highest index a quorum holds, but only if that entry
\* is of its own term (section 3.6.2, Figure 3.7): an entry of an earlier
\* term is committed only indirectly, by committing a later entry of the
\* current term.  Entries committed for the first time join the history.
\* The quorum is of i's configuration: both majorities while joint.
AdvanceCommitIndex(i, match) ==
    LET \* The servers that hold index k: i itself and the peers whose
        \* matchIndex has reached k.
        Agree(k)   == {i} \cup {j \in Servers : match[j] >= k}
        newCommit  == MaxOf({k \in 0 .. Len(log[i]) : IsQuorum(Agree(k), Config(i))})
        Entry(k)   == [index      |-> k,
                       term       |-> log[i][k].term,
                       value      |-> log[i][k].value,
                       commitTerm |-> currentTerm[i]]
        IsKnown(k) == \E c \in committed : /\ c.index = k
                                           /\ c.term  = log[i][k].term
                                           /\ c.value = log[i][k].value
    IN IF /\ newCommit > commitIndex[i]
          /\ log[i][newCommit].term = currentTerm[i]
       THEN /\ commitIndex' = [commitIndex EXCEPT ![i] = newCommit]
            /\ committed'   = committed \cup
                                {Entry(k) : k \in {x \in commitIndex[i] + 1 .. newCommit :
                                                      ~IsKnown(x)}}
       ELSE UNCHANGED <<commitIndex, committed>>

\* C++: Node::check_quorum.  A leader that has not heard from a quorum
\* within an election timeout steps down, keeping its term (section
\* 6.2).  Time is not modelled, so a leader may do this at any moment.
CheckQuorum(i) ==
    /\ role[i] = Leader
    /\ role'       = [role EXCEPT ![i] = Follower]
    /\ nextIndex'  = [nextIndex EXCEPT ![i] = InitNextIndex]
    /\ matchIndex' = [matchIndex EXCEPT ![i] = InitMatchIndex]
    /\ UNCHANGED <<persistentVars, commitIndex, candidateVars, messages,
                   committed>>

\* C++: Node::Node (a node constructed from its Storage).  Server i
\* crashes and restarts: it keeps currentTerm, votedFor, log and
\* snapshot, and loses everything else; it starts from its snapshot, so
\* its commit index is the snapshot's index.  Messages in flight stay in
\* flight.
Restart(i) ==
    /\ role'         = [role EXCEPT ![i] = Follower]
    /\ commitIndex'  = [commitIndex EXCEPT ![i] = snapshotIndex[i]]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ nextIndex'    = [nextIndex EXCEPT ![i] = InitNextIndex]
    /\ matchIndex'   = [matchIndex EXCEPT ![i] = InitMatchIndex]
    /\ UNCHANGED <<persistentVars, messages, committed>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Message handlers                                                        *)
(*                                                                         *)
(* Node::step first applies the term rules every role shares (UpdateTerm, *)
(* DropStaleMessage); a message that passes them is for the receiver's    *)
(* current term and goes to the handler for its type.                     *)
(***************************************************************************)

\* C++: Node::update_term.  A message with a higher term that i must
\* adopt: i takes the term, clears its vote and becomes a Follower
\* (section 3.3).  The message stays in flight and is handled next.
UpdateTerm(i, j, m) ==
    /\ m.mterm > currentTerm[i]
    /\ AdoptsTerm(m)
    /\ currentTerm'  = [currentTerm EXCEPT ![i] = m.mterm]
    /\ votedFor'     = [votedFor EXCEPT ![i] = Nil]
    /\ role'         = [role EXCEPT ![i] = Follower]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ nextIndex'    = [nextIndex EXCEPT ![i] = InitNextIndex]
    /\ matchIndex'   = [matchIndex EXCEPT ![i] = InitMatchIndex]
    /\ UNCHANGED <<log, snapshotIndex, commitIndex, messages, committed>>

\* C++: Node::step, its stale-term branch.  A message from an older term
\* is dropped without reply.
DropStaleMessage(i, j, m) ==
    /\ m.mterm < currentTerm[i]
    /\ messages' = messages \ {m}
    /\ UNCHANGED <<persistentVars, volatileVars, candidateVars, leaderVars,
                   committed>>

\* C++: Node::handle_request_vote_request.  Server i answers a pre-vote or
\* a vote request from j (sections 3.6.1, 9.6).  A pre-vote is granted iff
\* the requested term is above i's term and j's log is at least as up to
\* date; it changes nothing at i.  A vote is granted iff j's log is at
\* least as up to date and i has not voted for anyone else in this term.
HandleRequestVoteRequest(i, j, m) ==
    /\ m.mtype \in {PreVoteRequest, RequestVoteRequest}
    /\ IsCurrent(i, m)
    /\ LET isPreVote == m.mtype = PreVoteRequest
           logOk     == LogUpToDate(i, m.mlastLogTerm, m.mlastLogIndex)
           grant     == IF isPreVote
                        THEN m.mterm > currentTerm[i] /\ logOk
                        ELSE logOk /\ votedFor[i] \in {Nil, j}
       IN /\ votedFor' = IF ~isPreVote /\ grant
                         THEN [votedFor EXCEPT ![i] = j]
                         ELSE votedFor
          /\ Reply([mtype        |-> IF isPreVote THEN PreVoteResponse
                                                  ELSE RequestVoteResponse,
                    \* A granted pre-vote echoes the requested term; any
                    \* other response carries i's term.
                    mterm        |-> IF isPreVote /\ grant THEN m.mterm
                                                           ELSE currentTerm[i],
                    mvoteGranted |-> grant,
                    msource      |-> i,
                    mdest        |-> j], m)
    /\ UNCHANGED <<currentTerm, log, snapshotIndex, volatileVars, candidateVars,
                   leaderVars, committed>>

\* C++: Node::handle_request_vote_response.  Server i counts a granted
\* pre-vote toward its pre-vote round (only one cast for the term it is
\* asking about) or a granted vote toward its election.  With a quorum, a
\* PreCandidate calls BecomeCandidate and a Candidate calls BecomeLeader.
\* The quorum is of i's configuration: both majorities while joint.
\* Rejections are counted by no one: they matter for liveness only.
HandleRequestVoteResponse(i, j, m) ==
    /\ m.mtype \in {PreVoteResponse, RequestVoteResponse}
    /\ IsCurrent(i, m)
    /\ LET isPreVote == m.mtype = PreVoteResponse
           counts    == IF isPreVote
                        THEN role[i] = PreCandidate /\ m.mterm = currentTerm[i] + 1
                        ELSE role[i] = Candidate
           votes     == IF counts /\ m.mvoteGranted
                        THEN votesGranted[i] \cup {j}
                        ELSE votesGranted[i]
           wins      == counts /\ IsQuorum(votes, Config(i))
       IN \E rest \in Remaining(m) :
             IF wins /\ isPreVote
             THEN BecomeCandidate(i, rest)
             ELSE IF wins
             THEN /\ BecomeLeader(i)
                  /\ messages' = rest
             ELSE /\ votesGranted' = [votesGranted EXCEPT ![i] = votes]
                  /\ messages' = rest
                  /\ UNCHANGED <<persistentVars, volatileVars, leaderVars,
                                 committed>>

\* C++: Node::handle_append_entries_request.  Server i, not a leader in
\* this term, recognises j as leader (a (Pre)Candidate steps back to
\* Follower) and runs the consistency check (section 3.5).  On success it
\* deletes a conflicting suffix, appends the entry, learns the commit
\* index and acknowledges; on failure it replies with a conflict hint
\* (the optimisation sketched at the end of section 5.3 of the Raft
\* paper): the term of its entry at prevLogIndex and the first index it
\* holds of that term, or term 0 and its last index + 1 if it has no
\* entry at prevLogIndex.  A request whose prevLogIndex is below i's
\* snapshot (so below its commit index) is answered with i's commit
\* index, as the C++ answers any request below its commit index.
HandleAppendEntriesRequest(i, j, m) ==
    /\ m.mtype = AppendEntriesRequest
    /\ IsCurrent(i, m)
    /\ role[i] /= Leader
    /\ LET prev  == m.mprevLogIndex
           logOk == \/ prev = 0
                    \/ /\ prev <= Len(log[i])
                       /\ log[i][prev].term = m.mprevLogTerm
       IN /\ role'         = [role EXCEPT ![i] = Follower]
          /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
          /\ IF prev < snapshotIndex[i]
             THEN /\ Reply([mtype          |-> AppendEntriesResponse,
                            mterm          |-> currentTerm[i],
                            msuccess       |-> TRUE,
                            mmatchIndex    |-> commitIndex[i],
                            mconflictTerm  |-> 0,
                            mconflictIndex |-> 0,
                            msource        |-> i,
                            mdest          |-> j], m)
                  /\ UNCHANGED <<log, commitIndex>>
             ELSE IF logOk
             THEN LET index   == prev + 1
                      lastNew == prev + Len(m.mentries)
                      \* An entry i already holds (same index and term) is
                      \* kept with everything after it: the request may be
                      \* stale, and truncating could lose committed entries.
                      newLog  == IF \/ m.mentries = <<>>
                                    \/ /\ index <= Len(log[i])
                                       /\ log[i][index].term = m.mentries[1].term
                                 THEN log[i]
                                 ELSE SubSeq(log[i], 1, prev) \o m.mentries
                  IN /\ log' = [log EXCEPT ![i] = newLog]
                     /\ commitIndex' = [commitIndex EXCEPT ![i] =
                                           Max(@, Min(m.mcommitIndex, lastNew))]
                     /\ Reply([mtype          |-> AppendEntriesResponse,
                               mterm          |-> currentTerm[i],
                               msuccess       |-> TRUE,
                               mmatchIndex    |-> lastNew,
                               mconflictTerm  |-> 0,
                               mconflictIndex |-> 0,
                               msource        |-> i,
                               mdest          |-> j], m)
             ELSE LET hasPrev       == prev <= Len(log[i])
                      conflictTerm  == IF hasPrev THEN log[i][prev].term ELSE 0
                      conflictIndex ==
                          IF hasPrev
                          THEN MinOf({k \in snapshotIndex[i] + 1 .. prev :
                                          log[i][k].term = conflictTerm})
                          ELSE Len(log[i]) + 1
                  IN /\ Reply([mtype          |-> AppendEntriesResponse,
                               mterm          |-> currentTerm[i],
                               msuccess       |-> FALSE,
                               mmatchIndex    |-> 0,
                               mconflictTerm  |-> conflictTerm,
                               mconflictIndex |-> conflictIndex,
                               msource        |-> i,
                               mdest          |-> j], m)
                     /\ UNCHANGED <<log, commitIndex>>
    /\ UNCHANGED <<currentTerm, votedFor, snapshotIndex, leaderVars, committed>>

\* C++: Node::handle_install_snapshot_request.  Server i, not a leader in
\* this term, recognises j as leader and answers with an
\* AppendEntriesResponse.  A snapshot not newer than i's commit index is
\* refused, the answer carrying that commit index.  If i's log holds the
\* snapshot's last entry (index and term), i keeps the entries after it
\* and commits through it.  Otherwise i's log becomes the snapshot.
\* Either way the answer carries the snapshot's index.
HandleInstallSnapshotRequest(i, j, m) ==
    /\ m.mtype = InstallSnapshotRequest
    /\ IsCurrent(i, m)
    /\ role[i] /= Leader
    /\ LET idx == m.msnapshotIndex
           holdsLast == /\ idx <= Len(log[i])
                        /\ log[i][idx].term = m.msnapshotTerm
       IN /\ role'         = [role EXCEPT ![i] = Follower]
          /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
          /\ IF idx <= commitIndex[i]
             THEN UNCHANGED <<log, snapshotIndex, commitIndex>>
             ELSE IF holdsLast
             THEN /\ commitIndex' = [commitIndex EXCEPT ![i] = idx]
                  /\ UNCHANGED <<log, snapshotIndex>>
             ELSE /\ log'           = [log EXCEPT ![i] = m.msnapshotLog]
                  /\ snapshotIndex' = [snapshotIndex EXCEPT ![i] = idx]
                  /\ commitIndex'   = [commitIndex EXCEPT ![i] = idx]
          /\ Reply([mtype          |-> AppendEntriesResponse,
                    mterm          |-> currentTerm[i],
                    msuccess       |-> TRUE,
                    mmatchIndex    |-> IF idx <= commitIndex[i]
                                       THEN commitIndex[i] ELSE idx,
                    mconflictTerm  |-> 0,
                    mconflictIndex |-> 0,
                    msource        |-> i,
                    mdest          |-> j], m)
    /\ UNCHANGED <<currentTerm, votedFor, leaderVars, committed>>

\* C++: Node::handle_append_entries_response.  Leader i learns how far
\* peer j's log matches its own.  On success matchIndex and nextIndex only
\* move forward (responses may arrive late or twice) and i calls
\* AdvanceCommitIndex.  On a rejection with hint (conflictTerm,
\* conflictIndex): if conflictTerm /= 0 and i holds entries of
\* conflictTerm, nextIndex becomes the index after i's last entry of that
\* term, else conflictIndex; never below matchIndex + 1.  A server that is
\* no longer leader ignores responses.
HandleAppendEntriesResponse(i, j, m) ==
    /\ m.mtype = AppendEntriesResponse
    /\ IsCurrent(i, m)
    /\ IF role[i] /= Leader
       THEN UNCHANGED <<commitIndex, leaderVars, committed>>
       ELSE IF m.msuccess
       THEN LET match == [matchIndex[i] EXCEPT ![j] = Max(@, m.mmatchIndex)]
            IN /\ matchIndex' = [matchIndex EXCEPT ![i] = match]
               /\ nextIndex'  = [nextIndex EXCEPT ![i][j] = Max(@, m.mmatchIndex + 1)]
               /\ AdvanceCommitIndex(i, match)
       ELSE LET termIndexes == {k \in snapshotIndex[i] + 1 .. Len(log[i]) :
                                    log[i][k].term = m.mconflictTerm}
                hint == IF m.mconflictTerm /= 0 /\ termIndexes /= {}
                        THEN MaxOf(termIndexes) + 1
                        ELSE m.mconflictIndex
            IN /\ nextIndex' = [nextIndex EXCEPT ![i][j] =
                                   Max(hint, matchIndex[i][j] + 1)]
               /\ UNCHANGED <<commitIndex, matchIndex, committed>>
    /\ Discard(m)
    /\ UNCHANGED <<persistentVars, role, candidateVars>>

\* Delivery of message m to its destination: Node::step's term rules,
\* then the handler for m's type.
Receive(m) ==
    LET i == m.mdest
        j == m.msource
    IN \/ UpdateTerm(i, j, m)
       \/ DropStaleMessage(i, j, m)
       \/ HandleRequestVoteRequest(i, j, m)
       \/ HandleRequestVoteResponse(i, j, m)
       \/ HandleAppendEntriesRequest(i, j, m)
       \/ HandleAppendEntriesResponse(i, j, m)
       \/ HandleInstallSnapshotRequest(i, j, m)

-----------------------------------------------------------------------------
(***************************************************************************)
(* Network                                                                 *)
(*                                                                         *)
(* The simulator's network may drop, duplicate and reorder messages.      *)
(* Reordering is free: any message in the set may be delivered next.      *)
(* DuplicateMessage(m) has no action of its own: messages is the set of   *)
(* distinct messages in flight, so a second copy of m changes nothing     *)
(* until a copy is delivered, and a handler that delivers one copy while  *)
(* another remains leaves m in flight (Discard and Reply above).          *)
(***************************************************************************)

\* The network loses message m.
DropMessage(m) ==
    /\ messages' = messages \ {m}
    /\ UNCHANGED <<persistentVars, volatileVars, candidateVars, leaderVars,
                   committed>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Next                                                                    *)
(***************************************************************************)

Next ==
    \/ \E i \in Servers : Timeout(i)
    \/ \E i \in Servers, v \in Values : ClientRequest(i, v)
    \/ \E i, j \in Servers : AppendEntries(i, j)
    \/ \E i \in Servers : CheckQuorum(i)
    \/ \E i \in Servers : Restart(i)
    \/ \E i \in Servers : \E k \in 1 .. commitIndex[i] : Compact(i, k)
    \/ \E i, j \in Servers : SendSnapshot(i, j)
    \/ \E i \in Servers, s \in SUBSET Servers : ProposeConfChange(i, s)
    \/ \E i \in Servers : LeaveJoint(i)
    \/ \E i \in Servers : ApplyConfChange(i)
    \/ \E m \in messages : Receive(m)
    \/ \E m \in messages : DropMessage(m)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(***************************************************************************)
(* Invariants                                                              *)
(***************************************************************************)

Entries == [term : Nat, value : Values \cup {Nil} \cup Configs]

\* Every variable holds a value of the expected shape.  (The C++ types
\* enforce this; it has no C++ checker.)
TypeOKInv ==
    /\ currentTerm  \in [Servers -> Nat]
    /\ votedFor     \in [Servers -> Servers \cup {Nil}]
    /\ \A i \in Servers : log[i] \in Seq(Entries)
    /\ snapshotIndex \in [Servers -> Nat]
    /\ role         \in [Servers -> {Follower, PreCandidate, Candidate, Leader}]
    /\ commitIndex  \in [Servers -> Nat]
    /\ votesGranted \in [Servers -> SUBSET Servers]
    /\ nextIndex    \in [Servers -> [Servers -> Nat \ {0}]]
    /\ matchIndex   \in [Servers -> [Servers -> Nat]]

\* Election Safety (Figure 3.2): at most one leader per term.
ElectionSafetyInv ==
    \A i, j \in Servers :
        (/\ role[i] = Leader /\ role[j] = Leader
         /\ currentTerm[i] = currentTerm[j]) => i = j

\* Log Matching (Figure 3.2): two logs with an entry of the same index and
\* term are identical up to that index.
LogMatchingInv ==
    \A i, j \in Servers :
        \A k \in 1 .. Min(Len(log[i]), Len(log[j])) :
            log[i][k].term = log[j][k].term =>
                SubSeq(log[i], 1, k) = SubSeq(log[j], 1, k)

\* Leader Completeness (Figure 3.2): a leader's log holds every entry
\* committed in its term or an earlier one.
LeaderCompletenessInv ==
    \A i \in Servers :
        role[i] = Leader =>
            \A c \in committed :
                c.commitTerm <= currentTerm[i] =>
                    /\ c.index <= Len(log[i])
                    /\ log[i][c.index] = [term |-> c.term, value |-> c.value]

\* State Machine Safety (Figure 3.2): no two servers hold different
\* entries at an index both have committed, and no index was ever
\* committed with two different entries.
StateMachineSafetyInv ==
    /\ \A i, j \in Servers :
           \A k \in 1 .. Min(commitIndex[i], commitIndex[j]) :
               log[i][k] = log[j][k]
    /\ \A c, d \in committed :
           c.index = d.index => c.term = d.term /\ c.value = d.value

\* Every entry a server takes as committed was committed by a leader.
CommittedInHistoryInv ==
    \A i \in Servers :
        \A k \in 1 .. commitIndex[i] :
            \E c \in committed : /\ c.index = k
                                 /\ c.term  = log[i][k].term
                                 /\ c.value = log[i][k].value

\* Terms never decrease along a log.
LogTermsMonotonicInv ==
    \A i \in Servers :
        \A k \in 1 .. Len(log[i]) - 1 : log[i][k].term <= log[i][k + 1].term

\* No entry's term exceeds its holder's current term.
CurrentTermAtLeastLogTermInv ==
    \A i \in Servers : LastTerm(log[i]) <= currentTerm[i]

\* A server's commit index never points past its log.
CommitIndexInLogInv ==
    \A i \in Servers : commitIndex[i] <= Len(log[i])

\* A candidate or leader voted for itself in its current term.
VotedForLeaderInv ==
    \A i \in Servers :
        role[i] \in {Candidate, Leader} => votedFor[i] = i

\* A leader's log holds an entry of its term, and the first such entry
\* is its no-op.
LeaderLogHasNoopInv ==
    \A i \in Servers :
        role[i] = Leader =>
            \E k \in 1 .. Len(log[i]) :
                /\ log[i][k] = [term |-> currentTerm[i], value |-> Nil]
                /\ \A x \in 1 .. k - 1 : log[i][x].term < currentTerm[i]

\* Every vote a candidate counts came from a server that, if still in
\* the candidate's term, voted for it.
CandidateVotesInv ==
    \A i \in Servers :
        role[i] = Candidate =>
            \A j \in votesGranted[i] :
                currentTerm[j] = currentTerm[i] => votedFor[j] = i

\* A leader's matchIndex for a peer still in its term is a prefix of the
\* peer's log that equals the leader's.
MatchIndexInv ==
    \A i, j \in Servers :
        (role[i] = Leader /\ j /= i /\ currentTerm[j] = currentTerm[i]) =>
            /\ matchIndex[i][j] <= Len(log[j])
            /\ matchIndex[i][j] <= Len(log[i])
            /\ SubSeq(log[j], 1, matchIndex[i][j]) =
               SubSeq(log[i], 1, matchIndex[i][j])

\* A server's snapshot covers only committed entries of its log.
SnapshotCommittedInv ==
    \A i \in Servers : snapshotIndex[i] <= commitIndex[i]

\* Membership changes form a chain in every log: an "enter joint" entry
\* follows a configuration that is not joint and keeps its voters as the
\* outgoing set; a "leave joint" entry follows a joint configuration and
\* keeps its incoming set.
ConfigChainInv ==
    \A i \in Servers :
        \A k \in 1 .. Len(log[i]) :
            IsConfEntry(log[i][k]) =>
                LET c    == log[i][k].value
                    prev == ConfigAt(log[i], k - 1)
                IN IF IsJoint(c)
                   THEN ~IsJoint(prev) /\ c.outgoing = prev.incoming
                   ELSE IsJoint(prev) /\ c.incoming = prev.incoming

\* A leader's log holds at most one membership-change entry that no
\* leader has committed.
LeaderOnePendingConfInv ==
    \A i \in Servers :
        role[i] = Leader =>
            Cardinality({k \in 1 .. Len(log[i]) :
                            /\ IsConfEntry(log[i][k])
                            /\ ~\E c \in committed :
                                   /\ c.index = k
                                   /\ c.term  = log[i][k].term}) <= 1

\* A leader is a voter of its configuration, unless the configuration
\* has just removed it and it has yet to step down (ApplyConfChange).
LeaderIsVoterInv ==
    \A i \in Servers :
        role[i] = Leader =>
            \/ i \in Voters(Config(i))
            \/ ~IsJoint(Config(i)) /\ i \notin Config(i).incoming

=============================================================================
