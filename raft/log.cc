#include "raft/log.h"

#include <algorithm>

#include "raft/error.h"

namespace etcetera::raft {

// After a restart the state machine is rebuilt from the stored snapshot, so
// everything through it counts as committed and applied.
RaftLog::RaftLog(const Storage& storage, Index applied)
    : storage_(&storage),
      unstable_offset_(storage.last_index() + 1),
      committed_(std::max(storage.hard_state().commit(), storage.first_index() - 1)),
      applied_(std::max(applied, storage.first_index() - 1)) {
  if (committed_ > storage.last_index()) raft_fatal("persisted commit index is past the log");
  if (applied_ > committed_) raft_fatal("Config::applied is past the persisted commit index");
}

Index RaftLog::first_index() const {
  return pending_snapshot_ ? pending_snapshot_->metadata().index() + 1 : storage_->first_index();
}

Index RaftLog::last_index() const {
  if (!unstable_.empty()) return unstable_offset_ + unstable_.size() - 1;
  if (pending_snapshot_) return pending_snapshot_->metadata().index();
  return storage_->last_index();
}

Index RaftLog::last_persisted_index() const {
  if (pending_snapshot_) return 0;  // nothing newer is on disk until the snapshot is
  return unstable_.empty() ? storage_->last_index() : unstable_offset_ - 1;
}

std::optional<Term> RaftLog::term(Index i) const {
  if (i > last_index()) return std::nullopt;
  if (i >= unstable_offset_) return unstable_[i - unstable_offset_].term();
  if (pending_snapshot_) {
    if (i == pending_snapshot_->metadata().index()) return pending_snapshot_->metadata().term();
    return std::nullopt;  // the snapshot replaced everything before it
  }
  return storage_->term(i);
}

bool RaftLog::is_up_to_date(Index index, Term t) const {
  return t > last_term() || (t == last_term() && index >= last_index());
}

std::optional<RaftLog::Appended> RaftLog::maybe_append(Index prev_index, Term prev_term,
                                                       Index leader_commit,
                                                       std::span<const pb::Entry> entries,
                                                       bool rewrite_matching) {
  if (!match_term(prev_index, prev_term)) return std::nullopt;
  Appended out{.last_new = prev_index + entries.size()};
  if (Index conflict = find_conflict(entries); conflict != 0) {
    if (conflict <= committed_)
      raft_fatal("an AppendEntries request conflicts with a committed entry");
    truncate_and_append(entries.subspan(conflict - entries.front().index()));
    out.first_written = conflict;
  } else if (rewrite_matching && !entries.empty() && last_index() > out.last_new) {
    truncate_and_append(entries);
    out.first_written = entries.front().index();
  }
  commit_to(std::min(leader_commit, out.last_new));
  return out;
}

void RaftLog::append(std::span<const pb::Entry> entries) {
  if (entries.empty()) return;
  if (entries.front().index() != last_index() + 1) raft_fatal("RaftLog::append leaves a gap");
  truncate_and_append(entries);
}

Index RaftLog::find_conflict(std::span<const pb::Entry> entries) const {
  for (const auto& e : entries)
    if (!match_term(e.index(), e.term())) return e.index();
  return 0;
}

void RaftLog::truncate_and_append(std::span<const pb::Entry> entries) {
  const Index first = entries.front().index();
  if (first >= unstable_offset_) {
    unstable_.resize(first - unstable_offset_);  // keep the unstable prefix before `first`
  } else {
    // The new entries replace persisted ones: everything from `first` becomes unstable.
    unstable_.clear();
    unstable_offset_ = first;
  }
  unstable_.insert(unstable_.end(), entries.begin(), entries.end());
}

std::vector<pb::Entry> RaftLog::entries(Index lo, Index hi, std::size_t max,
                                        std::size_t max_bytes) const {
  if (lo < first_index() || lo > hi || hi > last_index() + 1)
    raft_fatal("RaftLog::entries out of range");
  hi = std::min<Index>(hi, lo + max);
  std::vector<pb::Entry> out;
  if (lo < unstable_offset_) out = storage_->entries(lo, std::min(hi, unstable_offset_));
  for (Index i = std::max(lo, unstable_offset_); i < hi; ++i)
    out.push_back(unstable_[i - unstable_offset_]);
  std::size_t bytes = 0, keep = 0;
  for (; keep < out.size(); ++keep) {
    bytes += out[keep].ByteSizeLong();
    if (keep > 0 && bytes > max_bytes) break;
  }
  out.resize(keep);
  return out;
}

std::pair<Term, Index> RaftLog::conflict_hint(Index prev_index) const {
  if (prev_index > last_index()) return {0, last_index() + 1};
  const Term t = *term(prev_index);
  Index first = prev_index;
  while (first > first_index() && term(first - 1) == t)
    --first;
  return {t, first};
}

std::optional<Index> RaftLog::last_index_of_term(Term t) const {
  for (Index i = last_index(); i >= first_index(); --i) {
    const Term ti = *term(i);
    if (ti == t) return i;
    if (ti < t) break;  // terms never decrease along the log
  }
  return std::nullopt;
}

// Entries before first_index() are inside a snapshot: the application
// applies the snapshot instead.
bool RaftLog::has_next_committed_entries() const {
  return committed_ >= std::max(applied_ + 1, first_index());
}

std::vector<pb::Entry> RaftLog::next_committed_entries() const {
  if (!has_next_committed_entries()) return {};
  const Index lo = std::max(applied_ + 1, first_index());
  return entries(lo, committed_ + 1, committed_ + 1 - lo);
}

pb::Snapshot RaftLog::snapshot() const {
  return pending_snapshot_ ? *pending_snapshot_ : storage_->snapshot();
}

void RaftLog::restore(const pb::Snapshot& snapshot) {
  const Index index = snapshot.metadata().index();
  if (index <= committed_)
    raft_fatal("RaftLog::restore of a snapshot that is not newer than the commit index");
  pending_snapshot_ = snapshot;
  unstable_.clear();
  unstable_offset_ = index + 1;
  committed_ = index;
}

void RaftLog::stable_snapshot_to(Index index) {
  if (pending_snapshot_ && pending_snapshot_->metadata().index() == index)
    pending_snapshot_.reset();
}

void RaftLog::commit_to(Index i) {
  if (i <= committed_) return;
  if (i > last_index()) raft_fatal("commit_to past the last index");
  committed_ = i;
}

void RaftLog::applied_to(Index i) {
  if (i < applied_ || i > committed_) raft_fatal("applied_to outside [applied, committed]");
  applied_ = i;
}

void RaftLog::stable_to(Index i, Term t) {
  if (unstable_.empty() || i < unstable_offset_) return;
  if (term(i) != t) return;  // overwritten since that Ready: still unstable
  const Index kept_from = i + 1;
  unstable_.erase(unstable_.begin(),
                  unstable_.begin() + static_cast<std::ptrdiff_t>(kept_from - unstable_offset_));
  unstable_offset_ = kept_from;
}

std::string RaftLog::describe() const {
  std::string out;
  if (first_index() > 1)
    out = "[snapshot " + std::to_string(first_index() - 1) + "/" +
          std::to_string(*term(first_index() - 1)) + "]";
  for (Index i = first_index(); i <= last_index(); ++i) {
    if (!out.empty()) out += ' ';
    out += std::to_string(i) + "/" + std::to_string(*term(i));
  }
  if (out.empty()) out = "(empty)";
  return out + "  commit=" + std::to_string(committed_) + " applied=" + std::to_string(applied_);
}

}  // namespace etcetera::raft
