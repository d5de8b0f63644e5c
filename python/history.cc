// History and check_linearizability: what clients saw, and whether some
// order of it, each operation taking effect between its call and its
// return, explains every answer (spec/linearizability/checker.h).
#include <chrono>
#include <fstream>
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include "python/bindings.h"
#include "sim/history.h"
#include "spec/linearizability/checker.h"
#include "spec/linearizability/formats.h"
#include "visualizer/dot_style.h"
#include "visualizer/history_view.h"

namespace etcetera::python {
namespace {

namespace lin = spec::lin;

// A check's outcome. In a notebook it shows as its verdict and, for a
// violation, the failing part drawn as a timeline (visualizer/history_view.h).
struct Linearizability {
  std::string verdict;  // LINEARIZABLE, NOT LINEARIZABLE, UNKNOWN
  std::string model;
  std::size_t operations = 0;
  std::uint64_t steps = 0;
  std::string explanation;
  std::optional<std::string> diagram;  // an HTML page, for a violation

  bool ok() const { return verdict == lin::verdict_name(lin::Verdict::kLinearizable); }
  std::string summary() const {
    return verdict + ": " + std::to_string(operations) + " operations, " + model + " model, " +
           std::to_string(steps) + " search steps";
  }
  // The verdict, the explanation, and the diagram in a frame of its own: it
  // is a whole page, and its styles and the notebook's must not mix.
  std::string html() const {
    std::string out = "<p><b>" + verdict + "</b> (" + std::to_string(operations) + " operations, " +
                      model + " model, " + std::to_string(steps) + " search steps)</p>";
    if (!explanation.empty()) out += "<pre>" + viz::html_escape(explanation) + "</pre>";
    if (diagram)
      out += "<iframe style=\"width: 100%; height: 560px; border: 1px solid #ccc; "
             "box-sizing: border-box\" srcdoc=\"" +
             viz::html_escape(*diagram) + "\"></iframe>";
    return out;
  }
};

Linearizability check_text(const std::string& text, const std::optional<std::string>& model_name,
                           const std::optional<std::string>& format_name, std::uint64_t max_steps,
                           std::optional<double> timeout) {
  auto format = format_name ? lin::format_by_name(*format_name) : lin::guess_format(text);
  if (!format)
    throw Error((format.error().line ? "line " + std::to_string(format.error().line) + ": " : "") +
                format.error().reason);
  const std::string name = model_name.value_or(lin::default_model(*format));
  auto model = lin::model_by_name(name);
  if (!model) throw Error("no model '" + name + "': register, kv, kv-empty or etcd");
  auto history = lin::parse_history(text, *format);
  if (!history)
    throw Error("line " + std::to_string(history.error().line) + ": " + history.error().reason);
  if (timeout && *timeout <= 0) throw Error("timeout is a positive number of seconds");

  lin::Budget budget;
  budget.max_steps = max_steps;
  const auto start = std::chrono::steady_clock::now();
  if (timeout) {
    budget.out_of_time = [start, limit = *timeout] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
             limit;
    };
  }
  const lin::CheckResult result = lin::check(*model, *history, budget);
  Linearizability out;
  out.verdict = lin::verdict_name(result.verdict);
  out.model = name;
  out.operations = history->operations.size();
  out.steps = result.steps;
  out.explanation = lin::explain(*model, *history, result);
  if (result.failing_part)
    out.diagram =
        viz::history_html(*history, result.parts[*result.failing_part], *model, "Not linearizable");
  return out;
}

}  // namespace

void bind_linearizability(py::module_& m) {
  py::class_<sim::History>(m, "History",
                           "What clients saw: each operation's invocation and its return, in the "
                           "order they happened (sim/history.h), in Jepsen's vocabulary.")
      .def("__len__", [](const sim::History& h) { return h.events().size(); })
      .def(
          "events",
          [](const sim::History& h) {
            py::list out;
            for (const auto& e : h.events())
              out.append(json_loads()(sim::to_json_line(e)));
            return out;
          },
          "Every event as a dict: process, type (invoke, ok, fail, info), f, key, value, time.")
      .def("to_jsonl", &sim::History::to_json_lines, "The history as JSON lines.")
      .def(
          "save",
          [](const sim::History& h, const std::string& path) {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out << h.to_json_lines();
            out.close();
            if (!out) throw Error("cannot write the history to " + path);
          },
          py::arg("path"), "Writes the JSON lines, which etcetera-check reads.");

  py::class_<Linearizability>(m, "Linearizability", "The outcome of check_linearizability().")
      .def_readonly("verdict", &Linearizability::verdict)
      .def_property_readonly("ok", &Linearizability::ok, "True when the history is linearizable.")
      .def_readonly("model", &Linearizability::model)
      .def_readonly("operations", &Linearizability::operations)
      .def_readonly("steps", &Linearizability::steps, "Search steps the checker took.")
      .def_readonly("explanation", &Linearizability::explanation,
                    "For a violation: the failing part, the longest order explained, and the "
                    "operation that could not follow.")
      .def_readonly("diagram", &Linearizability::diagram,
                    "For a violation: the failing part drawn as an HTML page (else None).")
      .def("__repr__", &Linearizability::summary)
      .def("_repr_html_", &Linearizability::html);

  m.def(
      "check_linearizability",
      [](const py::object& history, const std::optional<std::string>& model,
         const std::optional<std::string>& format, std::uint64_t max_steps,
         std::optional<double> timeout) {
        std::string text;
        if (py::isinstance<sim::History>(history))
          text = history.cast<const sim::History&>().to_json_lines();
        else if (py::isinstance<py::str>(history))
          text = history.cast<std::string>();
        else
          throw Error("check_linearizability takes a History or the text of one");
        py::gil_scoped_release unlocked;
        return check_text(text, model, format, max_steps, timeout);
      },
      py::arg("history"), py::kw_only(), py::arg("model") = py::none(),
      py::arg("format") = py::none(), py::arg("max_steps") = 0, py::arg("timeout") = py::none(),
      R"(Is the history linearizable? history: a History, or the text of one (jsonl, jepsen or edn,
guessed). model: register, kv, kv-empty or etcd (the default for the simulator's histories,
which carry revisions). max_steps, timeout (seconds): budgets after which the verdict is
UNKNOWN, never a guess.)");
}

}  // namespace etcetera::python
