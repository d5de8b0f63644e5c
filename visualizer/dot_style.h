// The visual vocabulary every view shares, so a term has one colour and a
// leader one look everywhere: colours for terms and roles, and escaping for
// text put into DOT.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raft/trace.pb.h"

namespace etcetera::viz {

// Fill colour of entries of term `term`: a fixed cycle of light colours,
// distinct for neighbouring terms. Term 0 (unknown) is grey.
std::string term_fill(std::uint64_t term);
// A darker shade of the same hue, for borders and text on white.
std::string term_ink(std::uint64_t term);

// Fill colour of a node in role `role`; a crashed node is drawn in kDownFill.
std::string role_fill(raft::pb::Role role);
inline constexpr std::string_view kDownFill = "#d9d9d9";
inline constexpr std::string_view kHighlight = "#d62728";  // the current step's element

// Text made safe inside an HTML-like label (<...>) or a quoted string ("...").
std::string html_escape(std::string_view text);
std::string quote_escape(std::string_view text);
// quote_escape, with line breaks ("\n" in DOT) at spaces so that no line is
// much longer than `width` characters.
std::string quote_wrapped(std::string_view text, std::size_t width);

}  // namespace etcetera::viz
