// The linearizability checker on small histories whose verdict can be seen
// by hand (the real Jepsen histories are checked by verdicts_test.sh).
#include <catch2/catch.hpp>

#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"

namespace etcetera::spec::lin {
namespace {

Verdict verdict_of(const std::string& text, const char* model = "register",
                   Format format = Format::kJepsen) {
  auto history = parse_history(text, format);
  REQUIRE(history.has_value());
  return check(*model_by_name(model), *history).verdict;
}

std::string line(int process, const char* type, const char* f, const char* value) {
  return std::string("INFO  jepsen.util - ") + std::to_string(process) + "\t:" + type + "\t:" + f +
         "\t" + value + "\n";
}

TEST_CASE("a read after a completed write must see it", "[lin]") {
  const std::string fresh = line(0, "invoke", "write", "1") + line(0, "ok", "write", "1") +
                            line(1, "invoke", "read", "nil") + line(1, "ok", "read", "1");
  CHECK(verdict_of(fresh) == Verdict::kLinearizable);
  const std::string stale = line(0, "invoke", "write", "1") + line(0, "ok", "write", "1") +
                            line(1, "invoke", "read", "nil") + line(1, "ok", "read", "nil");
  auto history = parse_history(stale, Format::kJepsen);
  auto result = check(*register_model(), *history);
  CHECK(result.verdict == Verdict::kNotLinearizable);
  REQUIRE(result.failing_part.has_value());
  const auto& part = result.parts[*result.failing_part];
  REQUIRE(part.stuck.has_value());
  CHECK(history->operations[*part.stuck].f == "read");  // the stale read cannot be placed
}

TEST_CASE("a read concurrent with a write may see either value", "[lin]") {
  for (const char* seen : {"nil", "1"}) {
    const std::string h = line(0, "invoke", "write", "1") + line(1, "invoke", "read", "nil") +
                          line(1, "ok", "read", seen) + line(0, "ok", "write", "1");
    CHECK(verdict_of(h) == Verdict::kLinearizable);
  }
}

TEST_CASE("a write of unknown outcome may take effect late, or never, but only once", "[lin]") {
  const std::string late = line(0, "invoke", "write", "1") +
                           line(0, "info", "write", ":timed-out") +
                           line(1, "invoke", "read", "nil") + line(1, "ok", "read", "nil") +
                           line(1, "invoke", "read", "nil") + line(1, "ok", "read", "1");
  CHECK(verdict_of(late) == Verdict::kLinearizable);
  const std::string back = late + line(1, "invoke", "read", "nil") + line(1, "ok", "read", "nil");
  CHECK(verdict_of(back) == Verdict::kNotLinearizable);
}

TEST_CASE("a failed compare-and-set saw another value", "[lin]") {
  const std::string held = line(0, "invoke", "write", "1") + line(0, "ok", "write", "1") +
                           line(1, "invoke", "cas", "[1 2]") + line(1, "fail", "cas", "[1 2]");
  CHECK(verdict_of(held) == Verdict::kNotLinearizable);  // it held 1: the cas should have won
  const std::string other = line(0, "invoke", "write", "3") + line(0, "ok", "write", "3") +
                            line(1, "invoke", "cas", "[1 2]") + line(1, "fail", "cas", "[1 2]");
  CHECK(verdict_of(other) == Verdict::kLinearizable);
}

TEST_CASE("keys are checked apart, and the smallest failing key is named", "[lin]") {
  const std::string h =
      "{:process 0, :type :invoke, :f :put, :key \"a\", :value \"x\"}\n"
      "{:process 0, :type :ok, :f :put, :key \"a\", :value \"x\"}\n"
      "{:process 1, :type :invoke, :f :append, :key \"b\", :value \"y\"}\n"
      "{:process 1, :type :ok, :f :append, :key \"b\", :value \"y\"}\n"
      "{:process 0, :type :invoke, :f :get, :key \"a\", :value nil}\n"
      "{:process 0, :type :ok, :f :get, :key \"a\", :value \"x\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"b\", :value nil}\n"
      "{:process 1, :type :ok, :f :get, :key \"b\", :value \"\"}\n";
  auto history = parse_history(h, Format::kEdn);
  REQUIRE(history.has_value());
  auto result = check(*kv_model(true), *history);
  CHECK(result.parts.size() == 2);
  CHECK(result.verdict == Verdict::kNotLinearizable);
  REQUIRE(result.failing_part.has_value());
  CHECK(history->operations[result.parts[*result.failing_part].operations.front()].key == "b");
}

TEST_CASE("out of budget is UNKNOWN, never a guess", "[lin]") {
  std::string h;
  for (int p = 0; p < 6; ++p)
    h += line(p, "invoke", "write", std::to_string(p).c_str());
  for (int p = 0; p < 6; ++p)
    h += line(p, "ok", "write", std::to_string(p).c_str());
  h += line(9, "invoke", "read", "nil") + line(9, "ok", "read", "7");  // nobody wrote 7
  auto history = parse_history(h, Format::kJepsen);
  Budget tiny;
  tiny.max_steps = 3;
  CHECK(check(*register_model(), *history, tiny).verdict == Verdict::kUnknown);
  CHECK(check(*register_model(), *history).verdict == Verdict::kNotLinearizable);
}

TEST_CASE("the simulator's histories: serializable reads are left out", "[lin]") {
  const std::string h =
      R"({"process":1,"type":"invoke","f":"put","key":"k1","value":"v1","time":1})"
      "\n"
      R"({"process":1,"type":"ok","f":"put","key":"k1","value":"v1","time":2,"revision":2})"
      "\n"
      R"({"process":2,"type":"invoke","f":"get","key":"k1","value":null,"time":3,"consistency":"serializable"})"
      "\n"
      R"({"process":2,"type":"ok","f":"get","key":"k1","value":null,"time":3,"revision":1,"consistency":"serializable"})"
      "\n"
      R"({"process":2,"type":"invoke","f":"cas","key":"k1","value":["v1","v2"],"time":4})"
      "\n"
      R"({"process":2,"type":"ok","f":"cas","key":"k1","value":["v1","v2"],"time":5,"revision":3})"
      "\n";
  auto format = guess_format(h);
  REQUIRE(format == Format::kJsonl);
  auto history = parse_history(h, Format::kJsonl);
  REQUIRE(history.has_value());
  CHECK(history->operations.size() == 2);
  CHECK(check(*kv_model(false), *history).verdict == Verdict::kLinearizable);
}

// The simulator's answers, one JSON object a line.
std::string event(int process, const char* type, const char* f, const char* value,
                  int revision = 0) {
  std::string out = "{\"process\":" + std::to_string(process) + ",\"type\":\"" + type +
                    "\",\"f\":\"" + f + "\",\"key\":\"k1\",\"value\":" + value + ",\"time\":1";
  if (revision != 0) out += ",\"revision\":" + std::to_string(revision);
  return out + "}\n";
}

TEST_CASE("etcd model: a read at an old revision is stale even if the value is the same", "[lin]") {
  // Two puts of the same value: the second moves the store to revision 3.
  const std::string writes = event(0, "invoke", "put", "\"a\"") +
                             event(0, "ok", "put", "\"a\"", 2) +
                             event(0, "invoke", "put", "\"a\"") + event(0, "ok", "put", "\"a\"", 3);
  const std::string fresh =
      writes + event(1, "invoke", "get", "null") + event(1, "ok", "get", "\"a\"", 3);
  const std::string stale =
      writes + event(1, "invoke", "get", "null") + event(1, "ok", "get", "\"a\"", 2);
  CHECK(verdict_of(fresh, "etcd", Format::kJsonl) == Verdict::kLinearizable);
  CHECK(verdict_of(stale, "kv", Format::kJsonl) == Verdict::kLinearizable);  // values agree
  auto history = parse_history(stale, Format::kJsonl);
  REQUIRE(history.has_value());
  const auto result = check(*model_by_name("etcd"), *history);
  CHECK(result.verdict == Verdict::kNotLinearizable);
  // The second put cannot be placed: the read that saw revision 2 is still
  // to come, and it is named as the reason.
  const auto& part = result.parts[*result.failing_part];
  REQUIRE(part.stuck.has_value());
  CHECK(history->operations[*part.stuck].revision == 3);
  REQUIRE(part.blocked_by.has_value());
  CHECK(history->operations[*part.blocked_by].f == "get");
}

TEST_CASE("etcd model: a gap in revisions needs a write of unknown outcome to fill it", "[lin]") {
  const std::string gap = event(0, "invoke", "put", "\"a\"") + event(0, "ok", "put", "\"a\"", 3);
  CHECK(verdict_of(gap, "etcd", Format::kJsonl) == Verdict::kNotLinearizable);
  const std::string filled =
      event(1, "invoke", "put", "\"b\"") + event(1, "info", "put", "\"b\"") + gap;
  CHECK(verdict_of(filled, "etcd", Format::kJsonl) == Verdict::kLinearizable);
  // A delete of a missing key and a refused cas leave the revision alone.
  const std::string unchanged =
      event(0, "invoke", "delete", "null") + event(0, "ok", "delete", "null", 1) +
      event(0, "invoke", "cas", "[\"x\",\"y\"]") + event(0, "fail", "cas", "[\"x\",\"y\"]", 1);
  CHECK(verdict_of(unchanged, "etcd", Format::kJsonl) == Verdict::kLinearizable);
}

// 30 clients time out on writes of values nobody reads; then, round after
// round, a write succeeds and a cas expecting its value fails, so one of the
// unknown writes must have got in between. Without the reductions the memo
// splits on which of the 30 were used, far past the budget.
Verdict rounds_after_unknown_writes(int rounds) {
  std::string h;
  for (int p = 0; p < 30; ++p)
    h += line(p, "invoke", "write", std::to_string(100 + p).c_str());
  for (int p = 0; p < 30; ++p)
    h += line(p, "info", "write", ":timed-out");
  for (int round = 0; round < rounds; ++round) {
    const std::string v = std::to_string(round);
    h += line(70, "invoke", "write", v.c_str()) + line(70, "ok", "write", v.c_str());
    h += line(71, "invoke", "cas", ("[" + v + " 999]").c_str()) +
         line(71, "fail", "cas", ("[" + v + " 999]").c_str());
  }
  Budget budget;
  budget.max_steps = 100'000;
  auto history = parse_history(h, Format::kJepsen);
  REQUIRE(history.has_value());
  return check(*register_model(), *history, budget).verdict;
}

TEST_CASE("many writes of unknown outcome stay cheap to check", "[lin]") {
  CHECK(rounds_after_unknown_writes(30) == Verdict::kLinearizable);
  CHECK(rounds_after_unknown_writes(31) == Verdict::kNotLinearizable);  // one too few
}

TEST_CASE("unreadable input names the line and the reason", "[lin]") {
  auto orphan = parse_history(line(0, "ok", "write", "1"), Format::kJepsen);
  REQUIRE_FALSE(orphan.has_value());
  CHECK(orphan.error().line == 1);
  CHECK(orphan.error().reason == "process 0 completes an operation it never invoked");
  auto broken = parse_history("{:process 0, :type :invoke, :f :get, :key \"a}\n", Format::kEdn);
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().reason == "a string is not closed");
  auto unknown = guess_format("hello\n");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().line == 1);
}

