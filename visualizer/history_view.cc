#include "visualizer/history_view.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <set>
#include <utility>

#include "visualizer/dot_style.h"
#include "visualizer/history_layout.h"

namespace etcetera::viz {
namespace {

using spec::lin::History;
using spec::lin::is_read;
using spec::lin::kNever;
using spec::lin::Operation;
using spec::lin::Outcome;
using spec::lin::PartResult;
using namespace history_layout;

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The empty string is quoted: "get → " would read as a value left out.
std::string value_text(const std::optional<std::string>& v) {
  if (!v) return "nil";
  return v->empty() ? "\"\"" : *v;
}

// `text` cut to `max` characters, ending in "…" when cut.
std::string fit(const std::string& text, std::size_t max) {
  if (chars(text) <= max) return text;
  if (max < 2) return "";
  std::size_t end = 0;
  for (std::size_t kept = 0; end < text.size(); ++end)
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && kept++ == max - 1) break;
  return text.substr(0, end) + "…";
}

// The player's page colours (visualizer/player/player.css) and the views'
// palette (dot_style.h): the explained order in the first term's colours,
// the stuck operation in the highlight red, the rest in the grey of "no term".
std::string css() {
  return ":root {\n"
         "  --ink: #1f2430; --muted: #5c6370; --paper: #f7f7f4; --card: #ffffff; --line: #d9dbe0;\n"
         "  --placed-fill: " +
         term_fill(1) + "; --placed-ink: " + term_ink(1) +
         ";\n"
         "  --stuck: " +
         std::string(kHighlight) +
         "; --stuck-fill: #ffcdd2;\n"
         "  --other-fill: " +
         term_fill(0) + "; --other-ink: " + term_ink(0) +
         ";\n"
         "  font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"Noto Sans\", "
         "sans-serif;\n"
         "  font-size: 15px; color: var(--ink); background: var(--paper);\n"
         "}\n"
         "body { margin: 0; padding: 1rem 1.4rem 2rem; }\n"
         "h1 { margin: 0 0 0.5rem; font-size: 1.25rem; font-weight: 600; }\n"
         ".verdict { color: var(--stuck); font-weight: 700; }\n"
         ".caption { max-width: 64rem; margin: 0.3rem 0; line-height: 1.45; }\n"
         ".caption.window { color: var(--muted); font-size: 0.9rem; }\n"
         "code { font-family: ui-monospace, \"SFMono-Regular\", Menlo, Consolas, monospace; "
         "font-size: 0.92em; }\n"
         ".caption .stuck-op { color: var(--stuck); font-weight: 600; }\n"
         ".legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; margin: 0.8rem 0; "
         "padding: 0; list-style: none; font-size: 0.85rem; color: var(--muted); }\n"
         ".legend li { display: flex; align-items: center; gap: 0.45rem; }\n"
         ".diagram { width: fit-content; max-width: 100%; box-sizing: border-box; "
         "background: var(--card); border: 1px solid var(--line); border-radius: 8px; "
         "padding: 0.4rem 0; }\n"
         ".diagram svg { display: block; max-width: 100%; height: auto; }\n"
         // A long window fits the width and its labels shrink with it; the
         // box (a checkbox, so that the page needs no script and works inside
         // a notebook's frame) shows it at its own size, scrolling sideways.
         ".diagram { overflow-x: auto; }\n"
         "#actual-size:checked ~ .diagram svg { max-width: none; }\n"
         "#actual-size { margin: 0 0.35rem 0.6rem 0; vertical-align: middle; }\n"
         "label.size { font-size: 0.85rem; color: var(--muted); cursor: pointer; "
         "vertical-align: middle; }\n"
         "svg text { font-size: 11px; fill: var(--ink); }\n"
         ".axis { fill: var(--muted); font-size: 11px; }\n"
         ".grid { stroke: #eceef2; stroke-width: 1; }\n"
         ".band { fill: #ffffff; } .band.odd { fill: #f6f7f9; }\n"
         ".process { fill: var(--muted); font-weight: 600; font-size: 12px; }\n"
         ".op > rect, .key > rect { stroke-width: 1.2; }\n"
         ".placed > rect { fill: var(--placed-fill); stroke: var(--placed-ink); }\n"
         ".stuck > rect { fill: var(--stuck-fill); stroke: var(--stuck); stroke-width: 2.4; }\n"
         ".other > rect { fill: var(--other-fill); stroke: var(--other-ink); }\n"
         ".blocker > rect { fill: #ffe0b2; stroke: #e67e22; stroke-width: 2.4; }\n"
         ".caption .blocker-op { color: #b35c00; font-weight: 600; }\n"
         ".unknown > rect { stroke-dasharray: 5 3; }\n"
         ".op text.label { font-family: ui-monospace, \"DejaVu Sans Mono\", Menlo, Consolas, "
         "monospace; }\n"
         ".other text.label { fill: #555555; }\n"
         ".op text.tail { fill: var(--muted); font-style: italic; font-size: 10px; }\n"
         ".order { fill: var(--placed-ink); font-weight: 700; font-size: 10px; }\n"
         ".point { fill: var(--placed-ink); stroke: #ffffff; stroke-width: 1.5; }\n"
         ".path { fill: none; stroke: var(--placed-ink); stroke-width: 1.2; stroke-opacity: 0.45; "
         "}\n"
         ".stuck-note { fill: var(--stuck); font-weight: 700; font-size: 10.5px; }\n"
         ".deadline { stroke: var(--stuck); stroke-width: 1.2; stroke-dasharray: 4 3; }\n"
         ".deadline-label { fill: var(--stuck); font-size: 10.5px; }\n";
}

// An unknown operation's bar fades out towards the right edge: it may take
// effect at any time after its call, or never.
std::string defs() {
  return "<defs><linearGradient id=\"fade-gradient\">"
         "<stop offset=\"0\" stop-color=\"#fff\"/><stop offset=\"0.55\" stop-color=\"#fff\"/>"
         "<stop offset=\"1\" stop-color=\"#000\"/></linearGradient>"
         "<mask id=\"fade\" maskContentUnits=\"objectBoundingBox\">"
         "<rect x=\"-0.1\" y=\"-0.5\" width=\"1.2\" height=\"2\" fill=\"url(#fade-gradient)\"/>"
         "</mask></defs>\n";
}

std::string draw_grid(const Layout& l) {
  std::string out = "<text class=\"axis\" x=\"" + px(kLabelWidth) +
                    "\" y=\"13\">calls and returns in history order, one column each →</text>\n";
  for (std::size_t c = 0; c < l.positions.size(); ++c) {
    const std::string x = px(l.x(static_cast<double>(c)));
    out += "<line class=\"grid\" x1=\"" + x + "\" y1=\"" + px(kAxisHeight - 6) + "\" x2=\"" + x +
           "\" y2=\"" + px(kAxisHeight + l.height) + "\"/>\n";
  }
  return out;
}

std::string draw_lanes(const Layout& l) {
  std::string out;
  for (std::size_t i = 0; i < l.lanes.size(); ++i) {
    const auto& lane = l.lanes[i];
    const double h = static_cast<double>(lane.rows) * kRowHeight;
    out += "<g class=\"lane\" data-process=\"" + std::to_string(lane.process) + "\">";
    out += "<rect class=\"band" + std::string(i % 2 ? " odd" : "") + "\" x=\"0\" y=\"" +
           px(lane.top) + "\" width=\"" + px(l.width()) + "\" height=\"" + px(h) + "\"/>";
    out += "<text class=\"process\" x=\"12\" y=\"" + px(lane.top + h / 2 + 4) + "\">process " +
           std::to_string(lane.process) + "</text></g>\n";
  }
  return out;
}

// The explained order as one line through its points, under the bars.
std::string draw_path(const Layout& l) {
  if (l.drawn_order.size() < 2) return "";
  std::string out = "<polyline class=\"path\" points=\"";
  for (std::size_t op : l.drawn_order)
    out += px(l.x(l.point.at(op))) + "," + px(l.bar_top(op)) + " ";
  out.pop_back();
  return out + "\"/>\n";
}

std::string op_class(const PartResult& part, const Layout& l, std::size_t op, bool unknown) {
  std::string cls = part.stuck == op        ? "stuck"
                    : part.blocked_by == op ? "blocker"
                    : l.order.contains(op)  ? "placed"
                                            : "other";
  return unknown ? cls + " unknown" : cls;
}

// The bar, its text, and for an operation of the order its point and number.
std::string draw_op(const History& h, const PartResult& part, const Layout& l, std::size_t op,
                    bool with_key) {
  const Operation& o = h.operations[op];
  const bool unknown = o.ret == kNever;
  const double x1 = l.x(l.column_of(o.call)), x2 = l.x(l.column_of(o.ret));
  const double top = l.bar_top(op), baseline = top + kBarHeight / 2 + 4;
  std::string out = "<g class=\"op " + op_class(part, l, op, unknown) + "\" data-line=\"" +
                    std::to_string(o.line) + "\"><title>" + html_escape(spec::lin::describe(o)) +
                    " (line " + std::to_string(o.line) + ")</title>";
  out += "<rect x=\"" + px(x1) + "\" y=\"" + px(top) + "\" width=\"" + px(x2 - x1) +
         "\" height=\"" + px(kBarHeight) + "\" rx=\"4\"" + (unknown ? " mask=\"url(#fade)\"" : "") +
         "/>";
  const double room = x2 - x1 - 12 - (unknown ? kUnknownTail : 0);
  const std::string label =
      fit(op_label(o, with_key), static_cast<std::size_t>((room + 1) / kCharWidth));
  if (!label.empty())
    out += "<text class=\"label\" x=\"" + px(x1 + 6) + "\" y=\"" + px(baseline) + "\">" +
           html_escape(label) + "</text>";
  if (unknown)
    out += "<text class=\"tail\" x=\"" + px(x2 - 6) + "\" y=\"" + px(baseline) +
           "\" text-anchor=\"end\">unknown</text>";
  if (const auto placed = l.order.find(op); placed != l.order.end()) {
    const std::string x = px(l.x(l.point.at(op)));
    out += "<circle class=\"point\" cx=\"" + x + "\" cy=\"" + px(top) + "\" r=\"4\"/>";
    out += "<text class=\"order\" x=\"" + x + "\" y=\"" + px(top - 6) +
           "\" text-anchor=\"middle\">" + std::to_string(placed->second) + "</text>";
  }
  return out + "</g>\n";
}

// Above the stuck bar: what it cannot follow, and the state it would have
// had to explain. Kept inside the picture when the bar is near its right edge.
std::string draw_stuck_note(const History& h, const PartResult& part, const Layout& l,
                            const spec::lin::Model& model) {
  if (!part.stuck) return "";
  const Operation& o = h.operations[*part.stuck];
  const std::string state =
      model.describe_state(part.longest.empty() ? model.init() : part.state_after_longest);
  const std::string note =
      (part.longest.empty() ? "✗ cannot come first, from "
                            : "✗ cannot follow #" + std::to_string(part.longest.size()) + ", in ") +
      "state " + state;
  const double x1 = l.x(l.column_of(o.call)), x2 = l.x(l.column_of(o.ret));
  const bool flush_right = x1 + static_cast<double>(chars(note)) * 6.4 > l.width() - 4;
  return "<text class=\"stuck-note\" x=\"" + px(flush_right ? x2 : x1 + 2) + "\" y=\"" +
         px(l.bar_top(*part.stuck) - 5) + "\"" + (flush_right ? " text-anchor=\"end\"" : "") + ">" +
         html_escape(note) + "</text>\n";
}

// The stuck operation's return: by then it had to have taken effect.
std::string draw_deadline(const History& h, const PartResult& part, const Layout& l) {
  if (!part.stuck || h.operations[*part.stuck].ret == kNever) return "";
  const std::string x = px(l.x(l.column_of(h.operations[*part.stuck].ret)));
  return "<line class=\"deadline\" x1=\"" + x + "\" y1=\"" + px(kAxisHeight - 6) + "\" x2=\"" + x +
         "\" y2=\"" + px(kAxisHeight + l.height) + "\"/><text class=\"deadline-label\" x=\"" + x +
         "\" y=\"" + px(kAxisHeight - 9) +
         "\" text-anchor=\"end\">its return: it had to be placed by here</text>\n";
}

std::string svg(const History& h, const PartResult& part, const Layout& l,
                const spec::lin::Model& model) {
  const bool with_key = spans_keys(h, l.ops);
  const std::string w = px(l.width()), ht = px(kAxisHeight + l.height + 8);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + ht +
                    "\" viewBox=\"0 0 " + w + " " + ht + "\">\n";
  out += defs() + draw_lanes(l) + draw_grid(l) + draw_deadline(h, part, l) + draw_path(l);
  for (std::size_t op : l.ops)
    out += draw_op(h, part, l, op, with_key);
  return out + draw_stuck_note(h, part, l, model) + "</svg>\n";
}

std::string key_swatch(const std::string& cls, const std::string& extra = "") {
  return "<svg width=\"40\" height=\"20\" aria-hidden=\"true\"><g class=\"key " + cls +
         "\"><rect x=\"1\" y=\"5\" width=\"38\" height=\"13\" rx=\"3\"" +
         (cls.find("unknown") != std::string::npos ? " mask=\"url(#fade)\"" : "") + "/>" + extra +
         "</g></svg>";
}

std::string legend(const PartResult& part) {
  const std::string point = "<circle class=\"point\" cx=\"20\" cy=\"5\" r=\"3.5\"/>";
  const std::string blocker =
      part.blocked_by ? "<li>" + key_swatch("blocker") +
                            "answered an earlier revision: it must come before the red one, and "
                            "cannot</li>"
                      : "";
  return "<ul class=\"legend\">"
         "<li>" +
         key_swatch("placed", point) +
         "in the longest order the checker explains: its number is its place, the dot a "
         "linearization point that fits the order</li>"
         "<li>" +
         key_swatch("stuck") + "cannot follow: it returned before it could be placed</li>" +
         blocker + "<li>" + key_swatch("other") +
         "not placed in that order</li>"
         "<li>" +
         key_swatch("other unknown") +
         "unknown outcome: may take effect any time after its call, or never</li></ul>\n";
}

std::string part_name(const History& h, const PartResult& part) {
  return html_escape(spec::lin::describe_part(h, part));
}

std::string caption(const History& h, const PartResult& part, const spec::lin::Model& model) {
  const std::size_t n = part.longest.size();
  std::string out = "<p class=\"caption\"><span class=\"verdict\">NOT LINEARIZABLE</span>: " +
                    part_name(h, part) + ", " + std::to_string(part.operations.size()) +
                    " operations";
  if (part.operations.size() < h.operations.size())
    out += " (" + std::to_string(h.operations.size()) + " in the whole history)";
  out += ". ";
  if (n == 0) {
    out += "No order explains even one of them from the initial state " +
           html_escape(model.describe_state(model.init())) + ". ";
  } else {
    out += "The longest order the checker can explain holds " + std::to_string(n) +
           " of them, numbered 1 to " + std::to_string(n) + ", and leaves the state <code>" +
           html_escape(model.describe_state(part.state_after_longest)) + "</code>. ";
  }
  if (part.stuck) {
    const Operation& o = h.operations[*part.stuck];
    out += "<span class=\"stuck-op\">" + html_escape(spec::lin::describe(o)) + "</span> (line " +
           std::to_string(o.line) + ") cannot follow" +
           (n ? " #" + std::to_string(n) : std::string());
    if (part.blocked_by) {
      const Operation& b = h.operations[*part.blocked_by];
      out += ": placing it would move the revision past the one that <span class=\"blocker-op\">" +
             html_escape(spec::lin::describe(b)) + "</span> (line " + std::to_string(b.line) +
             ") answered, and that answer must come first; no order explains more operations.";
    } else {
      out +=
          ": it must take effect before its return, the model refuses it in that state, and no "
          "order explains more operations.";
    }
  }
  return out + "</p>\n";
}

std::string window_caption(const PartResult& part, const HistoryWindow& w) {
  if (w.operations.size() == part.operations.size()) return "";
  std::vector<std::size_t> index;  // the drawn operations' numbers within the part, by call
  for (std::size_t i = 0; i < part.operations.size(); ++i)
    if (std::binary_search(w.operations.begin(), w.operations.end(), part.operations[i]))
      index.push_back(i + 1);
  std::string out = "<p class=\"caption window\">Showing operations " +
                    std::to_string(index.front()) + ".." + std::to_string(index.back()) + " of " +
                    std::to_string(part.operations.size()) + " (by call";
  if (index.size() != index.back() - index.front() + 1)
    out += "; " + std::to_string(index.size()) + " drawn";
  if (!w.windowed)
    return out +
           "): those called before the stuck one returned (or the answer that blocks it). The "
           "later ones play no part in the order drawn.</p>\n";
  return out +
         "): a long part, cut to the operations that overlap the window from the earliest "
         "call among the last " +
         std::to_string(kWindowTail) +
         " operations of the order with a known outcome and the stuck one, to the stuck one's "
         "return (or the answer that blocks it). Operations of unknown outcome that the order "
         "places before that are left "
         "out.</p>\n";
}

// The window's start for a long part: the earliest call among the last
// kWindowTail operations of the order with a known outcome, and the stuck
// one. Also where in the order those last operations begin.
std::pair<std::size_t, std::size_t> window_start(const History& h, const PartResult& part) {
  std::size_t from = part.stuck ? h.operations[*part.stuck].call : kNever;
  std::size_t tail_start = part.longest.size();
  for (std::size_t taken = 0; tail_start > 0 && taken < kWindowTail;) {
    const Operation& o = h.operations[part.longest[--tail_start]];
    if (o.ret == kNever) continue;
    from = std::min(from, o.call);
    ++taken;
  }
  return {from == kNever ? 0 : from, tail_start};
}

}  // namespace

