---------------------------- MODULE MCLeaseLock ----------------------------
(***************************************************************************)
(* The bounded model of LeaseLock.tla that TLC checks.  Every bound lives  *)
(* here: LeaseLock.tla itself is unbounded.  See README.md for the         *)
(* configurations and their figures.                                       *)
(***************************************************************************)
EXTENDS LeaseLock, TLC

\* The store's revision stays at or below MaxRevision (every Put and every
\* Delete takes one).
CONSTANT MaxRevision
\* The resource accepts at most MaxWrites writes.
CONSTANT MaxWrites
\* At most MaxPauses Pause steps in a behaviour, all clients together.
CONSTANT MaxPauses

ASSUME {MaxRevision, MaxWrites, MaxPauses} \subseteq Nat

\* The counter of Pause steps; it belongs to the model, not to the lock.
VARIABLE pauses

MCInit ==
    /\ Init
    /\ pauses = 0

\* LeaseLock's Next, disjunct for disjunct, with Pause steps counted.
MCNext ==
    \/ /\ \/ Tick
          \/ \E c \in Clients :
                 \/ Resume(c)
                 \/ Grant(c)
                 \/ KeepAlive(c)
                 \/ Expire(c)
                 \/ SessionExpired(c)
                 \/ Put(c)
                 \/ WaitDeletes(c)
                 \/ Acquire(c)
                 \/ Release(c)
                 \/ WriteResource(c)
       /\ UNCHANGED pauses
    \/ /\ pauses < MaxPauses
       /\ \E c \in Clients : Pause(c)
       /\ pauses' = pauses + 1

MCSpec == MCInit /\ [][MCNext]_<<vars, pauses>>

\* States outside these bounds are still checked against the invariants,
\* but TLC explores no successor of them.  Time is not bounded: see
\* TimeView.
StateConstraint ==
    /\ revision <= MaxRevision
    /\ Len(accepted) <= MaxWrites

\* What TLC tells states apart by.  No action compares a clock or a
\* deadline with a constant, only with another clock or deadline, so two
\* states that differ only by a shift in time have the same futures,
\* shifted.  The view keeps every other variable and, of the clocks, only
\* the differences the actions compare: the ticks each lease has left on
\* the server (never negative: Tick waits for Expire), how far each
\* client's clock lags the server's, and the ticks each lease has left
\* by its client's clock (all values at or below 0 alike: "over").  The
\* first and last are shifted by 1 so that 0 stands for "no lease".
\* With this view the model needs no bound on time: pauses of every
\* length are explored.
LeaseLeft(c) ==
    IF HasLease(c) THEN leaseDeadline[c] - clock + 1 ELSE 0
LocalLeaseLeft(c) ==
    IF localDeadline[c] = 0 THEN 0
    ELSE IF localDeadline[c] > localClock[c]
         THEN localDeadline[c] - localClock[c] + 1
         ELSE 1
TimeView ==
    << revision, createRevision, phase, paused, myRevision, waitFor,
       resourceVars, pauses,
       [c \in Clients |-> LeaseLeft(c)],
       [c \in Clients |-> clock - localClock[c]],
       [c \in Clients |-> LocalLeaseLeft(c)] >>

\* The clients are interchangeable: every invariant is symmetric in them.
Symmetry == Permutations(Clients)

=============================================================================
