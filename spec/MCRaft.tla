------------------------------- MODULE MCRaft -------------------------------
(***************************************************************************)
(* The bounded model of Raft.tla that TLC checks.  Every bound lives here: *)
(* Raft.tla itself is unbounded.  See README.md for the figures.           *)
(***************************************************************************)
EXTENDS Raft, TLC

\* No server's term grows past MaxTerm.
CONSTANT MaxTerm
\* No log grows past MaxLogLen entries (no-op entries included).
CONSTANT MaxLogLen
\* At most MaxMessages distinct messages are in flight at once.
CONSTANT MaxMessages
\* At most MaxRestarts Restart steps in a behaviour, all servers together.
CONSTANT MaxRestarts
\* At most MaxCheckQuorums CheckQuorum step-downs in a behaviour.
CONSTANT MaxCheckQuorums
\* At most MaxCompactions Compact steps in a behaviour.
CONSTANT MaxCompactions
\* At most MaxConfChanges ProposeConfChange steps in a behaviour (the
\* LeaveJoint entry each one brings is not counted).
CONSTANT MaxConfChanges

ASSUME {MaxTerm, MaxLogLen, MaxMessages, MaxRestarts, MaxCheckQuorums,
        MaxCompactions, MaxConfChanges} \subseteq Nat

\* Counters of the steps bounded above; they belong to the model, not to
\* Raft.
VARIABLE restarts
VARIABLE checkQuorums
VARIABLE compactions
VARIABLE confChanges
counterVars == <<restarts, checkQuorums, compactions, confChanges>>

MCInit ==
    /\ Init
    /\ restarts = 0
    /\ checkQuorums = 0
    /\ compactions = 0
    /\ confChanges = 0

\* Raft's Next, disjunct for disjunct, with the four counted steps
\* counted.
MCNext ==
    \/ /\ \/ \E i \in Servers : Timeout(i)
          \/ \E i \in Servers, v \in Values : ClientRequest(i, v)
          \/ \E i, j \in Servers : AppendEntries(i, j)
          \/ \E i, j \in Servers : SendSnapshot(i, j)
          \/ \E i \in Servers : LeaveJoint(i)
          \/ \E i \in Servers : ApplyConfChange(i)
          \/ \E m \in messages : Receive(m)
          \/ \E m \in messages : DropMessage(m)
       /\ UNCHANGED counterVars
    \/ /\ checkQuorums < MaxCheckQuorums
       /\ \E i \in Servers : CheckQuorum(i)
       /\ checkQuorums' = checkQuorums + 1
       /\ UNCHANGED <<restarts, compactions, confChanges>>
    \/ /\ restarts < MaxRestarts
       /\ \E i \in Servers : Restart(i)
       /\ restarts' = restarts + 1
       /\ UNCHANGED <<checkQuorums, compactions, confChanges>>
    \/ /\ compactions < MaxCompactions
       /\ \E i \in Servers : \E k \in 1 .. commitIndex[i] : Compact(i, k)
       /\ compactions' = compactions + 1
       /\ UNCHANGED <<restarts, checkQuorums, confChanges>>
    \/ /\ confChanges < MaxConfChanges
       /\ \E i \in Servers, s \in SUBSET Servers : ProposeConfChange(i, s)
       /\ confChanges' = confChanges + 1
       /\ UNCHANGED <<restarts, checkQuorums, compactions>>

MCSpec == MCInit /\ [][MCNext]_<<vars, counterVars>>

\* States outside these bounds are still checked against the invariants,
\* but TLC explores no successor of them.  Besides the constants above,
\* at most one server runs a pre-vote round at a time: concurrent
\* pre-vote rounds change no server's term or vote and multiply the state
\* space; two servers can still be Candidates in the same term (one
\* passes its pre-vote round, becomes Candidate, then the other does).
StateConstraint ==
    /\ \A i \in Servers : currentTerm[i] <= MaxTerm
    /\ \A i \in Servers : Len(log[i]) <= MaxLogLen
    /\ Cardinality(messages) <= MaxMessages
    /\ Cardinality({i \in Servers : role[i] = PreCandidate}) <= 1

\* The initial voters are interchangeable, and so are the other servers
\* and the client values.  Every invariant is symmetric in these, so TLC
\* may check one state per orbit.  (Values may be empty: a model of
\* no-ops and membership changes only.)
ServerPerms ==
    IF InitVoters = Servers
    THEN Permutations(Servers)
    ELSE Permutations(InitVoters) \cup Permutations(Servers \ InitVoters)
ValuePerms == IF Values = {} THEN {} ELSE Permutations(Values)
Symmetry == ServerPerms \cup ValuePerms

=============================================================================