// Found by the history fuzz target: a \u escape without four hex digits
// threw out of the parser, and etcetera-check aborted.
TEST_CASE("a broken unicode escape or arrays nested too deep are refused, never a crash", "[lin]") {
  auto escape = parse_history(event(1, "invoke", "put", "\"\\uZZZZ\""), Format::kJsonl);
  REQUIRE_FALSE(escape.has_value());
  CHECK(escape.error().line == 1);
  CHECK(escape.error().reason == "a \\u escape needs four hex digits");
  auto short_escape = parse_history(event(1, "invoke", "put", "\"\\u12\""), Format::kJsonl);
  REQUIRE_FALSE(short_escape.has_value());
  CHECK(short_escape.error().reason == "a \\u escape needs four hex digits");
  auto deep = parse_history(event(1, "invoke", "put", (std::string(100, '[') +
                                                        std::string(100, ']')).c_str()),
                            Format::kJsonl);
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error().reason == "arrays nested deeper than 32");
  // A good escape still reads, as UTF-8.
  auto good = parse_history(event(1, "invoke", "put", "\"caf\\u00e9\"") +
                                event(1, "ok", "put", "\"caf\\u00e9\"", 2),
                            Format::kJsonl);
  REQUIRE(good.has_value());
  REQUIRE(good->operations.size() == 1);
}

}  // namespace
}  // namespace etcetera::spec::lin
