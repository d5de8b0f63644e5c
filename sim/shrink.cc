#include "sim/shrink.h"

namespace etcetera::sim {

Outcome check_schedule(const ScheduleOptions& o, const std::vector<Step>& steps, bool liveness,
                       std::unique_ptr<ScheduleRunner>* keep, raft::TraceSink* trace) {
  auto runner = std::make_unique<ScheduleRunner>(o, trace);
  Outcome out;
  for (const Step& s : steps) {
    runner->run(s);
    ++out.steps_run;
    if (runner->violation()) break;
  }
  if (!runner->violation() && liveness) {
    out.liveness = check_liveness(*runner);
    if (out.liveness.failure) out.failure = "liveness: " + *out.liveness.failure;
  }
  if (runner->violation()) out.failure = "safety: " + *runner->violation();
  if (keep) *keep = std::move(runner);
  return out;
}

bool same_failure(const std::string& a, const std::string& b) {
  // "safety: LogMatchingInv: ..." -> "safety: LogMatchingInv"; "liveness: ..." -> "liveness"
  auto key = [](const std::string& s) {
    if (s.starts_with("liveness")) return std::string("liveness");
    const auto colon = s.find(':', std::string("safety: ").size());
    return s.substr(0, colon);
  };
  return key(a) == key(b);
}

std::vector<Step> shrink(const ScheduleOptions& o, std::vector<Step> steps, bool liveness,
                         std::size_t max_runs,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  std::size_t runs = 1;
  const Outcome first = check_schedule(o, steps, liveness);
  if (!first.failure) return steps;
  const std::string failure = *first.failure;
  // A safety failure needs nothing after the step that showed it.
  if (failure.starts_with("safety")) steps.resize(first.steps_run);
  auto still_fails = [&](const std::vector<Step>& candidate) {
    ++runs;
    const Outcome out = check_schedule(o, candidate, liveness);
    return out.failure && same_failure(*out.failure, failure);
  };
  for (std::size_t chunk = steps.size() / 2; chunk >= 1 && runs < max_runs;) {
    bool removed = false;
    for (std::size_t start = 0; start < steps.size() && runs < max_runs;) {
      std::vector<Step> candidate(steps.begin(), steps.begin() + static_cast<long>(start));
      const std::size_t end = std::min(steps.size(), start + chunk);
      candidate.insert(candidate.end(), steps.begin() + static_cast<long>(end), steps.end());
      if (!candidate.empty() && still_fails(candidate)) {
        steps = std::move(candidate);
        removed = true;
        if (progress) progress(steps.size(), runs);
      } else {
        start += chunk;
      }
    }
    if (!removed) chunk /= 2;
  }
  return steps;
}

}  // namespace etcetera::sim
