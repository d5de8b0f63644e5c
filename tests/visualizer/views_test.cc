// The diagrams: each view draws what the replay holds, Graphviz accepts every
// diagram of a chaotic run, and the player packs them so that steps which
// change nothing a view draws share a frame.
#include <zlib.h>
#include <catch2/catch.hpp>
#include <sstream>

#include "raft/trace.h"
#include "sim/cluster.h"
#include "visualizer/cluster_view.h"
#include "visualizer/graphviz.h"
#include "visualizer/log_view.h"
#include "visualizer/player.h"
#include "visualizer/spacetime_view.h"

namespace {

namespace pb = etcetera::raft::pb;
namespace sim = etcetera::sim;
namespace viz = etcetera::viz;

// Three nodes elect a leader and commit one entry; then node 3 crashes, the
// network splits {1} from {2}, and a message from 1 to 2 is lost on the cut.
std::vector<pb::Event> story() {
  etcetera::raft::TraceBuffer trace;
  sim::Cluster c(sim::ClusterOptions{}, &trace);
  c.node(1).campaign();
  c.stabilize();
  REQUIRE(c.node(1).propose("x=1"));
  c.stabilize();
  c.crash(3);
  c.partition({{1}, {2}});
  REQUIRE(c.node(1).propose("x=2"));
  c.stabilize();
  return trace.take();
}

std::string inflate_gzip(const std::string& bytes) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(bytes.size() * 40 + 4096, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

// The step (1-based) of the first event `pick` accepts.
template <class Pick>
void seek_first(viz::Replay& r, Pick pick) {
  r.seek(0);
  while (!r.done()) {
    r.next();
    if (pick(r.event())) return;
  }
  FAIL("no such event");
}

}  // namespace

TEST_CASE("the cluster view shows roles, the crashed node, the partition and the lost message",
          "[visualizer]") {
  viz::Replay r(story());
  viz::ClusterView view;

  seek_first(
      r, [](const pb::Event& e) { return e.has_role_changed() && e.state().role() == pb::LEADER; });
  std::string dot = view.dot(r);
  CHECK_THAT(dot, Catch::Contains("Leader · term 1"));
  CHECK_THAT(dot, Catch::Contains("n1 [id=\"node1\""));

  seek_first(r, [](const pb::Event& e) { return e.has_message_lost(); });
  dot = view.dot(r);
  CHECK(r.fate() == viz::MessageFate::kLost);
  CHECK_THAT(dot, Catch::Contains("crashed"));
  CHECK_THAT(dot, Catch::Contains("rounded,filled,dashed"));  // node 3, greyed out
  CHECK_THAT(dot, Catch::Contains("partition group 1"));
  CHECK_THAT(dot, Catch::Contains("lost: "));
  CHECK_THAT(dot, Catch::Contains("arrowhead=tee"));
}

TEST_CASE("the log view fills committed entries and frames the ones a step appended",
          "[visualizer]") {
  viz::Replay r(story());
  viz::LogView view;
  seek_first(r, [](const pb::Event& e) { return e.node() == 2 && e.has_entries_appended(); });
  const std::string fresh = view.dot(r);
  CHECK_THAT(fresh, Catch::Contains("BORDER=\"3\""));  // the entries node 2 just appended
  r.seek(r.steps());
  const std::string end = view.dot(r);
  CHECK_THAT(end, Catch::Contains("node 3 (down)"));
  CHECK_THAT(end, Catch::Contains("commit 2"));
}

TEST_CASE("one space-time diagram serves a window of steps and marks each step in it",
          "[visualizer]") {
  viz::Replay r(story());
  viz::SpacetimeView view;
  REQUIRE(r.steps() > viz::SpacetimeView::kWindow);
  r.seek(1);
  const std::string first = view.dot(r);
  r.seek(viz::SpacetimeView::kWindow);
  CHECK(view.dot(r) == first);
  CHECK(view.mark(r) == "ev" + std::to_string(viz::SpacetimeView::kWindow));
  CHECK_THAT(first,
             Catch::Contains("id=\"ev" + std::to_string(viz::SpacetimeView::kWindow) + "\""));
  r.next();
  CHECK(view.dot(r) != first);
}

TEST_CASE("Graphviz draws every diagram of the story, and refuses broken DOT with its reason",
          "[visualizer]") {
  viz::Replay r(story());
  viz::Graphviz graphviz;
  const auto views = viz::standard_views();
  while (!r.done()) {
    r.next();
    for (const auto& v : views) {
      const std::string dot = v->dot(r);
      if (dot.empty()) continue;
      auto svg = graphviz.render(dot, v->engine(), "svg");
      INFO("step " << r.step() << " view " << v->id());
      REQUIRE(svg);
      REQUIRE(svg->find("<svg") != std::string::npos);
    }
  }
  auto broken = graphviz.render("digraph { a -> }", "dot", "svg");
  REQUIRE_FALSE(broken);
  CHECK_THAT(broken.error().message, Catch::StartsWith("graphviz: cannot read the DOT"));
  // A label Graphviz cannot parse is an error too, not a picture without it.
  auto bad_label = graphviz.render("digraph { a [label=<<B>x</I>>] }", "dot", "svg");
  REQUIRE_FALSE(bad_label);
  auto png = graphviz.render("digraph { a -> b }", "dot", "png");
  REQUIRE(png);
  CHECK(png->substr(1, 3) == "PNG");
}

TEST_CASE("the player page carries every step and shares frames between steps", "[visualizer]") {
  viz::Replay r(story());
  viz::Graphviz graphviz;
  std::ostringstream page;
  viz::PlayerOptions options;
  options.title = "a <small> story";
  auto stats = viz::write_player(r, viz::standard_views(), graphviz, options, page);
  REQUIRE(stats);
  CHECK(stats->steps == r.steps());
  CHECK(stats->frames < 3 * r.steps());  // shared where nothing drawn changed
  CHECK(stats->first_violation == 0);
  const std::string html = page.str();
  for (const char* marker : {"<!--STYLE-->", "<!--SCRIPT-->", "<!--DATA-->", "@TITLE@"})
    CHECK(html.find(marker) == std::string::npos);
  CHECK(html.find("<title>a &lt;small&gt; story</title>") != std::string::npos);
  CHECK(html.find("http://") == std::string::npos);  // nothing to fetch
  CHECK(html.find("https://") == std::string::npos);

  const std::string open = "<script id=\"etcetera-data\" type=\"application/octet-stream\">";
  const auto at = html.find(open);
  REQUIRE(at != std::string::npos);
  const auto end = html.find("</script>", at);
  const std::string b64 = html.substr(at + open.size(), end - at - open.size());
  // Decode base64 by hand: the test must not trust the writer's own encoder.
  std::string bytes;
  unsigned buffer = 0;
  int bits = 0;
  const std::string table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (char ch : b64) {
    const auto v = table.find(ch);
    if (v == std::string::npos) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  const std::string json = inflate_gzip(bytes);
  CHECK_THAT(json,
             Catch::StartsWith("{\"title\":\"a <small> story\",\"views\":[{\"id\":\"cluster\""));
  CHECK_THAT(json, Catch::Contains("\"tags\":[\"election\"]"));
  CHECK_THAT(json, Catch::Contains("\"tags\":[\"commit\"]"));
  CHECK_THAT(json, Catch::Contains("\"tags\":[\"fault\"]"));
  CHECK_THAT(json, Catch::Contains("\"mark\":\"ev1\""));
}
