#include "visualizer/lock_view.h"

#include "raft/describe.h"
#include "visualizer/dot_style.h"

namespace etcetera::viz {
namespace {

using raft::pb::Event;

constexpr std::string_view kHolds = "#c8e6c9";   // believes, and its key heads the queue
constexpr std::string_view kStale = "#ffcdd2";   // believes, but its key is gone
constexpr std::string_view kWaits = "#fff9c4";   // has a key in the queue, behind another
constexpr std::string_view kIdle = "#f5f5f5";

std::string n(std::int64_t v) {
  return std::to_string(v);
}

std::string cell(const std::string& text, const std::string& attrs = "") {
  return "<TD" + (attrs.empty() ? "" : " " + attrs) + ">" + text + "</TD>";
}

// What the current step is about, to highlight it.
struct Focus {
  ClientId client = 0;
  std::string key;  // a key that entered or left a queue
  bool resource = false;
};

Focus focus_of(const Replay& r) {
  Focus f;
  if (r.step() == 0) return f;
  const Event& e = r.event();
  switch (e.kind_case()) {
    case Event::kLockEnqueued:
      f.key = e.lock_enqueued().key();
      f.client = e.lock_enqueued().client();
      break;
    case Event::kLockDequeued:
      f.client = e.lock_dequeued().client();
      break;
    case Event::kLockAcquired:
      f.client = e.lock_acquired().client();
      break;
    case Event::kLockReleased:
      f.client = e.lock_released().client();
      break;
    case Event::kLeaseEnded:
      f.client = e.lease_ended().client();
      break;
    case Event::kClientPaused:
      f.client = e.client_paused().client();
      break;
    case Event::kClientResumed:
      f.client = e.client_resumed().client();
      break;
    case Event::kResourceWritten:
      f.client = e.resource_written().client();
      f.resource = true;
      break;
    default:
      break;
  }
  return f;
}

std::string queue_node(const std::string& lock, const std::vector<QueuedKey>& queue,
                       const Focus& focus, std::size_t index) {
  std::string rows = "<TR>" + cell("<B>lock " + html_escape(lock) + "</B>: the queue in the store",
                                   "COLSPAN=\"5\" BORDER=\"0\"") +
                     "</TR><TR>" + cell("", "BORDER=\"0\"") + cell("<I>key</I>", "BORDER=\"0\"") +
                     cell("<I>create rev</I>", "BORDER=\"0\"") +
                     cell("<I>lease</I>", "BORDER=\"0\"") + cell("<I>client</I>", "BORDER=\"0\"") +
                     "</TR>";
  if (queue.empty())
    rows += "<TR>" + cell("(empty: nobody holds it)", "COLSPAN=\"5\" BORDER=\"0\"") + "</TR>";
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const QueuedKey& k = queue[i];
    const std::string role = i == 0 ? "first: token " + n(k.revision)
                                    : "waits for " + n(queue[i - 1].revision) + "'s deletion";
    const std::string fill =
        "BGCOLOR=\"" + std::string(i == 0 ? kHolds : kWaits) + "\"" +
        (k.key == focus.key ? " COLOR=\"" + std::string(kHighlight) + "\" BORDER=\"2\"" : "");
    rows += "<TR>" + cell(role, fill + " ALIGN=\"LEFT\" PORT=\"k" + n(k.revision) + "\"") +
            cell(html_escape(k.key), fill) +
            cell(n(k.revision), fill) + cell(raft::lease_hex(k.lease), fill) +
            cell(k.client ? std::to_string(k.client) : "?", fill) + "</TR>";
  }
  return "  q" + std::to_string(index) +
         " [shape=plaintext, label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" "
         "CELLPADDING=\"4\">" +
         rows + "</TABLE>>];\n";
}

// The key a client has in a queue, if any: (queue index, revision).
std::optional<std::pair<std::size_t, std::int64_t>> key_of(const LockBoard& board, ClientId id) {
  std::size_t qi = 0;
  for (const auto& [lock, queue] : board.queues()) {
    for (const auto& k : queue)
      if (k.client == id) return std::pair{qi, k.revision};
    ++qi;
  }
  return std::nullopt;
}

bool is_first(const LockBoard& board, std::int64_t revision) {
  for (const auto& [lock, queue] : board.queues())
    if (!queue.empty() && queue.front().revision == revision) return true;
  return false;
}

std::string client_node(const LockBoard& board, ClientId id, const LockClientLook& c,
                        const Focus& focus) {
  std::string text = "client " + std::to_string(id);
  std::string fill(kIdle);
  const auto key = key_of(board, id);
  if (c.token && board.stale(id)) {
    fill = kStale;
    text += "\\nbelieves it holds " + quote_escape(c.lock) + ", token " + n(*c.token) +
            "\\nbut its key is gone: STALE";
  } else if (c.token) {
    fill = kHolds;
    text += "\\nholds " + quote_escape(c.lock) + ", token " + n(*c.token);
  } else if (key && is_first(board, key->second)) {
    fill = kWaits;
    text += "\\nits key (rev " + n(key->second) + ") is first;\\nit has not read so yet";
  } else if (key) {
    fill = kWaits;
    text += "\\nwaits in the queue (rev " + n(key->second) + ")";
  } else {
    text += "\\nidle" + (c.last_release.empty() ? "" : " (last: " + quote_escape(c.last_release) + ")");
  }
  if (c.lease != 0)
    text += "\\nlease " + raft::lease_hex(c.lease) + (c.lease_ended ? ": gone" : "");
  std::string style = "filled";
  if (c.paused_until) {
    text += "\\nPAUSED until t=" + std::to_string(*c.paused_until);
    style += ",dashed";
  }
  const bool focused = focus.client == id;
  return "  c" + std::to_string(id) + " [shape=box, style=\"" + style + "\", fillcolor=\"" + fill +
         "\", label=\"" + text + "\"" +
         (focused ? ", color=\"" + std::string(kHighlight) + "\", penwidth=2.5" : "") + "];\n";
}

std::string resource_node(const ResourceLook& res, const Focus& focus) {
  std::string text = "protected resource\\nhighest token accepted: " + n(res.highest) +
                     "\\naccepted " + std::to_string(res.accepted) + ", refused " +
                     std::to_string(res.refused);
  std::string fill = "#e3f2fd";
  if (res.last) {
    text += "\\nlast: client " + std::to_string(res.last->client()) + ", token " +
            n(res.last->token()) + (res.last->accepted() ? ": accepted" : ": REFUSED");
    if (!res.last->accepted()) fill = std::string(kStale);
  }
  return "  resource [shape=cylinder, style=filled, fillcolor=\"" + fill + "\", label=\"" + text +
         "\"" + (focus.resource ? ", color=\"" + std::string(kHighlight) + "\", penwidth=2.5" : "") +
         "];\n";
}

}  // namespace

