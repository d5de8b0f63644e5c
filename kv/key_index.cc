#include "kv/key_index.h"

#include <algorithm>

namespace etcetera::kv {

void KeyIndex::put(RevisionId rev) {
  if (!live()) generations_.push_back(Generation{});
  generations_.back().revs.push_back(rev);
}

void KeyIndex::tombstone(RevisionId rev) {
  if (!live()) generations_.push_back(Generation{});
  generations_.back().revs.push_back(rev);
  generations_.back().ended = true;
}

std::optional<RevisionId> KeyIndex::visible_at(Revision at) const {
  // Newest generation first: the first one whose first revision is not
  // after `at` is the one `at` falls in.
  for (auto g = generations_.rbegin(); g != generations_.rend(); ++g) {
    if (g->revs.empty() || g->revs.front().main > at) continue;
    if (g->ended && g->revs.back().main <= at) return std::nullopt;  // deleted by then
    auto after = std::upper_bound(g->revs.begin(), g->revs.end(), RevisionId{at, INT64_MAX});
    return *(after - 1);
  }
  return std::nullopt;
}

bool KeyIndex::compact(Revision at, std::vector<RevisionId>& dropped) {
  // Find the revision visible at `at`, across generations: the newest
  // revision with main <= at.
  std::vector<Generation> kept;
  for (std::size_t i = 0; i < generations_.size(); ++i) {
    Generation& g = generations_[i];
    const bool newest_before = [&] {
      // Whether this generation holds the newest revision <= at.
      if (g.revs.empty() || g.revs.front().main > at) return false;
      return i + 1 == generations_.size() || generations_[i + 1].revs.front().main > at;
    }();
    if (g.revs.front().main > at) {
      kept.push_back(std::move(g));  // entirely after `at`
      continue;
    }
    if (!newest_before) {
      // Entirely superseded by a later generation that starts <= at.
      dropped.insert(dropped.end(), g.revs.begin(), g.revs.end());
      continue;
    }
    auto after = std::upper_bound(g.revs.begin(), g.revs.end(), RevisionId{at, INT64_MAX});
    auto visible = after - 1;
    const bool visible_is_tombstone = g.ended && visible + 1 == g.revs.end();
    if (visible_is_tombstone && visible->main < at) {
      // Deleted before `at`: nothing of this generation can be read any more.
      dropped.insert(dropped.end(), g.revs.begin(), g.revs.end());
      continue;
    }
    dropped.insert(dropped.end(), g.revs.begin(), visible);
    g.revs.erase(g.revs.begin(), visible);
    kept.push_back(std::move(g));
  }
  generations_ = std::move(kept);
  return !generations_.empty();
}

}  // namespace etcetera::kv
