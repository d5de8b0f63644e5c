------------------------------ MODULE LeaseLock -----------------------------
(***************************************************************************)
(* etcd's lock recipe over leases, and a resource guarded by fencing       *)
(* tokens: the protocol lock/ implements.                                  *)
(*                                                                         *)
(* The server is one etcd store (replication is Raft.tla's business): a    *)
(* revision counter, a clock, one lease per client and one lock key per    *)
(* lease.  Clients grant a lease of TTL ticks, keep it alive, write the    *)
(* key prefix/<lease id> under it, wait for the key created just before    *)
(* theirs to be deleted, and believe they hold the lock once no key with   *)
(* a smaller create revision is left.  The server deletes the key of a     *)
(* lease whose deadline its clock has passed.  Clients may pause (take no  *)
(* step while time passes) and their clocks may run slow, so a client can  *)
(* go on believing it holds the lock after the server has deleted its      *)
(* key.  A resource takes writes that carry the writer's create revision   *)
(* as a fencing token, and, with Fencing on, refuses a token below the     *)
(* highest it has accepted.                                                *)
(*                                                                         *)
(* Actions are named after etcd's operations (Grant, KeepAlive, Put; the   *)
(* Deletes are those of Expire and Release) and the lock's steps           *)
(* (Acquire, Release, WriteResource); README.md maps each to etcd and to   *)
(* where lock/ does it.  Invariants end in "Inv".                          *)
(* Model-checking bounds live in MCLeaseLock.tla, never here.              *)
(*                                                                         *)
(* The lock protocol is that of etcd's client concurrency package          *)
(* (Mutex.Lock, waitDeletes); fencing tokens are those of Kleppmann, "How  *)
(* to do distributed locking" (2016).                                      *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

-----------------------------------------------------------------------------
(***************************************************************************)
(* Constants                                                               *)
(***************************************************************************)

\* The clients competing for the one lock.
CONSTANT Clients

\* The time to live of every lease, in ticks of the server's clock.
CONSTANT TTL

\* How many ticks a client's clock may fall behind the server's, over a
\* whole behaviour: a client's clock runs at the server's rate or slower,
\* never faster.  0: every client's clock agrees with the server's.
CONSTANT MaxDrift

\* TRUE: the resource refuses a write whose token is below the highest it
\* has accepted.  FALSE: it accepts every write.
CONSTANT Fencing

\* A keep-alive is sent on the last tick of a lease; with TTL = 1 that
\* tick is the one the lease is granted on, and time could never pass.
ASSUME TTL \in Nat /\ TTL >= 2
ASSUME MaxDrift \in Nat
ASSUME Fencing \in BOOLEAN

\* What a client is doing, as it sees it.
Idle    == "Idle"     \* no lease
Leased  == "Leased"   \* a lease (an etcd Session), no lock key
Waiting == "Waiting"  \* its lock key written, waiting for its turn
Holding == "Holding"  \* it believes it holds the lock

-----------------------------------------------------------------------------
(***************************************************************************)
(* Variables                                                               *)
(***************************************************************************)

\* The server: the store and its lessor.

\* The server's clock, in ticks.
VARIABLE clock
\* The store's revision: 1 when empty; every Put and every Delete of an
\* existing key takes the next one.
VARIABLE revision
\* The server's expiry time of each client's lease; 0: the client has no
\* lease.  A client holds at most one lease at a time.
VARIABLE leaseDeadline
\* The create revision of each client's lock key prefix/<lease id>; 0: no
\* such key (etcd compares an absent key's CreateRevision as 0).
VARIABLE createRevision
serverVars == <<clock, revision, leaseDeadline, createRevision>>

\* The clients: each one's view, which may be out of date.

\* Each client's phase: Idle, Leased, Waiting or Holding.
VARIABLE phase
\* TRUE while a client is paused (a stop-the-world pause, a suspended
\* VM): it takes no step, but time goes on.
VARIABLE paused
\* Each client's own clock, in ticks; never ahead of the server's.
VARIABLE localClock
\* When each client's lease ends by its own clock; 0 when Idle.
VARIABLE localDeadline
\* The create revision of the key each client wrote (the Mutex's myRev):
\* its fencing token while Holding; 0 when neither Waiting nor Holding.
VARIABLE myRevision
\* The create revision of the key a waiting client waits to see deleted,
\* the last one created before its own when it looked; 0: none.
VARIABLE waitFor
clientVars == <<phase, paused, localClock, localDeadline, myRevision,
                waitFor>>

\* The protected resource.

\* The highest token among the writes the resource has accepted; 0: none.
VARIABLE fenceToken
\* Every write the resource accepted, in order, as [client, token,
\* keyDeleted]: the writer, its token, and whether the server had already
\* deleted the writer's key when the write arrived (history, for the
\* invariants; the resource itself keeps only fenceToken).
VARIABLE accepted
resourceVars == <<fenceToken, accepted>>

vars == <<serverVars, clientVars, resourceVars>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Helpers                                                                 *)
(***************************************************************************)

Max(a, b) == IF a > b THEN a ELSE b
MaxOf(S)  == CHOOSE x \in S : \A y \in S : y <= x

\* Client c's lease exists in the store; it is alive while the server's
\* clock has not reached its deadline.
HasLease(c)   == leaseDeadline[c] /= 0
LeaseAlive(c) == HasLease(c) /\ clock < leaseDeadline[c]

\* The create revisions of the lock keys in the store.
Keys == {createRevision[c] : c \in Clients} \ {0}

\* The create revision of the last key created before revision r, 0 if
\* none: what waitDeletes asks for (WithLastCreate, WithMaxCreateRev).
LastCreatedBefore(r) ==
    LET before == {k \in Keys : k < r}
    IN IF before = {} THEN 0 ELSE MaxOf(before)

\* Client c has work that cannot wait for the next tick: its lease ends
\* on the next tick by its own clock, so it must send a keep-alive, or
\* its clock says the lease is over, so its session must end.  A paused
\* client is never due: time passes without it.
Due(c) ==
    /\ ~paused[c]
    /\ phase[c] /= Idle
    /\ localClock[c] + 1 >= localDeadline[c]

\* The server must expire c's lease before its clock moves on.
ExpiryDue(c) == HasLease(c) /\ clock >= leaseDeadline[c]

-----------------------------------------------------------------------------
(***************************************************************************)
(* Initial state                                                           *)
(***************************************************************************)

Init ==
    /\ clock          = 0
    /\ revision       = 1
    /\ leaseDeadline  = [c \in Clients |-> 0]
    /\ createRevision = [c \in Clients |-> 0]
    /\ phase          = [c \in Clients |-> Idle]
    /\ paused         = [c \in Clients |-> FALSE]
    /\ localClock     = [c \in Clients |-> 0]
    /\ localDeadline  = [c \in Clients |-> 0]
    /\ myRevision     = [c \in Clients |-> 0]
    /\ waitFor        = [c \in Clients |-> 0]
    /\ fenceToken     = 0
    /\ accepted       = <<>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Time                                                                    *)
(***************************************************************************)

\* The server's clock moves on one tick; each client's clock moves on one
\* tick or, if it may still fall behind, none.  Time waits for what is
\* due: no running client has a keep-alive or the end of its session
\* pending, and the server has expired every lease past its deadline.
Tick ==
    /\ \A c \in Clients : ~Due(c) /\ ~ExpiryDue(c)
    /\ clock' = clock + 1
    /\ \E lag \in [Clients -> {0, 1}] :
           /\ localClock' = [c \in Clients |-> localClock[c] + 1 - lag[c]]
           /\ \A c \in Clients : clock' - localClock'[c] <= MaxDrift
    /\ UNCHANGED <<revision, leaseDeadline, createRevision, phase, paused,
                   localDeadline, myRevision, waitFor, resourceVars>>

\* Client c stops: a stop-the-world pause, a suspended process.  It keeps
\* every belief it had.  (A client without a lease has nothing to lose.)
Pause(c) ==
    /\ ~paused[c]
    /\ phase[c] /= Idle
    /\ paused' = [paused EXCEPT ![c] = TRUE]
    /\ UNCHANGED <<serverVars, phase, localClock, localDeadline, myRevision,
                   waitFor, resourceVars>>

\* Client c runs again, with the beliefs it had when it stopped; its
\* clock went on meanwhile.
Resume(c) ==
    /\ paused[c]
    /\ paused' = [paused EXCEPT ![c] = FALSE]
    /\ UNCHANGED <<serverVars, phase, localClock, localDeadline, myRevision,
                   waitFor, resourceVars>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Leases                                                                  *)
(***************************************************************************)

\* Client c opens a session: the server grants it a lease of TTL ticks
\* (LeaseGrant; no revision).  The client counts the TTL on its own
\* clock from the same moment.  Its previous lease, if any, must be gone
\* from the store (one lease per client in this model).
Grant(c) ==
    /\ ~paused[c]
    /\ phase[c] = Idle
    /\ ~HasLease(c)
    /\ createRevision[c] = 0
    /\ leaseDeadline' = [leaseDeadline EXCEPT ![c] = clock + TTL]
    /\ localDeadline' = [localDeadline EXCEPT ![c] = localClock[c] + TTL]
    /\ phase'         = [phase EXCEPT ![c] = Leased]
    /\ UNCHANGED <<clock, revision, createRevision, paused, localClock,
                   myRevision, waitFor, resourceVars>>

\* Client c refreshes its lease on the last tick its own clock gives it
\* (LeaseKeepAlive).  The server renews only a lease that is alive: once
\* its clock has reached the deadline the answer is "lease not found".
\* Sending later than needed is the worst case; an earlier keep-alive
\* only pushes the deadline further.
KeepAlive(c) ==
    /\ ~paused[c]
    /\ phase[c] /= Idle
    /\ localClock[c] + 1 = localDeadline[c]
    /\ LeaseAlive(c)
    /\ leaseDeadline' = [leaseDeadline EXCEPT ![c] = clock + TTL]
    /\ localDeadline' = [localDeadline EXCEPT ![c] = localClock[c] + TTL]
    /\ UNCHANGED <<clock, revision, createRevision, phase, paused,
                   localClock, myRevision, waitFor, resourceVars>>

\* The server's clock has reached c's lease deadline: it revokes the
\* lease and deletes the key attached to it (one Delete, one revision),
\* whatever the client believes.
Expire(c) ==
    /\ ExpiryDue(c)
    /\ leaseDeadline' = [leaseDeadline EXCEPT ![c] = 0]
    /\ IF createRevision[c] /= 0
       THEN /\ createRevision' = [createRevision EXCEPT ![c] = 0]
            /\ revision' = revision + 1
       ELSE UNCHANGED <<createRevision, revision>>
    /\ UNCHANGED <<clock, clientVars, resourceVars>>

\* Client c learns that its session is over: its own clock says the
\* lease has ended, or a keep-alive was answered "lease not found".  It
\* drops every belief about the lock (the Mutex's ErrSessionExpired).  Its
\* key, if still there, goes when the server expires the lease.
SessionExpired(c) ==
    /\ ~paused[c]
    /\ phase[c] /= Idle
    /\ \/ localClock[c] >= localDeadline[c]
       \/ ~LeaseAlive(c)
    /\ phase'         = [phase EXCEPT ![c] = Idle]
    /\ localDeadline' = [localDeadline EXCEPT ![c] = 0]
    /\ myRevision'    = [myRevision EXCEPT ![c] = 0]
    /\ waitFor'       = [waitFor EXCEPT ![c] = 0]
    /\ UNCHANGED <<serverVars, paused, localClock, resourceVars>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* The lock                                                                *)
(***************************************************************************)

\* Client c starts to lock: it writes prefix/<lease id> with its lease, if
\* no such key exists (a transaction comparing its CreateRevision with 0).
\* The key's create revision is the store's next revision; the client
\* notes it and the last key created before it, which it will wait for.
Put(c) ==
    /\ ~paused[c]
    /\ phase[c] = Leased
    /\ HasLease(c)
    /\ createRevision[c] = 0
    /\ revision'       = revision + 1
    /\ createRevision' = [createRevision EXCEPT ![c] = revision + 1]
    /\ myRevision'     = [myRevision EXCEPT ![c] = revision + 1]
    /\ waitFor'        = [waitFor EXCEPT
                             ![c] = LastCreatedBefore(revision + 1)]
    /\ phase'          = [phase EXCEPT ![c] = Waiting]
    /\ UNCHANGED <<clock, leaseDeadline, paused, localClock, localDeadline,
                   resourceVars>>

\* Client c sees the delete of the key it waits for, and looks again for
\* the last key created before its own (one turn of waitDeletes' loop).
\* It waits only for that key, never for the whole prefix.  The same read
\* finds its own key (etcd's Mutex reads it once more before returning;
\* lock/ reads it at every turn); if that is gone, the lease has ended
\* and only SessionExpired is left.
WaitDeletes(c) ==
    /\ ~paused[c]
    /\ phase[c] = Waiting
    /\ waitFor[c] /= 0
    /\ waitFor[c] \notin Keys
    /\ createRevision[c] = myRevision[c]
    /\ waitFor' = [waitFor EXCEPT ![c] = LastCreatedBefore(myRevision[c])]
    /\ UNCHANGED <<serverVars, phase, paused, localClock, localDeadline,
                   myRevision, resourceVars>>

\* The answer to client c's last read arrives: that read (Put's, or
\* WaitDeletes') found its own key and no key created before it.  From
\* now on c believes it holds the lock, and uses its key's create
\* revision as its fencing token.  The answer may come late: the key may
\* be gone by now, which c cannot see.
Acquire(c) ==
    /\ ~paused[c]
    /\ phase[c] = Waiting
    /\ waitFor[c] = 0
    /\ phase' = [phase EXCEPT ![c] = Holding]
    /\ UNCHANGED <<serverVars, paused, localClock, localDeadline, myRevision,
                   waitFor, resourceVars>>

\* Client c deletes its key: it unlocks (Mutex.Unlock), or gives up
\* waiting.  Deleting a key the server has already deleted changes
\* nothing in the store.  The session, and so the lease, goes on.
Release(c) ==
    /\ ~paused[c]
    /\ phase[c] \in {Waiting, Holding}
    /\ IF createRevision[c] = myRevision[c]
       THEN /\ createRevision' = [createRevision EXCEPT ![c] = 0]
            /\ revision' = revision + 1
       ELSE UNCHANGED <<createRevision, revision>>
    /\ phase'         = [phase EXCEPT ![c] = Leased]
    /\ myRevision'    = [myRevision EXCEPT ![c] = 0]
    /\ waitFor'       = [waitFor EXCEPT ![c] = 0]
    /\ UNCHANGED <<clock, leaseDeadline, paused, localClock, localDeadline,
                   resourceVars>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* The protected resource                                                  *)
(***************************************************************************)

\* Client c, believing it holds the lock, writes to the resource with its
\* token.  It does not look at its clock first: a check just before the
\* write closes no gap, since a pause can fall between the two.  With
\* Fencing the resource refuses a token below the highest it has
\* accepted (a refused write changes nothing); without, it accepts all.
WriteResource(c) ==
    /\ ~paused[c]
    /\ phase[c] = Holding
    /\ LET token == myRevision[c]
       IN IF ~Fencing \/ token >= fenceToken
          THEN /\ fenceToken' = Max(fenceToken, token)
               /\ accepted' = Append(accepted,
                                [client     |-> c,
                                 token      |-> token,
                                 keyDeleted |-> createRevision[c] /= token])
          ELSE UNCHANGED resourceVars
    /\ UNCHANGED <<serverVars, clientVars>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* Next                                                                    *)
(***************************************************************************)

Next ==
    \/ Tick
    \/ \E c \in Clients :
           \/ Pause(c)
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

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(***************************************************************************)
(* Invariants                                                              *)
(***************************************************************************)

Phases == {Idle, Leased, Waiting, Holding}
Writes == [client : Clients, token : Nat \ {0}, keyDeleted : BOOLEAN]

\* Every variable holds a value of the expected shape, and the clocks and
\* beliefs agree with each other as the actions keep them.
TypeOKInv ==
    /\ clock \in Nat
    /\ revision \in Nat \ {0}
    /\ leaseDeadline \in [Clients -> Nat]
    /\ createRevision \in [Clients -> 0 .. revision]
    /\ phase \in [Clients -> Phases]
    /\ paused \in [Clients -> BOOLEAN]
    /\ localClock \in [Clients -> Nat]
    /\ localDeadline \in [Clients -> Nat]
    /\ myRevision \in [Clients -> 0 .. revision]
    /\ waitFor \in [Clients -> 0 .. revision]
    /\ fenceToken \in 0 .. revision
    /\ accepted \in Seq(Writes)
    /\ \A c \in Clients :
           /\ localClock[c] <= clock
           /\ clock - localClock[c] <= MaxDrift
           /\ (phase[c] = Idle) = (localDeadline[c] = 0)
           /\ (phase[c] \in {Waiting, Holding}) = (myRevision[c] /= 0)
           /\ waitFor[c] /= 0 => phase[c] = Waiting

\* Mutual exclusion as the clients see it: no two clients believe they
\* hold the lock at the same time.  Expected to FAIL once a client may
\* pause or its clock may run slow: the server deletes the key of a
\* holder whose lease it expired, and the next waiter acquires, while
\* the holder still believes.  (README.md gives TLC's counterexample.)
MutualExclusionInv ==
    \A c, d \in Clients :
        phase[c] = Holding /\ phase[d] = Holding => c = d

\* What the lock does guarantee: at most one client that believes it
\* holds the lock still has its key in the store.  A lease bounds how
\* long a key outlives its client, not how long a belief does.
LiveHolderExclusionInv ==
    \A c, d \in Clients :
        /\ phase[c] = Holding /\ createRevision[c] = myRevision[c]
        /\ phase[d] = Holding /\ createRevision[d] = myRevision[d]
        => c = d

\* The lock's order is the order of create revisions: no key created
\* before a believing holder's is left in the store.  So whoever holds the
\* lock after a holder, in the server's eyes, has a key created later and
\* carries a larger token.  (The order in which clients come to believe is
\* not the lock's order: a late answer can make a client believe after
\* its successor does.)
LockOrderInv ==
    \A c \in Clients :
        phase[c] = Holding => \A k \in Keys : k >= myRevision[c]

\* The resource never accepts a write from a superseded holder: every
\* accepted write's token is at least every token accepted before it.
\* With LockOrderInv this is the statement about holders: no write from a
\* holder whose key had been deleted is accepted after a write from a
\* holder that came after it in the lock's order.
FencedResourceSafetyInv ==
    \A i, j \in 1 .. Len(accepted) :
        i < j => accepted[i].token <= accepted[j].token

\* Reachability checks, expected to FAIL (a violation is the witness):

\* Nobody ever holds the lock.  TLC's counterexample shows a behaviour in
\* which some client acquires it.
NobodyHoldsInv ==
    \A c \in Clients : phase[c] /= Holding

\* No client believes it holds the lock with a token below one the
\* resource has accepted.  TLC's counterexample shows that fencing has
\* something to refuse: a superseded holder that is still writing.
NoStaleHolderInv ==
    \A c \in Clients : phase[c] = Holding => myRevision[c] >= fenceToken

=============================================================================
