// The Python module `etcetera`: the simulator, the visualizer and the
// linearizability checker for notebooks (notebooks/, docs/labs.md). Built
// against Debian's /usr/bin/python3; build/python/ goes on sys.path.
#include "python/bindings.h"

PYBIND11_MODULE(etcetera, m) {
  namespace py = pybind11;
  using namespace etcetera::python;
  m.doc() =
      "etcetera: a simulated Raft/etcd cluster for the classroom. Cluster runs one in virtual "
      "time; Trace and Replay draw any step of it; check_linearizability judges what clients "
      "saw; Script tells a scenario message by message.";
  py::register_exception<Error>(m, "Error");
  bind_trace(m);
  bind_cluster(m);
  bind_linearizability(m);
  bind_runs(m);
}
