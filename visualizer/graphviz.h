// Graphviz in process, through its C library: DOT text in, SVG or PNG bytes
// out. One context serves every frame (and every Graphviz object of the
// process: see graphviz.cc), so a replay of thousands of steps does not
// start thousands of `dot` processes. Not thread-safe, like libgvc itself.
#pragma once

#include <string>

#include "raft/error.h"

struct GVC_s;

namespace etcetera::viz {

class Graphviz {
 public:
  Graphviz();
  ~Graphviz();
  Graphviz(const Graphviz&) = delete;
  Graphviz& operator=(const Graphviz&) = delete;

  // Lays out `dot` with `engine` ("dot", "neato") and renders it as `format`
  // ("svg", "png", or "dot" for the laid-out DOT). A DOT syntax error or an
  // unknown engine or format is an error naming what Graphviz said.
  raft::Result<std::string> render(const std::string& dot, const std::string& engine,
                                   const std::string& format);

 private:
  GVC_s* context_;
};

}  // namespace etcetera::viz
