#include "spec/linearizability/formats.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <vector>

namespace etcetera::spec::lin {

namespace {

// One event as read from a line, before pairing.
struct RawEvent {
  std::uint64_t process = 0;
  std::string type;  // invoke, ok, fail, info
  std::string f;
  std::string key;
  std::optional<std::string> value, expected;
  std::int64_t revision = 0;
  bool skip = false;  // an event the check leaves out (a serializable read)
};

using LineResult = std::expected<std::optional<RawEvent>, std::string>;  // nullopt: not an event

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (error != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// ---- Jepsen's register log --------------------------------------------------

LineResult parse_jepsen_line(std::string_view line) {
  const auto at = line.find("jepsen.util - ");
  if (at == std::string_view::npos) return std::nullopt;  // other log output
  std::vector<std::string_view> fields;
  std::string_view rest = line.substr(at + 14);
  for (std::size_t tab; (tab = rest.find('\t')) != std::string_view::npos;) {
    fields.push_back(rest.substr(0, tab));
    rest.remove_prefix(tab + 1);
  }
  fields.push_back(rest);
  if (fields.size() != 4) return std::unexpected("expected 'P\t:TYPE\t:F\tVALUE'");
  RawEvent e;
  auto process = number<std::uint64_t>(trim(fields[0]));
  if (!process) return std::unexpected("the process is not a number");
  e.process = *process;
  if (!fields[1].starts_with(':') || !fields[2].starts_with(':'))
    return std::unexpected("the type and the function must be keywords (:ok, :read)");
  e.type = std::string(fields[1].substr(1));
  e.f = std::string(fields[2].substr(1));
  std::string_view value = trim(fields[3]);
  if (e.f == "cas" && value.starts_with('[')) {
    if (!value.ends_with(']')) return std::unexpected("a cas value is [old new]");
    std::string_view pair = value.substr(1, value.size() - 2);
    const auto space = pair.find(' ');
    if (space == std::string_view::npos) return std::unexpected("a cas value is [old new]");
    e.expected = std::string(trim(pair.substr(0, space)));
    e.value = std::string(trim(pair.substr(space + 1)));
  } else if (value != "nil" && !value.starts_with(':')) {
    e.value = std::string(value);  // :timed-out and the like carry no value
  }
  return e;
}

// ---- EDN maps ----------------------------------------------------------------

// Reads one EDN value: nil, a number, a :keyword (without the colon) or a
// "string". Advances `s` past it.
std::expected<std::optional<std::string>, std::string> edn_value(std::string_view& s) {
  s = trim(s);
  if (s.starts_with("nil")) {
    s.remove_prefix(3);
    return std::nullopt;
  }
  if (s.starts_with('"')) {
    std::string out;
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        out += s[++i];
      } else if (s[i] == '"') {
        s.remove_prefix(i + 1);
        return out;
      } else {
        out += s[i];
      }
    }
    return std::unexpected("a string is not closed");
  }
  std::size_t end = 0;
  while (end < s.size() && s[end] != ',' && s[end] != '}' &&
         !std::isspace(static_cast<unsigned char>(s[end])))
    ++end;
  if (end == 0) return std::unexpected("a value is missing");
  std::string word(s.substr(s.starts_with(':') ? 1 : 0, end - (s.starts_with(':') ? 1 : 0)));
  s.remove_prefix(end);
  return word;
}

LineResult parse_edn_line(std::string_view line) {
  line = trim(line);
  if (line.empty()) return std::nullopt;
  if (!line.starts_with('{') || !line.ends_with('}'))
    return std::unexpected("expected a map {...}");
  std::string_view s = line.substr(1, line.size() - 2);
  RawEvent e;
  bool has_process = false;
  while (!trim(s).empty()) {
    s = trim(s);
    if (!s.starts_with(':')) return std::unexpected("expected a :keyword");
    const auto space = s.find(' ');
    if (space == std::string_view::npos) return std::unexpected("a key without a value");
    std::string key(s.substr(1, space - 1));
    s.remove_prefix(space);
    auto v = edn_value(s);
    if (!v) return std::unexpected(v.error());
    s = trim(s);
    if (s.starts_with(',')) s.remove_prefix(1);
    if (key == "process") {
      auto p = *v ? number<std::uint64_t>(**v) : std::nullopt;
      if (!p) return std::unexpected(":process is not a number");
      e.process = *p;
      has_process = true;
    } else if (key == "type") {
      e.type = v->value_or("");
    } else if (key == "f") {
      e.f = v->value_or("");
    } else if (key == "key") {
      e.key = v->value_or("");
    } else if (key == "value") {
      e.value = *v;
    }
  }
  if (!has_process || e.type.empty() || e.f.empty())
    return std::unexpected("a map needs :process, :type and :f");
  return e;
}

// ---- JSON lines (the simulator's) -------------------------------------------

// A flat JSON object of strings, integers, null and arrays of those.
struct JsonValue {
  enum Kind { kNull, kString, kNumber, kArray } kind = kNull;
  std::string text;
  std::vector<JsonValue> items;
};

// The UTF-8 bytes of a \u escape's code unit (a lone surrogate as its
// three bytes: the simulator escapes control bytes only, and a history
// from elsewhere is compared byte for byte, never printed as text).
void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Arrays in a history event hold values, not deeper arrays; a bound on the
// nesting keeps a hostile file from exhausting the stack.
constexpr int kMaxArrayDepth = 32;

std::expected<JsonValue, std::string> json_value(std::string_view& s, int depth = 0) {
  s = trim(s);
  JsonValue v;
  if (s.starts_with("null")) {
    s.remove_prefix(4);
    return v;
  }
  if (s.starts_with('"')) {
    v.kind = JsonValue::kString;
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        const char c = s[++i];
        if (c == 'u') {
          unsigned code = 0;
          const char* digits = s.data() + i + 1;
          const char* end = s.data() + std::min(s.size(), i + 5);
          const auto [last, err] = std::from_chars(digits, end, code, 16);
          if (err != std::errc{} || last != digits + 4)
            return std::unexpected("a \\u escape needs four hex digits");
          append_utf8(v.text, code);
          i += 4;
        } else {
          v.text += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
      } else if (s[i] == '"') {
        s.remove_prefix(i + 1);
        return v;
      } else {
        v.text += s[i];
      }
    }
    return std::unexpected("a string is not closed");
  }
  if (s.starts_with('[')) {
    if (depth == kMaxArrayDepth)
      return std::unexpected("arrays nested deeper than " + std::to_string(kMaxArrayDepth));
    v.kind = JsonValue::kArray;
    s.remove_prefix(1);
    while (!trim(s).starts_with(']')) {
      auto item = json_value(s, depth + 1);
      if (!item) return item;
      v.items.push_back(std::move(*item));
      s = trim(s);
      if (s.starts_with(','))
        s.remove_prefix(1);
      else if (!s.starts_with(']'))
        return std::unexpected("expected , or ] in an array");
    }
    s = trim(s);
    s.remove_prefix(1);
    return v;
  }
  std::size_t end = 0;
  while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '-'))
    ++end;
  if (end == 0) return std::unexpected("expected a value");
  v.kind = JsonValue::kNumber;
  v.text = std::string(s.substr(0, end));
  s.remove_prefix(end);
  return v;
}