HistoryWindow history_window(const History& h, const PartResult& part) {
  HistoryWindow w;
  w.to = part.stuck ? h.operations[*part.stuck].ret : kNever;
  // The operation whose revision blocks the stuck one comes later, and it
  // is the reason: the window reaches to it.
  if (part.blocked_by) w.to = std::max(w.to, h.operations[*part.blocked_by].call);
  w.windowed = part.operations.size() > kWholePartUpTo;
  std::set<std::size_t> placed_before;  // by the order, before its last kWindowTail
  if (w.windowed) {
    const auto [from, tail_start] = window_start(h, part);
    w.from = from;
    placed_before.insert(part.longest.begin(),
                         part.longest.begin() + static_cast<std::ptrdiff_t>(tail_start));
  }
  for (std::size_t op : part.operations) {
    const Operation& o = h.operations[op];
    if (o.call > w.to || o.ret < w.from) continue;
    if (o.ret == kNever && placed_before.contains(op)) continue;
    w.operations.push_back(op);
  }
  return w;
}

std::string op_label(const Operation& op, bool with_key) {
  std::string out = op.f;
  if (with_key && !op.key.empty()) out += " " + op.key;
  if (is_read(op)) {
    if (op.outcome == Outcome::kOk) out += " → " + value_text(op.output);
  } else if (op.f == "cas") {
    out += " " + value_text(op.expected) + "→" + value_text(op.value);
    if (op.outcome == Outcome::kFail) out += " ✗";
  } else if (op.value) {
    out += " " + *op.value;
  }
  return out;
}

std::string history_html(const History& h, const PartResult& part, const spec::lin::Model& model,
                         std::string_view title) {
  const HistoryWindow window = history_window(h, part);
  const Layout layout = lay_out(h, part, window.operations);
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         html_escape(title) + "</title>\n<style>\n" + css() + "</style>\n</head>\n<body>\n<h1>" +
         html_escape(title) + "</h1>\n" + caption(h, part, model) + window_caption(part, window) +
         legend(part) +
         "<input type=\"checkbox\" id=\"actual-size\">"
         "<label for=\"actual-size\" class=\"size\">actual size: scroll sideways instead of "
         "fitting the width</label>\n"
         "<div class=\"diagram\">\n" + svg(h, part, layout, model) +
         "</div>\n</body>\n</html>\n";
}

}  // namespace etcetera::viz
