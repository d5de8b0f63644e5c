#include "visualizer/graphviz.h"

#include <gvc.h>

namespace etcetera::viz {
namespace {

// Graphviz reports errors through a callback, not a return value; the last
// message is kept here so that the caller gets it as an Error.
thread_local std::string last_error;

int keep_error(char* message) {
  last_error += message;
  return 0;
}

raft::Result<std::string> failure(const std::string& what) {
  std::string why = last_error;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
    why.pop_back();
  last_error.clear();
  return raft::fail(raft::Error::Code::kInvalidArgument,
                    "graphviz: " + what + (why.empty() ? "" : ": " + why));
}

// One context for the whole process, never freed. Graphviz 2.43's text
// layout plugin keeps a pointer to the last font name it measured, which
// belongs to the context's font cache: once a context is freed, the next
// context's first label reads freed memory (AddressSanitizer shows it). So
// the context outlives every Graphviz object; the OS reclaims it at exit.
GVC_t* shared_context() {
  static GVC_t* context = [] {
    agseterrf(keep_error);
    agseterr(AGERR);  // warnings (a label too wide for its node, ...) are not errors
    return gvContext();
  }();
  return context;
}

}  // namespace

Graphviz::Graphviz() : context_(shared_context()) {}

Graphviz::~Graphviz() = default;

raft::Result<std::string> Graphviz::render(const std::string& dot, const std::string& engine,
                                           const std::string& format) {
  last_error.clear();
  Agraph_t* graph = agmemread(dot.c_str());
  if (graph == nullptr) return failure("cannot read the DOT");
  if (gvLayout(context_, graph, engine.c_str()) != 0) {
    agclose(graph);
    return failure("layout engine '" + engine + "' failed");
  }
  char* data = nullptr;
  unsigned int length = 0;
  const int status = gvRenderData(context_, graph, format.c_str(), &data, &length);
  std::string out;
  if (status == 0 && data != nullptr) out.assign(data, length);
  if (data != nullptr) gvFreeRenderData(data);
  gvFreeLayout(context_, graph);
  agclose(graph);
  if (status != 0) return failure("cannot render as '" + format + "'");
  // Graphviz reports a bad label as an error yet still draws the graph,
  // without the label: a picture that silently lost its content.
  if (!last_error.empty()) return failure("the DOT has an error");
  return out;
}

}  // namespace etcetera::viz
