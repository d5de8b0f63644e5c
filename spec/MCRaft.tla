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

ASSUME {MaxTerm, MaxLogLen, MaxMessages, MaxRestarts, MaxCheckQuorums} \subseteq Nat

\* Counters of the steps bounded above; they belong to the model, not to
\* Raft.
VARIABLE restarts
VARIABLE checkQuorums
counterVars == <<restarts, checkQuorums>>

MCInit ==
    /\ Init
    /\ restarts = 0
    /\ checkQuorums = 0

\* Raft's Next, disjunct for disjunct, with the two counted steps
\* counted.
MCNext ==
    \/ /\ \/ \E i \in Servers : Timeout(i)
          \/ \E i \in Servers, v \in Values : ClientRequest(i, v)
          \/ \E i, j \in Servers : AppendEntries(i, j)
          \/ \E m \in messages : Receive(m)
          \/ \E m \in messages : DropMessage(m)
       /\ UNCHANGED counterVars
    \/ /\ checkQuorums < MaxCheckQuorums
       /\ \E i \in Servers : CheckQuorum(i)
       /\ checkQuorums' = checkQuorums + 1
       /\ UNCHANGED restarts
    \/ /\ restarts < MaxRestarts
       /\ \E i \in Servers : Restart(i)
       /\ restarts' = restarts + 1
       /\ UNCHANGED checkQuorums

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

\* Servers are interchangeable, and so are client values.  Every
\* invariant is symmetric in both, so TLC may check one state per orbit.
Symmetry == Permutations(Servers) \cup Permutations(Values)

=============================================================================
