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

}  // namespace
}  // namespace etcetera::spec::lin
