// KeyIndex — the history of one key, as the revisions that changed it.
//
// A key lives in generations. Creating it starts a generation (version 1);
// each put adds a revision (version + 1); deleting it ends the generation
// with a tombstone revision. Re-creating the key starts a new generation, so
// its create_revision changes and its version starts again from 1. The
// values themselves live in the store's revision-ordered records; the index
// only says which revision of the key is visible at a given main revision.
#pragma once

#include <optional>
#include <vector>

#include "kv/revision.h"

namespace etcetera::kv {

class KeyIndex {
 public:
  struct Generation {
    std::vector<RevisionId> revs;  // in order; the last one is the tombstone if ended
    bool ended = false;            // closed by a delete
  };

  // A put of the key at `rev`: a new version, or a new generation.
  void put(RevisionId rev);
  // A delete at `rev`. It ends the open generation; with none open (a
  // snapshot keeps only the tombstone of a generation compacted at that very
  // revision) the tombstone is a generation of its own.
  void tombstone(RevisionId rev);

  // The revision of the version visible at main revision `at`: none if the
  // key did not exist then (never created yet, or deleted).
  std::optional<RevisionId> visible_at(Revision at) const;
  // Whether the key exists now (its last generation is open).
  bool live() const { return !generations_.empty() && !generations_.back().ended; }

  // Compaction through `at`: drops every revision older than the one
  // visible at `at`, and that one too if it is a tombstone older than `at`.
  // Appends what it dropped to `dropped` and returns whether anything of the
  // key remains (an empty index can be erased).
  bool compact(Revision at, std::vector<RevisionId>& dropped);

  const std::vector<Generation>& generations() const { return generations_; }

 private:
  std::vector<Generation> generations_;
};

}  // namespace etcetera::kv
