// search_code, find_symbol, get_symbol, callers, callees, dependencies, dependents,
// trace_path, outline.
#include <fstream>
#include <functional>

#include "net/mcp/mcp_tools_internal.hpp"
#include "schema/hash.hpp"

namespace cg::mcp::catalog {
namespace {

double rounded(double x) { return static_cast<double>(static_cast<int64_t>(x * 1000 + (x < 0 ? -0.5 : 0.5))) / 1000; }

// Lines [first, last] (1-based) of the file under root, at most max_lines of them.
std::string source_lines(const std::string& root, const std::string& file, uint32_t first, uint32_t last,
                         size_t max_lines, bool& truncated) {
  std::ifstream in(root + "/" + file);
  std::string line, out;
  truncated = false;
  for (uint32_t n = 1; std::getline(in, line); ++n) {
    if (n < first) continue;
    if (n > last) break;
    if (n - first >= max_lines) {
      truncated = true;
      break;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

result<json> search_code(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::search);
  if (!p.ok()) return p.err();
  auto q = string_arg(args, "query", true);
  auto win = window_arg(args, 10, 100);
  auto kinds = kinds_arg(args);
  auto langs = languages_arg(args);
  auto path = string_arg(args, "path", false);
  auto at = string_arg(args, "at", false);
  if (!q.ok()) return q.err();
  if (!win.ok()) return win.err();
  if (!kinds.ok()) return kinds.err();
  if (!langs.ok()) return langs.err();
  if (!path.ok()) return path.err();
  if (!at.ok()) return at.err();
  search_request req;
  cx.h.search_defaults(req);
  req.project = p->name;
  req.query = *q;
  req.k = win->want();
  req.filters.kinds = *kinds;
  req.filters.languages = *langs;
  req.filters.path_glob = *path;
  req.at = *at;
  req.batch_size = req.k;
  json hits = json::array();
  auto st = cx.h.eng().search(req, [&](const search_batch& b) {
    for (const auto& h : b.hits)
      hits.push_back({{"id", format_id(h.id)},
                      {"name", h.qualified_name.empty() ? h.name : h.qualified_name},
                      {"kind", to_string(h.kind)},
                      {"file", h.file},
                      {"line", h.line},
                      {"score", rounded(h.score)}});
  });
  if (!st.ok()) return tool_error(st.err().message);
  return paged(cx, *p, "hits", std::move(hits), *win);
}

result<json> find_symbol(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read, true);
  if (!p.ok()) return p.err();
  auto name = string_arg(args, "name", true);
  if (!name.ok()) return name.err();
  auto exact = bool_arg(args, "exact", false);
  if (!exact.ok()) return exact.err();
  auto win = window_arg(args, 20, 200);
  if (!win.ok()) return win.err();
  auto kinds = kinds_arg(args);
  if (!kinds.ok()) return kinds.err();
  auto langs = languages_arg(args);
  if (!langs.ok()) return langs.err();
  symbol_query q;
  q.text = *name;
  q.fuzzy = !*exact;
  q.limit = win->want();
  q.kinds = *kinds;
  q.languages = *langs;
  auto found = p->query->find(q);
  if (!found.ok()) return found.err();
  json matches = json::array();
  for (const auto& m : *found) {
    auto b = brief(m.n);
    b["match"] = to_string(m.match);
    matches.push_back(std::move(b));
  }
  return paged(cx, *p, "matches", std::move(matches), *win);
}

result<json> get_symbol(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read, true);
  if (!p.ok()) return p.err();
  auto with_source = bool_arg(args, "source", true);
  if (!with_source.ok()) return with_source.err();
  auto max_lines = int_arg(args, "max_lines", 80, 1, 2000);
  if (!max_lines.ok()) return max_lines.err();
  auto t = target_arg(*p, args, "symbol", false);
  if (!t.ok()) return t.err();
  json symbols = json::array();
  for (const auto& n : t->nodes) {
    auto j = brief(n);
    j["lang"] = to_string(n.lang);
    j["lines"] = {n.span.start.line, n.span.end.line};
    if (!n.signature.empty()) j["signature"] = n.signature;
    if (!n.type_name.empty()) j["type"] = n.type_name;
    if (!n.docstring.empty()) j["doc"] = n.docstring;
    if (n.parent)
      if (auto parent = p->query->get(n.parent);
          parent.ok() && parent->has_value() && (*parent)->kind != node_kind::file)
        j["parent"] = (*parent)->qualified_name;
    // The text as the newest state has it: at an older version the file may differ.
    if (*with_source && !p->root.empty() && p->version == 0 && n.kind != node_kind::file) {
      bool cut = false;
      j["source"] =
          source_lines(p->root, n.file, n.span.start.line, n.span.end.line, static_cast<size_t>(*max_lines), cut);
      if (cut) j["truncated"] = true;
    }
    symbols.push_back(std::move(j));
  }
  return json{{"symbols", std::move(symbols)}, {"fresh", freshness(cx, *p)}};
}

namespace {

struct walk_request {
  int64_t depth = 1;
  window win;
};
result<walk_request> walk_args(const json& args) {
  auto depth = int_arg(args, "depth", 1, 1, 10);
  if (!depth.ok()) return depth.err();
  auto win = window_arg(args, 50, 500);
  if (!win.ok()) return win.err();
  return walk_request{*depth, *win};
}

// From each definition along edges of these kinds (empty: all but contains): the
// definitions walked from ({"targets"}) and each neighbour as encode gives it.
result<json> walk_from(const call_context& cx, const picked& p, const std::vector<node>& roots,
                       const std::vector<edge_kind>& kinds, const walk_request& w, bool reverse,
                       const std::function<json(const neighbor&)>& encode, json& results) {
  json targets = json::array();
  for (const auto& root : roots) {
    if (cx.stopped()) return make_error(errc::cancelled, "cancelled");
    targets.push_back(brief(root));
    auto depth = static_cast<int>(w.depth);
    auto res = reverse ? p.query->incoming(root.id, kinds, depth, w.win.want())
                       : p.query->outgoing(root.id, kinds, depth, w.win.want());
    if (!res.ok()) return res.err();
    for (const auto& nb : *res) {
      json r = nb.n ? brief(*nb.n) : json{{"name", nb.via.target_name}};
      r["d"] = nb.depth;
      auto extra = encode(nb);  // kept alive: items() is a view
      for (auto& [k, v] : extra.items()) r[k] = v;
      if (uncertain(nb.via.how)) r["how"] = to_string(nb.via.how);
      results.push_back(std::move(r));
    }
  }
  return targets;
}

}  // namespace

result<json> walk_calls(const call_context& cx, const json& args, bool callers) {
  auto p = pick_project(cx, args, net::operation::graph_read, true);
  if (!p.ok()) return p.err();
  auto w = walk_args(args);
  if (!w.ok()) return w.err();
  auto t = target_arg(*p, args, "symbol", false);
  if (!t.ok()) return t.err();
  json results = json::array();
  auto targets = walk_from(
      cx, *p, t->nodes, {edge_kind::calls, edge_kind::instantiates}, *w, callers,
      [callers](const neighbor& nb) {
        json r = {{"via", format_id(callers ? nb.via.target : nb.via.source)}};
        if (nb.via.kind != edge_kind::calls) r["edge"] = to_string(nb.via.kind);
        if (!nb.via.sites.empty()) r["at"] = nb.via.sites.front().line;
        return r;
      },
      results);
  if (!targets.ok()) return targets.err();
  auto out = paged(cx, *p, "results", std::move(results), w->win);
  out["targets"] = std::move(*targets);
  return out;
}

result<json> walk_deps(const call_context& cx, const json& args, bool dependents) {
  auto p = pick_project(cx, args, net::operation::graph_read, true);
  if (!p.ok()) return p.err();
  auto w = walk_args(args);
  if (!w.ok()) return w.err();
  auto t = target_arg(*p, args, "target", true);
  if (!t.ok()) return t.err();
  json results = json::array();
  if (t->file) {
    auto deps = p->query->file_dependencies(*t->file, static_cast<int>(w->depth), dependents);
    if (!deps.ok()) return deps.err();
    for (const auto& d : *deps) {
      json kinds = json::object();
      for (auto& [k, n] : d.kinds) kinds[std::string(to_string(k))] = n;
      results.push_back({{"file", d.path}, {"d", d.depth}, {"edges", std::move(kinds)}});
    }
    auto out = paged(cx, *p, "results", std::move(results), w->win);
    out["file"] = *t->file;
    return out;
  }
  auto targets = walk_from(
      cx, *p, t->nodes, {}, *w, dependents,
      [](const neighbor& nb) {
        return json{{"edge", to_string(nb.via.kind)}};
      },
      results);
  if (!targets.ok()) return targets.err();
  auto out = paged(cx, *p, "results", std::move(results), w->win);
  out["targets"] = std::move(*targets);
  return out;
}

result<json> trace_path(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read, true);
  if (!p.ok()) return p.err();
  auto max_depth = int_arg(args, "max_depth", 8, 1, 20);
  if (!max_depth.ok()) return max_depth.err();
  auto names = strings_arg(args, "kinds");
  if (!names.ok()) return names.err();
  std::vector<edge_kind> kinds;
  for (auto& k : *names) {
    auto ek = parse_edge_kind(k);
    if (!ek) return tool_error("unknown edge kind '" + k + "' (calls, imports, inherits, references, ...)");
    kinds.push_back(*ek);
  }
  auto from = target_arg(*p, args, "from", false);
  if (!from.ok()) return from.err();
  auto to = target_arg(*p, args, "to", false);
  if (!to.ok()) return to.err();
  // Of several definitions by those names, the first pair that connects.
  for (const auto& a : from->nodes)
    for (const auto& b : to->nodes) {
      if (cx.stopped()) return make_error(errc::cancelled, "cancelled");
      auto path = p->query->path(a.id, b.id, kinds, static_cast<int>(*max_depth));
      if (!path.ok()) return path.err();
      if (path->empty() && a.id != b.id) continue;
      json steps = json::array({brief(a)});
      for (const auto& e : *path) {
        auto n = p->query->get(e.target);
        json s = n.ok() && n->has_value() ? brief(**n) : json{{"id", format_id(e.target)}};
        s["edge"] = to_string(e.kind);
        if (uncertain(e.how)) s["how"] = to_string(e.how);
        steps.push_back(std::move(s));
      }
      return json{{"found", true}, {"path", std::move(steps)}, {"fresh", freshness(cx, *p)}};
    }
  return json{{"found", false}, {"path", json::array()}, {"fresh", freshness(cx, *p)}};
}

result<json> outline(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read, true);
  if (!p.ok()) return p.err();
  auto t = target_arg(*p, args, "file", true);
  if (!t.ok()) return t.err();
  if (!t->file) return tool_error("'" + args.value("file", std::string()) + "' is not an indexed file of " + p->name);
  auto nodes = p->query->outline(*t->file);
  if (!nodes.ok()) return nodes.err();
  // Depth from the parent chain within the file.
  std::unordered_map<node_id, int> depth;
  json symbols = json::array();
  for (const auto& n : *nodes) {
    if (n.kind == node_kind::file) {
      depth[n.id] = -1;
      continue;
    }
    int d = depth.count(n.parent) ? depth[n.parent] + 1 : 0;
    depth[n.id] = d;
    json j = {{"id", format_id(n.id)},
              {"name", n.name},
              {"kind", to_string(n.kind)},
              {"lines", {n.span.start.line, n.span.end.line}}};
    if (d > 0) j["d"] = d;
    if (!n.signature.empty()) j["signature"] = n.signature;
    symbols.push_back(std::move(j));
  }
  return json{{"file", *t->file}, {"symbols", std::move(symbols)}, {"fresh", freshness(cx, *p)}};
}

}  // namespace cg::mcp::catalog