std::string LockView::dot(const Replay& r) const {
  const LockBoard& board = r.locks();
  if (board.empty()) return "";
  const Focus focus = focus_of(r);
  std::string out =
      "digraph locks {\n  rankdir=LR; nodesep=0.25; ranksep=0.6;\n"
      "  node [fontname=\"Helvetica\", fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::size_t qi = 0;
  for (const auto& [lock, queue] : board.queues())
    out += queue_node(lock, queue, focus, qi++);
  // The clients in one column, in id order (kept by invisible edges).
  out += "  { rank=same;\n";
  std::string order;
  for (const auto& [id, c] : board.clients()) {
    out += client_node(board, id, c, focus);
    order += (order.empty() ? "  c" : " -> c") + std::to_string(id);
  }
  if (board.clients().size() > 1) out += order + " [style=invis];\n";
  out += "  }\n";
  out += resource_node(board.resource(), focus);
  // Each client points at its key in the queue; believers point at the resource they write to.
  for (const auto& [id, c] : board.clients()) {
    if (auto key = key_of(board, id)) {
      out += "  c" + std::to_string(id) + " -> q" + std::to_string(key->first) + ":k" +
             n(key->second) + ":w [dir=none, color=\"#9e9e9e\"];\n";
    }
    if (c.token) {
      const bool stale = board.stale(id);
      out += "  c" + std::to_string(id) + " -> resource [label=\"token " + n(*c.token) + "\"" +
             (stale ? ", color=\"" + std::string(kHighlight) + "\", style=dashed" : "") + "];\n";
    }
  }
  return out + "}\n";
}

}  // namespace etcetera::viz