LineResult parse_jsonl_line(std::string_view line) {
  line = trim(line);
  if (line.empty()) return std::nullopt;
  if (!line.starts_with('{') || !line.ends_with('}'))
    return std::unexpected("expected a JSON object");
  std::string_view s = line.substr(1, line.size() - 2);
  std::map<std::string, JsonValue> fields;
  while (!trim(s).empty()) {
    auto name = json_value(s);
    if (!name || name->kind != JsonValue::kString) return std::unexpected("expected a field name");
    s = trim(s);
    if (!s.starts_with(':')) return std::unexpected("expected : after a field name");
    s.remove_prefix(1);
    auto value = json_value(s);
    if (!value) return std::unexpected(value.error());
    fields[name->text] = std::move(*value);
    s = trim(s);
    if (s.starts_with(',')) s.remove_prefix(1);
  }
  RawEvent e;
  auto text = [&](const char* name) { return fields.contains(name) ? fields[name].text : ""; };
  auto process = number<std::uint64_t>(text("process"));
  if (!process || text("type").empty() || text("f").empty())
    return std::unexpected("an event needs \"process\", \"type\" and \"f\"");
  e.process = *process;
  e.type = text("type");
  e.f = text("f");
  e.key = text("key");
  const JsonValue& value = fields["value"];
  auto optional = [](const JsonValue& v) {
    return v.kind == JsonValue::kNull ? std::nullopt : std::optional(v.text);
  };
  if (value.kind == JsonValue::kArray) {
    if (value.items.size() != 2) return std::unexpected("a cas value is [expected, new]");
    e.expected = optional(value.items[0]);
    e.value = optional(value.items[1]);
  } else {
    e.value = optional(value);
  }
  if (auto r = number<std::int64_t>(text("revision"))) e.revision = *r;
  e.skip = text("consistency") == "serializable";
  return e;
}

