// The history view: a violation the checker finds, drawn. The page is read
// back as text: one lane per process, the stuck operation in red, the
// explained order numbered, unknown outcomes marked, values escaped, and a
// long part cut to a window around the failure.
#include <algorithm>
#include <catch2/catch.hpp>

#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"
#include "visualizer/history_view.h"

namespace {

namespace lin = etcetera::spec::lin;
namespace viz = etcetera::viz;

std::string line(int process, const char* type, const char* f, const char* value) {
  return std::string("INFO  jepsen.util - ") + std::to_string(process) + "\t:" + type + "\t:" + f +
         "\t" + value + "\n";
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// The <g> of the operation invoked on input line `input_line`.
std::string bar(const std::string& html, std::size_t input_line) {
  const auto at = html.find("data-line=\"" + std::to_string(input_line) + "\"");
  REQUIRE(at != std::string::npos);
  const auto start = html.rfind("<g class=\"op", at);
  const auto end = html.find("</g>", at);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  return html.substr(start, end - start);
}

TEST_CASE("history_view: a stale read drawn against the order that explains the rest",
          "[history_view]") {
  // Process 2 writes "<&>" and never hears back; process 0 writes 1, then
  // 2; only then does process 1 read, and it sees 1. Process 0 reads last.
  const std::string text = line(2, "invoke", "write", "<&>") + line(0, "invoke", "write", "1") +
                           line(0, "ok", "write", "1") + line(0, "invoke", "write", "2") +
                           line(0, "ok", "write", "2") + line(1, "invoke", "read", "nil") +
                           line(1, "ok", "read", "1") + line(2, "info", "write", ":timed-out") +
                           line(0, "invoke", "read", "nil") + line(0, "ok", "read", "2");
  auto history = lin::parse_history(text, lin::Format::kJepsen);
  REQUIRE(history.has_value());
  const auto model = lin::register_model();
  const auto result = lin::check(*model, *history);
  REQUIRE(result.verdict == lin::Verdict::kNotLinearizable);
  const lin::PartResult& part = result.parts[*result.failing_part];
  REQUIRE(part.stuck.has_value());
  REQUIRE(history->operations[*part.stuck].line == 6);  // the read

  const std::string html = viz::history_html(*history, part, *model, "stale <read>");

  CHECK(count(html, "class=\"lane\"") == 3);  // processes 0, 1 and 2
  CHECK(count(html, "class=\"op stuck\"") == 1);
  CHECK(bar(html, 6).starts_with("<g class=\"op stuck\""));
  CHECK(bar(html, 6).find("read → 1") != std::string::npos);

  REQUIRE(part.longest.size() == 3);  // both writes of process 0 and the unknown one
  for (std::size_t i = 0; i < part.longest.size(); ++i) {
    const std::string b = bar(html, history->operations[part.longest[i]].line);
    INFO(b);
    CHECK(b.find("class=\"op placed") != std::string::npos);
    CHECK(b.find("class=\"order\"") != std::string::npos);
    CHECK(b.find(">" + std::to_string(i + 1) + "</text>") != std::string::npos);
    CHECK(b.find("class=\"point\"") != std::string::npos);
  }

  const std::string unknown = bar(html, 1);
  CHECK(unknown.find(" unknown\"") != std::string::npos);
  CHECK(unknown.find(">unknown</text>") != std::string::npos);
  CHECK(count(html, "unknown\" data-line") == 1);

  CHECK(html.find("<&>") == std::string::npos);
  CHECK(html.find("write &lt;&amp;&gt;") != std::string::npos);
  CHECK(html.find("stale &lt;read&gt;") != std::string::npos);
  // Small: drawn from the start, but not past the stuck read's return.
  CHECK(html.find("data-line=\"9\"") == std::string::npos);
  CHECK(html.find("Showing operations 1..4 of 5 (by call): those called before") !=
        std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(count(html, "http") == count(html, "http://www.w3.org/2000/svg"));  // nothing fetched
}

// 150 writes one after another, an unknown write before them all, and a last
// read that sees the first write's value.
lin::History long_history() {
  lin::History h;
  auto add = [&h](std::uint64_t process, std::string f, std::optional<std::string> value,
                  bool returns) {
    lin::Operation op;
    op.process = process;
    op.f = std::move(f);
    op.line = h.operations.size() + 1;
    op.call = h.events++;
    if (returns) {
      op.ret = h.events++;
      op.outcome = lin::Outcome::kOk;
    } else {
      op.outcome = lin::Outcome::kUnknown;
    }
    if (op.f == "read") {
      op.output = value;
    } else {
      op.value = value;
    }
    h.operations.push_back(std::move(op));
  };
  add(9, "write", "u", false);
  for (int i = 1; i <= 150; ++i)
    add(static_cast<std::uint64_t>(i % 3), "write", std::to_string(i), true);
  add(5, "read", "1", true);
  return h;
}

TEST_CASE("history_view: a long part is drawn as a window around the failure", "[history_view]") {
  const lin::History h = long_history();
  const auto model = lin::register_model();
  const auto result = lin::check(*model, h);
  REQUIRE(result.verdict == lin::Verdict::kNotLinearizable);
  const lin::PartResult& part = result.parts[*result.failing_part];
  REQUIRE(part.stuck == h.operations.size() - 1);

  const viz::HistoryWindow w = viz::history_window(h, part);
  CHECK(w.windowed);
  CHECK(w.operations.size() < part.operations.size());
  CHECK(w.operations.back() == *part.stuck);
  // The last 20 placed operations of known outcome are all drawn, and the
  // unknown write the order placed long before them is not.
  std::size_t known = 0;
  for (auto it = part.longest.rbegin(); it != part.longest.rend() && known < viz::kWindowTail;
       ++it) {
    if (h.operations[*it].ret == lin::kNever) continue;
    ++known;
    CHECK(std::find(w.operations.begin(), w.operations.end(), *it) != w.operations.end());
  }
  CHECK(std::find(w.operations.begin(), w.operations.end(), 0) == w.operations.end());
  CHECK(w.operations.size() == viz::kWindowTail + 1);

  const std::string html = viz::history_html(h, part, *model, "long");
  CHECK(html.find("Showing operations 132..152 of 152 (by call): a long part") !=
        std::string::npos);
  CHECK(count(html, "<g class=\"op ") == w.operations.size());
  CHECK(count(html, "class=\"lane\"") == 4);  // the writers 0, 1 and 2, and the reader
  // The numbers are places in the whole order, not in the window.
  CHECK(bar(html, 151).find(">" + std::to_string(part.longest.size()) + "</text>") !=
        std::string::npos);
}

TEST_CASE("history_view: bar labels are short, a failed cas crossed out", "[history_view]") {
  lin::Operation op;
  op.f = "cas";
  op.key = "k1";
  op.expected = "v1";
  op.value = "v2";
  op.outcome = lin::Outcome::kFail;
  CHECK(viz::op_label(op, true) == "cas k1 v1→v2 ✗");
  CHECK(viz::op_label(op, false) == "cas v1→v2 ✗");
  lin::Operation get;
  get.f = "get";
  get.key = "k1";
  get.output = "v2";
  CHECK(viz::op_label(get, true) == "get k1 → v2");
  get.output.reset();
  CHECK(viz::op_label(get, false) == "get → nil");
  get.output = "";
  CHECK(viz::op_label(get, false) == "get → \"\"");
  get.output.reset();
  get.outcome = lin::Outcome::kUnknown;
  CHECK(viz::op_label(get, false) == "get");
  lin::Operation put;
  put.f = "put";
  put.key = "k1";
  put.value = "v3";
  CHECK(viz::op_label(put, true) == "put k1 v3");
}

}  // namespace

TEST_CASE("history_view: a read at an old revision is drawn as what blocks the write",
          "[history_view]") {
  // Process 0 puts "a" twice (revisions 2 and 3); process 1, called after
  // that, reads "a" at revision 2: a stale read with a current value.
  auto event = [](int process, const char* type, const char* f, int revision) {
    std::string out =
        "{\"process\":" + std::to_string(process) + ",\"type\":\"" + type + "\",\"f\":\"" + f +
        "\",\"key\":\"k1\",\"value\":" +
        (std::string(f) == "get" && std::string(type) == "invoke" ? "null" : "\"a\"") +
        ",\"time\":1";
    if (revision != 0) out += ",\"revision\":" + std::to_string(revision);
    return out + "}\n";
  };
  const std::string text = event(0, "invoke", "put", 0) + event(0, "ok", "put", 2) +
                           event(0, "invoke", "put", 0) + event(0, "ok", "put", 3) +
                           event(1, "invoke", "get", 0) + event(1, "ok", "get", 2);
  auto history = lin::parse_history(text, lin::Format::kJsonl);
  REQUIRE(history.has_value());
  const auto model = lin::model_by_name("etcd");
  const auto result = lin::check(*model, *history);
  REQUIRE(result.failing_part.has_value());
  const auto& part = result.parts[*result.failing_part];
  const std::string html = viz::history_html(*history, part, *model, "stale");
  CHECK(bar(html, 3).starts_with("<g class=\"op stuck\""));    // the second put
  CHECK(bar(html, 5).starts_with("<g class=\"op blocker\""));  // the read, called after it
  CHECK(html.find("answered an earlier revision") != std::string::npos);  // in the legend
}
