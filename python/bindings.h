// What the Python module's files share (python/module.cc puts them together):
// the exception every error becomes, and one function per part of the API
// that adds that part's classes and functions to the module.
//
// The module is the classroom's way in (docs/labs.md): a notebook builds a
// simulated cluster, steps it, breaks it, reads its trace and history, draws
// any step and checks linearizability, all through these bindings. They add
// no behaviour of their own: each call is one call into sim/, visualizer/ or
// spec/, with Python's types at the edge.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/pybind11.h>

#include "raft/error.h"
#include "raft/mutant.h"
#include "raft/trace.pb.h"
#include "sim/network.h"

namespace etcetera::python {

namespace py = pybind11;

// etcetera.Error in Python, with the C++ message as its text.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The value of a Result, or an Error with its message.
template <class T>
T unwrap(raft::Result<T> result) {
  if (!result) throw Error(result.error().message);
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

// The choices an error message lists: "a, b, c", or "a, b or c" with
// last = " or " (cluster.cc).
std::string name_list(const std::vector<std::string>& names, const std::string& last = ", ");

// An event as a Python dict: the fields of its JSON line (raft/trace.h).
py::dict event_dict(const raft::pb::Event& event);
// Python's json.loads (trace.cc).
const py::object& json_loads();

// The argument checks the cluster and the runs share (cluster.cc): a raft
// bug by name (nothing for None), a cluster size, and every link's faults.
raft::Mutant raft_bug(const std::optional<std::string>& name);
int node_count(int nodes);
void percent(int value, const char* what);
sim::LinkFaults link_faults(std::pair<sim::Time, sim::Time> delay, double drop_rate,
                            double duplicate_rate);

// Each adds its part of the API to the module.
void bind_trace(py::module_& m);            // Trace, Replay, Svg (trace.cc)
void bind_cluster(py::module_& m);          // Cluster (cluster.cc)
void bind_linearizability(py::module_& m);  // History, check_linearizability (history.cc)
void bind_runs(py::module_& m);             // run_kv, run_locks, Script, bugs, profiles (runs.cc)

// A trace as the Python Trace object holds it (trace.cc).
py::object make_trace(std::vector<raft::pb::Event> events);

}  // namespace etcetera::python