// Takes the next line off `text` (without its newline).
std::string_view next_line(std::string_view& text) {
  const auto nl = text.find('\n');
  std::string_view l = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return l;
}

}  // namespace

std::expected<Format, ParseError> guess_format(std::string_view text) {
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    std::string_view l = trim(next_line(text));
    if (l.empty()) continue;
    if (l.starts_with("{\"")) return Format::kJsonl;
    if (l.starts_with("{:")) return Format::kEdn;
    if (l.find("jepsen.util - ") != std::string_view::npos) return Format::kJepsen;
    return std::unexpected(
        ParseError{line, "not a history in a known format (jsonl, jepsen, edn)"});
  }
  return std::unexpected(ParseError{0, "the history is empty"});
}

std::expected<Format, ParseError> format_by_name(std::string_view name) {
  if (name == "jsonl") return Format::kJsonl;
  if (name == "jepsen") return Format::kJepsen;
  if (name == "edn") return Format::kEdn;
  return std::unexpected(
      ParseError{0, "unknown format '" + std::string(name) + "' (jsonl, jepsen or edn)"});
}

const char* format_name(Format f) {
  switch (f) {
    case Format::kJsonl:
      return "jsonl";
    case Format::kJepsen:
      return "jepsen";
    case Format::kEdn:
      return "edn";
  }
  return "?";
}

const char* default_model(Format f) {
  switch (f) {
    case Format::kJsonl:
      return "etcd";
    case Format::kJepsen:
      return "register";
    case Format::kEdn:
      return "kv-empty";
  }
  return "kv";
}

std::expected<History, ParseError> parse_history(std::string_view text, Format format) {
  History h;
  std::map<std::uint64_t, std::size_t> open;  // process -> its operation
  std::vector<bool> dropped;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    std::string_view l = next_line(text);
    LineResult parsed = format == Format::kJepsen ? parse_jepsen_line(l)
                        : format == Format::kEdn  ? parse_edn_line(l)
                                                  : parse_jsonl_line(l);
    if (!parsed) return std::unexpected(ParseError{line, parsed.error()});
    if (!*parsed) continue;
    RawEvent& e = **parsed;
    if (e.type == "invoke") {
      if (open.contains(e.process))
        return std::unexpected(ParseError{line, "process " + std::to_string(e.process) +
                                                    " invokes while its last operation is open"});
      Operation op;
      op.process = e.process;
      op.call = h.events++;
      op.line = line;
      op.f = e.f == "read" ? "read" : e.f;
      op.key = e.key;
      op.value = e.value;
      op.expected = e.expected;
      op.outcome = Outcome::kUnknown;
      open[e.process] = h.operations.size();
      h.operations.push_back(std::move(op));
      dropped.push_back(e.skip);
      continue;
    }
    if (e.type != "ok" && e.type != "fail" && e.type != "info")
      return std::unexpected(ParseError{line, "unknown event type '" + e.type + "'"});
    auto it = open.find(e.process);
    if (it == open.end())
      return std::unexpected(ParseError{line, "process " + std::to_string(e.process) +
                                                  " completes an operation it never invoked"});
    Operation& op = h.operations[it->second];
    if (op.f != e.f)
      return std::unexpected(ParseError{line, "process " + std::to_string(e.process) + " invoked " +
                                                  op.f + " but completes " + e.f});
    const std::size_t index = it->second;
    open.erase(it);
    if (e.type == "info") continue;  // unknown: it never returns
    op.ret = h.events++;
    op.revision = e.revision;
    const bool read = is_read(op);
    if (e.type == "ok") {
      op.outcome = Outcome::kOk;
      if (read) op.output = e.value;
    } else if (op.f == "cas") {
      op.outcome = Outcome::kFail;  // a cas that failed saw another value: it stays
    } else {
      dropped[index] = true;  // a failed read or write did nothing
    }
  }
  History kept;
  kept.events = h.events;
  for (std::size_t i = 0; i < h.operations.size(); ++i)
    if (!dropped[i]) kept.operations.push_back(std::move(h.operations[i]));
  return kept;
}

}  // namespace etcetera::spec::lin
