#include "visualizer/dot_style.h"

#include <array>

namespace etcetera::viz {
namespace {

// Pairs of (fill, ink) of one hue; neighbouring terms get far-apart hues.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTermColors = {{
    {"#aec7e8", "#1f4e79"},  // blue
    {"#ffbb78", "#a0522d"},  // orange
    {"#98df8a", "#2e7d32"},  // green
    {"#ff9896", "#b22222"},  // red
    {"#c5b0d5", "#5e3c99"},  // purple
    {"#f7b6d2", "#ad1457"},  // pink
    {"#dbdb8d", "#7a7a00"},  // olive
    {"#9edae5", "#00838f"},  // cyan
}};

}  // namespace

std::string term_fill(std::uint64_t term) {
  if (term == 0) return "#eeeeee";
  return std::string(kTermColors[(term - 1) % kTermColors.size()].first);
}

std::string term_ink(std::uint64_t term) {
  if (term == 0) return "#777777";
  return std::string(kTermColors[(term - 1) % kTermColors.size()].second);
}

std::string role_fill(raft::pb::Role role) {
  switch (role) {
    case raft::pb::LEADER:
      return "#ffd54f";
    case raft::pb::CANDIDATE:
      return "#ffab91";
    case raft::pb::PRE_CANDIDATE:
      return "#ffe0b2";
    default:
      return "#e3f2fd";
  }
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string quote_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string quote_wrapped(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t line = 0;
  for (char c : quote_escape(text)) {
    if (c == ' ' && line >= width) {
      out += "\\n";
      line = 0;
      continue;
    }
    out += c;
    ++line;
  }
  return out;
}

}  // namespace etcetera::viz
