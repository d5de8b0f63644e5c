// The HTML player: one self-contained file that steps through a replay.
// Every step's diagrams are rendered here, once per distinct DOT text, so
// steps that change nothing a view draws share its frame; a view that draws
// nothing at any step gets no panel. Frames and step
// descriptions travel as one gzip-compressed JSON document inside the page;
// the page's own script (visualizer/player/) unpacks it in the browser.
// Nothing is fetched from the network.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "raft/error.h"
#include "visualizer/graphviz.h"
#include "visualizer/replay.h"
#include "visualizer/view.h"

namespace etcetera::viz {

struct PlayerOptions {
  std::string title = "etcetera replay";
  // Called now and then while rendering: steps done, steps in all.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct PlayerStats {
  std::size_t steps = 0;
  std::size_t frames = 0;           // distinct diagrams rendered, all views together
  std::size_t json_bytes = 0;       // the data before compression
  std::size_t page_bytes = 0;       // the whole HTML file
  std::size_t first_violation = 0;  // the first step where an invariant broke (0: none)
};

// Tags a step for the player's jumps: "election" (a node becomes candidate
// or leader), "commit", "fault" (a crash, a restart after one, a partition
// or heal, a lost message, a client's pause, a lease's end), "note",
// "lock" (a client begins or stops believing it holds a lock), "refused"
// (the protected resource refused a write), "violation" (an invariant broke
// here).
std::vector<std::string> step_tags(const Replay& replay);
// Every tag step_tags can give, in the order above.
const std::vector<std::string>& step_tag_names();

raft::Result<PlayerStats> write_player(Replay& replay,
                                       const std::vector<std::unique_ptr<View>>& views,
                                       Graphviz& graphviz, const PlayerOptions& options,
                                       std::ostream& out);

// gzip of `bytes` (RFC 1952), as DecompressionStream("gzip") reads it.
std::string gzip(const std::string& bytes);

}  // namespace etcetera::viz
