#include "visualizer/player.h"

#include <unordered_map>

#include <zlib.h>

#include "raft/describe.h"
#include "raft/trace.h"
#include "visualizer/dot_style.h"
#include "visualizer/player_assets.h"

namespace etcetera::viz {
namespace {

using raft::pb::Event;

std::string json(const std::string& s) {
  std::string out;
  raft::append_json_string(out, s);
  return out;
}

void replace_all(std::string& text, const std::string& marker, const std::string& with) {
  for (std::size_t at = text.find(marker); at != std::string::npos;
       at = text.find(marker, at + with.size()))
    text.replace(at, marker.size(), with);
}

// Graphviz starts its SVG with an XML declaration and a DOCTYPE, which
// cannot sit inside an HTML page; the <svg> element is all the page needs.
// Its comments and the <title> of every element (the DOT names: "n1",
// "p12_3") only weigh the page down: a long replay holds thousands of frames.
std::string inline_svg(const std::string& svg) {
  const auto start = svg.find("<svg");
  std::string out;
  out.reserve(svg.size());
  for (std::size_t i = start == std::string::npos ? 0 : start; i < svg.size();) {
    if (svg.compare(i, 4, "<!--") == 0) {
      const auto end = svg.find("-->", i);
      if (end == std::string::npos) break;
      i = end + 3;
      if (i < svg.size() && svg[i] == '\n') ++i;
    } else if (svg.compare(i, 7, "<title>") == 0) {
      const auto end = svg.find("</title>", i);
      if (end == std::string::npos) break;
      i = end + 8;
      if (i < svg.size() && svg[i] == '\n') ++i;
    } else {
      out += svg[i++];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> step_tags(const Replay& r) {
  std::vector<std::string> tags;
  const Event& e = r.event();
  switch (e.kind_case()) {
    case Event::kRoleChanged:
      if (e.role_changed().to() == raft::pb::CANDIDATE || e.role_changed().to() == raft::pb::LEADER)
        tags.push_back("election");
      break;
    case Event::kCommitAdvanced:
      tags.push_back("commit");
      break;
    case Event::kNodeCrashed:
    case Event::kNetworkPartitioned:
    case Event::kNetworkHealed:
    case Event::kMessageLost:
      tags.push_back("fault");
      break;
    case Event::kStarted:
      if (r.restarted()) tags.push_back("fault");
      break;
    case Event::kNote:
      tags.push_back("note");
      break;
    case Event::kLockAcquired:
    case Event::kLockReleased:
      tags.push_back("lock");
      break;
    case Event::kClientPaused:
    case Event::kLeaseEnded:
      tags.push_back("fault");
      break;
    case Event::kResourceWritten:
      if (!e.resource_written().accepted()) tags.push_back("refused");
      break;
    default:
      break;
  }
  if (r.violation()) tags.push_back("violation");
  return tags;
}

const std::vector<std::string>& step_tag_names() {
  static const std::vector<std::string> names = {"election", "commit",  "fault",    "note",
                                                 "lock",     "refused", "violation"};
  return names;
}

std::string gzip(const std::string& bytes) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    raft::raft_fatal("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (status != Z_STREAM_END) raft::raft_fatal("zlib: deflate did not finish");
  return out;
}

raft::Result<PlayerStats> write_player(Replay& r, const std::vector<std::unique_ptr<View>>& views,
                                       Graphviz& graphviz, const PlayerOptions& options,
                                       std::ostream& out) {
  PlayerStats stats;
  std::unordered_map<std::string, std::size_t> frame_of;  // DOT text -> frame number
  std::string frames;
  // Per step: its text and tags, then its frame in each view (-1: none).
  // Views that never draw (the lock view of a trace without locks) get no
  // panel at all, so the frames are joined only once every step is known.
  std::vector<std::string> step_heads;
  std::vector<std::vector<long>> step_frames;
  std::vector<std::string> step_marks;
  std::vector<bool> drew(views.size(), false);
  r.seek(0);
  while (!r.done()) {
    r.next();
    std::vector<long> frame_in(views.size(), -1);
    std::string mark;
    for (std::size_t v = 0; v < views.size(); ++v) {
      const auto& view = views[v];
      const std::string dot = view->dot(r);
      long frame = -1;
      if (!dot.empty()) {
        auto [it, fresh] = frame_of.try_emplace(view->engine() + "\n" + dot, frame_of.size());
        if (fresh) {
          auto svg = graphviz.render(dot, view->engine(), "svg");
          if (!svg)
            return raft::fail(svg.error().code, "step " + std::to_string(r.step()) + ", view " +
                                                    view->id() + ": " + svg.error().message);
          frames += (frames.empty() ? "" : ",") + json(inline_svg(*svg));
        }
        frame = static_cast<long>(it->second);
        drew[v] = true;
      }
      frame_in[v] = frame;
      if (mark.empty()) mark = view->mark(r);
    }
    const Event& e = r.event();
    std::string tags;
    for (const auto& t : step_tags(r))
      tags += (tags.empty() ? "" : ",") + json(t);
    std::string text =
        (e.node() ? "node " + std::to_string(e.node()) + " " : "") + raft::describe(e);
    if (r.violation()) {
      text += " — INVARIANT VIOLATED " + *r.violation();
      if (stats.first_violation == 0) stats.first_violation = r.step();
    }
    step_heads.push_back("{\"time\":" + std::to_string(e.time()) +
                         ",\"node\":" + std::to_string(e.node()) +
                         ",\"action\":" + json(e.action()) + ",\"text\":" + json(text) +
                         ",\"tags\":[" + tags + "]");
    step_frames.push_back(std::move(frame_in));
    step_marks.push_back(mark);
    if (options.progress && (r.step() % 500 == 0 || r.done()))
      options.progress(r.step(), r.steps());
  }
  std::string steps;
  for (std::size_t k = 0; k < step_heads.size(); ++k) {
    std::string list;
    for (std::size_t v = 0; v < views.size(); ++v)
      if (drew[v]) list += (list.empty() ? "" : ",") + std::to_string(step_frames[k][v]);
    steps += (k == 0 ? "" : ",\n") + step_heads[k] + ",\"frames\":[" + list + "]" +
             (step_marks[k].empty() ? "" : ",\"mark\":" + json(step_marks[k])) + "}";
  }
  std::string view_list;
  for (std::size_t v = 0; v < views.size(); ++v) {
    if (!drew[v]) continue;
    view_list += (view_list.empty() ? "" : ",") + std::string("{\"id\":") + json(views[v]->id()) +
                 ",\"title\":" + json(views[v]->title()) + "}";
  }
  const std::string data = "{\"title\":" + json(options.title) + ",\"views\":[" + view_list +
                           "],\"frames\":[" + frames + "],\"steps\":[" + steps + "]}";

  std::string page(kPlayerHtml);
  replace_all(page, "<!--STYLE-->", "<style>\n" + std::string(kPlayerCss) + "</style>");
  replace_all(page, "<!--DATA-->",
              "<script id=\"etcetera-data\" type=\"application/octet-stream\">" +
                  raft::base64(gzip(data)) + "</script>");
  replace_all(page, "<!--SCRIPT-->", "<script>\n" + std::string(kPlayerJs) + "</script>");
  replace_all(page, "@TITLE@", html_escape(options.title));
  out << page;
  if (!out) return raft::fail(raft::Error::Code::kInvalidArgument, "cannot write the page");

  stats.steps = r.steps();
  stats.frames = frame_of.size();
  stats.json_bytes = data.size();
  stats.page_bytes = page.size();
  return stats;
}

}  // namespace etcetera::viz
