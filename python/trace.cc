// Trace, Replay and Svg: a run's events, walked one step at a time and drawn
// with the visualizer's views (visualizer/view.h), as a notebook shows them.
#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "python/bindings.h"
#include "raft/describe.h"
#include "raft/trace.h"
#include "visualizer/graphviz.h"
#include "visualizer/player.h"
#include "visualizer/replay.h"
#include "visualizer/trace_reader.h"
#include "visualizer/view.h"

namespace etcetera::python {
namespace {

// One Graphviz context for the whole process: libgvc keeps global state.
viz::Graphviz& graphviz() {
  static viz::Graphviz instance;
  return instance;
}

// An SVG picture: Jupyter draws it inline through _repr_svg_. Graphviz's
// XML declaration and DOCTYPE are left out: an SVG element inside a page
// (a notebook's, or its HTML export) may not carry them.
struct Svg {
  explicit Svg(const std::string& rendered) {
    const auto start = rendered.find("<svg");
    text = start == std::string::npos ? rendered : rendered.substr(start);
  }
  std::string text;
};

struct Trace {
  std::vector<raft::pb::Event> events;

  const raft::pb::Event& at(long k) const {
    const long n = static_cast<long>(events.size());
    if (k < 0) k += n;
    if (k < 0 || k >= n)
      throw py::index_error("event " + std::to_string(k) + " of a trace of " + std::to_string(n));
    return events[static_cast<std::size_t>(k)];
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    out.reserve(events.size());
    for (const auto& e : events)
      out.push_back(raft::describe(e));
    return out;
  }
  void save(const std::string& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    raft::JsonLinesSink sink(out);
    for (const auto& e : events)
      sink.record(e);
    out.close();
    if (!out) throw Error("cannot write the trace to " + path);
  }
};

// A replay with its views: the player's panels, one picture per step.
class ReplayHandle {
 public:
  explicit ReplayHandle(std::vector<raft::pb::Event> events)
      : replay_(std::move(events)), views_(viz::standard_views()) {}
  // The views are owned: a replay moves, and is never copied.
  ReplayHandle(const ReplayHandle&) = delete;
  ReplayHandle& operator=(const ReplayHandle&) = delete;
  ReplayHandle(ReplayHandle&&) = default;
  ReplayHandle& operator=(ReplayHandle&&) = default;

  std::size_t steps() const { return replay_.steps(); }

  std::vector<std::string> view_ids() const {
    std::vector<std::string> ids;
    for (const auto& v : views_)
      ids.push_back(v->id());
    return ids;
  }

  Svg svg(std::size_t step, const std::string& view_id) {
    seek(step);
    const viz::View& view = find_view(view_id);
    const std::string dot = view.dot(replay_);
    if (dot.empty())
      throw Error("the " + view_id + " view has nothing to draw at step " + std::to_string(step) +
                  ": it draws what the trace has shown by then (the lock view, lock events)");
    return Svg(unwrap(graphviz().render(dot, view.engine(), "svg")));
  }

  std::string dot(std::size_t step, const std::string& view_id) {
    seek(step);
    return find_view(view_id).dot(replay_);
  }

  std::string describe(std::size_t step) {
    seek(step);
    return step == 0 ? "the start, before the first event" : raft::describe(replay_.event());
  }

  // The steps the player would tag with `tag` (viz::step_tag_names()).
  std::vector<std::size_t> tagged(const std::string& tag) {
    const auto& known = viz::step_tag_names();
    if (std::find(known.begin(), known.end(), tag) == known.end())
      throw Error("no tag '" + tag + "': " + name_list(known, " or "));
    std::vector<std::size_t> out;
    replay_.seek(0);
    while (!replay_.done()) {
      replay_.next();
      const auto tags = viz::step_tags(replay_);
      if (std::find(tags.begin(), tags.end(), tag) != tags.end()) out.push_back(replay_.step());
    }
    return out;
  }

  // Every node's state after `step`, as the trace last showed it.
  py::list nodes(std::size_t step) {
    seek(step);
    py::list out;
    for (const auto& [id, look] : replay_.nodes()) {
      py::dict d;
      d["id"] = id;
      d["up"] = look.up;
      d["role"] = raft::role_name(look.state.role());
      d["term"] = look.state.term();
      d["vote"] = look.state.vote();
      d["leader"] = look.state.leader();
      d["commit"] = look.state.commit();
      d["last_index"] = look.state.last_index();
      out.append(d);
    }
    return out;
  }

  // The first step at which an invariant of spec/Raft.tla broke, and what
  // broke, or None.
  py::object first_violation() {
    replay_.seek(0);
    while (!replay_.done()) {
      replay_.next();
      if (replay_.violation()) return py::make_tuple(replay_.step(), *replay_.violation());
    }
    return py::none();
  }

