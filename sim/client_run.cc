#include "sim/client_run.h"

namespace etcetera::sim {

bool run_with_clients(ScheduleRunner& runner, const ClientRunShape& shape,
                      const ClientTurns& clients) {
  auto stopped = [&] { return runner.violation() && shape.stop_at_violation; };
  raft::Rng rng(runner.options().seed);
  for (Step step : random_schedule(rng, shape.steps, runner.options().profile)) {
    if (step.kind == Kind::kPropose || step.kind == Kind::kRead) step.kind = Kind::kTime;
    runner.run(step);
    if (step.kind == Kind::kTime) clients.step(/*start_new=*/true);
    if (stopped()) break;
  }
  runner.heal_everything(LinkFaults{0, 1, 0, 0});
  for (Time t = 0; t < shape.settle && !stopped(); ++t) {
    runner.advance_time();
    clients.step(/*start_new=*/false);
    if (clients.idle()) return true;
  }
  return false;
}

}  // namespace etcetera::sim
