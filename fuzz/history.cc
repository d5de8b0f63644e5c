// Any bytes as a client history for etcetera-check: the first byte picks
// the format (the simulator's JSON lines, Jepsen's register log, Jepsen's
// key-value maps). A history that parses is checked, within a step budget,
// against its format's model; the verdict may be anything but a crash.
#include <string>

#include "fuzz/fuzz_target.h"
#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"

using namespace etcetera;
namespace lin = etcetera::spec::lin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const lin::Format format = std::array{lin::Format::kJsonl, lin::Format::kJepsen,
                                        lin::Format::kEdn}[data[0] % 3];
  auto history = lin::parse_history(fuzz::bytes_of(data + 1, size - 1), format);
  if (!history) return 0;
  auto model = lin::model_by_name(lin::default_model(format));
  if (!model) __builtin_trap();
  lin::Budget budget;
  budget.max_steps = 20000;
  (void)lin::check(*model, *history, budget);
  return 0;
}