  void save_html(const std::string& path, const std::string& title) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write the replay to " + path);
    viz::PlayerOptions options;
    options.title = title;
    unwrap(viz::write_player(replay_, views_, graphviz(), options, out));
    out.close();
    if (!out) throw Error("cannot write the replay to " + path);
  }

 private:
  void seek(std::size_t step) {
    if (step > replay_.steps())
      throw Error("step " + std::to_string(step) + " is past the last step of this trace (" +
                  std::to_string(replay_.steps()) + ")");
    replay_.seek(step);
  }
  const viz::View& find_view(const std::string& id) const {
    std::vector<std::string> known;
    for (const auto& v : views_) {
      if (v->id() == id) return *v;
      known.push_back(v->id());
    }
    throw Error("no view '" + id + "': " + name_list(known));
  }

  viz::Replay replay_;
  std::vector<std::unique_ptr<viz::View>> views_;
};

}  // namespace

// json.loads, looked up once. Kept for the process's life on purpose: a
// static py::object would be released after the interpreter has finalized.
const py::object& json_loads() {
  static const auto* loads = new py::object(py::module_::import("json").attr("loads"));
  return *loads;
}

py::dict event_dict(const raft::pb::Event& event) {
  return json_loads()(raft::to_json_line(event));
}

py::object make_trace(std::vector<raft::pb::Event> events) {
  return py::cast(Trace{std::move(events)});
}

void bind_trace(py::module_& m) {
  py::class_<Svg>(m, "Svg", "An SVG picture; a notebook shows it inline.")
      .def("_repr_svg_", [](const Svg& s) { return s.text; })
      .def("__str__", [](const Svg& s) { return s.text; })
      .def_property_readonly("text", [](const Svg& s) { return s.text; })
      .def(
          "save",
          [](const Svg& s, const std::string& path) {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out << s.text;
            out.close();
            if (!out) throw Error("cannot write the picture to " + path);
          },
          py::arg("path"), "Writes the SVG to a file.");

  py::class_<Trace>(m, "Trace",
                    "A run's events in order (raft/trace.proto): every node's steps, the "
                    "network's and the clients'.")
      .def(py::init(
               [](const std::string& path) { return Trace{unwrap(viz::read_trace_file(path))}; }),
           py::arg("path"), "Reads a trace file (JSON lines, as etcetera-sim --trace writes).")
      .def("__len__", [](const Trace& t) { return t.events.size(); })
      .def(
          "__getitem__", [](const Trace& t, long k) { return event_dict(t.at(k)); },
          "The event as a dict, with the fields of its JSON line.")
      .def(
          "describe", [](const Trace& t, long k) { return raft::describe(t.at(k)); }, py::arg("k"),
          "One line saying what event k was.")
      .def("lines", &Trace::lines, "Every event as one line of text.")
      .def(
          "kinds",
          [](const Trace& t) {
            std::vector<std::string> out;
            for (const auto& e : t.events) {
              const auto* field = e.GetDescriptor()->FindFieldByNumber(e.kind_case());
              out.push_back(field ? field->name() : "");
            }
            return out;
          },
          "Each event's kind, as named in raft/trace.proto (\"role_changed\", ...).")
      .def("save", &Trace::save, py::arg("path"),
           "Writes the trace as JSON lines, which etcetera-viz reads.")
      .def(
          "replay", [](const Trace& t) { return ReplayHandle(t.events); },
          "A replay of this trace, to draw any step of it.");

  py::class_<ReplayHandle>(
      m, "Replay",
      "A trace walked one event at a time. Step k is the state after events 1..k; step 0 is "
      "the start.")
      .def_property_readonly("steps", &ReplayHandle::steps)
      .def_property_readonly("views", &ReplayHandle::view_ids,
                             "The views a step can be drawn with.")
      .def("svg", &ReplayHandle::svg, py::arg("step"), py::arg("view") = "cluster",
           "Draws step `step` with a view (\"cluster\", \"log\", \"spacetime\", \"locks\").")
      .def("dot", &ReplayHandle::dot, py::arg("step"), py::arg("view") = "cluster",
           "The Graphviz DOT text of that picture.")
      .def("describe", &ReplayHandle::describe, py::arg("step"),
           "What the event of step `step` did.")
      .def("tagged", &ReplayHandle::tagged, py::arg("tag"),
           "The steps the player tags with `tag`: election, commit, fault, note, lock, "
           "refused, violation.")
      .def("nodes", &ReplayHandle::nodes, py::arg("step"),
           "Every node's state after step `step`, as dicts.")
      .def("first_violation", &ReplayHandle::first_violation,
           "(step, invariant) where the spec first broke, or None.")
      .def("save_html", &ReplayHandle::save_html, py::arg("path"),
           py::arg("title") = "etcetera replay",
           "Writes the HTML player: one page that steps through the whole trace.");
}

}  // namespace etcetera::python
