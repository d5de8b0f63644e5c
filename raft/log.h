// RaftLog: the node's view of its log. Entries up to some index are persisted
// in Storage; newer ones are "unstable": appended in memory and handed to the
// application in the next Ready, which persists them and calls advance().
//
//   storage:  [first_index ........ ]
//   unstable:                 [unstable_offset_ ...... last_index()]
//
// An unstable entry may overwrite persisted ones (a new leader's log wins);
// they are then replaced in Storage when the Ready is persisted. A snapshot
// received from the leader is unstable too, until the Ready that carries it
// is persisted: it then stands for every entry through its index.
//
// Invariants: applied_ <= committed_ <= last_index(); entries are consecutive
// and their terms never decrease.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "raft/raft.pb.h"
#include "raft/storage.h"
#include "raft/types.h"

namespace etcetera::raft {

class RaftLog {
 public:
  // REQUIRES: storage outlives the log.
  RaftLog(const Storage& storage, Index applied);

  Index first_index() const;
  Index last_index() const;
  Term last_term() const { return *term(last_index()); }
  Index committed() const { return committed_; }
  Index applied() const { return applied_; }

  // The last index known to be on disk: entries after it are still unstable.
  Index last_persisted_index() const;

  // The term of entry i, or nullopt when the log does not hold i.
  std::optional<Term> term(Index i) const;
  bool match_term(Index i, Term t) const { return term(i) == t; }

  // Raft paper, section 5.4.1: a log ending in (last_index, last_term) is at
  // least as up to date as ours if its last term is higher, or equal with a
  // last index at least ours.
  bool is_up_to_date(Index last_index, Term last_term) const;

  // The AppendEntries consistency check and append (paper, Figure 2, receiver
  // steps 2-5). nullopt when this log has no entry (prev_index, prev_term).
  struct Appended {
    Index last_new;           // the index of the request's last entry
    Index first_written = 0;  // the first entry actually written; 0 if all were present
  };
  // `rewrite_matching` is the truncate-stale-append mutant (raft/mutant.h):
  // it rewrites the entries even where they match, cutting what follows.
  std::optional<Appended> maybe_append(Index prev_index, Term prev_term, Index leader_commit,
                                       std::span<const pb::Entry> entries,
                                       bool rewrite_matching = false);

  // The leader appends its own new entries. REQUIRES: they continue the log.
  void append(std::span<const pb::Entry> entries);

  // Entries [lo, hi), at most max of them. REQUIRES: first_index() <= lo <= hi <= last_index()+1.
  // Entries [lo, hi), at most `max` of them and, after the first, no more
  // than `max_bytes` of them together.
  std::vector<pb::Entry> entries(Index lo, Index hi, std::size_t max,
                                 std::size_t max_bytes = SIZE_MAX) const;

  // The fast back-off hint for a rejected AppendEntries at prev_index (thesis
  // 3.5): the term of our entry there and the first index we hold of that
  // term, or (0, last_index()+1) when we have no entry at prev_index.
  std::pair<Term, Index> conflict_hint(Index prev_index) const;

  // The last index holding an entry of term t, if any.
  std::optional<Index> last_index_of_term(Term t) const;

  // The snapshot to send a follower that needs compacted entries.
  pb::Snapshot snapshot() const;
  // InstallSnapshot on a follower: the log becomes the snapshot alone.
  // REQUIRES: the snapshot is newer than the commit index.
  void restore(const pb::Snapshot& snapshot);
  const std::optional<pb::Snapshot>& pending_snapshot() const { return pending_snapshot_; }
  // The application persisted the pending snapshot at `index`.
  void stable_snapshot_to(Index index);

  std::vector<pb::Entry> unstable_entries() const { return unstable_; }
  bool has_unstable() const { return !unstable_.empty(); }
  std::vector<pb::Entry> next_committed_entries() const;
  bool has_next_committed_entries() const;

  // REQUIRES: committed_ <= i <= last_index() (to move forward), no-op below.
  void commit_to(Index i);
  // REQUIRES: applied_ <= i <= committed_.
  void applied_to(Index i);
  // The application persisted entries through (i, t): they leave the unstable part.
  void stable_to(Index i, Term t);

  // "1/1 2/1 3/2" with the commit and applied marks, for tests and the demo.
  std::string describe() const;

 private:
  const Storage* storage_;
  std::optional<pb::Snapshot> pending_snapshot_;  // received, not yet persisted
  std::vector<pb::Entry> unstable_;               // unstable_[k] holds index unstable_offset_ + k
  Index unstable_offset_;
  Index committed_;
  Index applied_;

  // Index of the first entry in `entries` that is not already in the log with
  // the same term, or 0 when all are present.
  Index find_conflict(std::span<const pb::Entry> entries) const;
  void truncate_and_append(std::span<const pb::Entry> entries);
};

}  // namespace etcetera::raft
