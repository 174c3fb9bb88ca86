// Nodes and graph queries of one project: /api/v1/projects/{name}/...
#include <nlohmann/json.hpp>

#include "actors/engine_json.hpp"
#include "actors/read_api.hpp"
#include "net/app/app.hpp"
#include "schema/client_json.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"
#include "schema/resolution_filter.hpp"

namespace cg::net {
namespace {

using json = nlohmann::json;

struct opened {
  std::optional<graph_query> q;
  std::optional<api_response> err;
};

opened open_project(app& a, const api_request& req) {
  opened o;
  const auto& name = req.params.at("name");
  auto id = a.eng().storage().project_id(name);
  if (!id.ok()) {
    o.err = error_response(404, "not_found", "no project " + name, req.request_id);
    return o;
  }
  // ?at=REF: the graph as it was at that version (3, head, head~1).
  if (req.has_query("at")) {
    auto& db = a.eng().storage();
    auto v = resolve_version(db, *id, req.query_value("at"));
    auto view = v.ok() ? db.as_of(*id, *v) : result<read_view>(v.err());
    if (!view.ok()) {
      auto code = view.err().code == errc::not_found ? 404 : 400;
      o.err = error_response(code, code == 404 ? "not_found" : "invalid_argument", "at: " + view.err().message,
                             req.request_id);
      return o;
    }
    o.q.emplace(*view, *id);
    return o;
  }
  o.q.emplace(a.eng().storage().latest(), *id);
  return o;
}

std::optional<uint32_t> project_of(app& a, const api_request& req, std::optional<api_response>& err) {
  const auto& name = req.params.at("name");
  auto id = a.eng().storage().project_id(name);
  if (!id.ok()) {
    err = error_response(404, "not_found", "no project " + name, req.request_id);
    return std::nullopt;
  }
  return *id;
}

std::optional<node_id> parse_node_id(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  node_id v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<node_id>(d);
  }
  return v;
}

// A bounded integer query value.
bool int_param(const api_request& req, const char* name, long lo, long hi, long& out, std::string& err) {
  if (!req.has_query(name)) return true;
  auto v = req.query_value(name);
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) {
    err = std::string(name) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    return false;
  }
  out = n;
  return true;
}

bool edge_kinds(const api_request& req, std::vector<edge_kind>& out, std::string& err) {
  for (const auto& k : req.query_values("kinds")) {
    auto e = parse_edge_kind(k);
    if (!e) {
      err = "unknown edge kind '" + k + "'";
      return false;
    }
    out.push_back(*e);
  }
  return true;
}

json neighbors_json(const std::vector<neighbor>& ns) {
  json arr = json::array();
  for (const auto& n : ns)
    arr.push_back({{"depth", n.depth}, {"edge", to_json(n.via)}, {"node", n.n ? to_json(*n.n) : json(nullptr)}});
  return arr;
}

api_reply get_node(app& a, api_request& req) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  auto id = parse_node_id(req.params.at("id"));
  if (!id) return bad_request(req, "a node id is 16 hex digits");
  auto n = o.q->get(*id);
  if (!n.ok()) return error_of(req, n.err());
  if (!*n) return error_response(404, "not_found", "no node " + req.params.at("id"), req.request_id);
  return ok_json(node_json_text(**n));
}

api_reply list_nodes(app& a, api_request& req) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  std::string err;
  long limit = 100;
  if (!int_param(req, "limit", 1, 1000, limit, err)) return bad_request(req, err);
  std::vector<node_kind> kinds;
  std::vector<language> langs;
  for (const auto& k : req.query_values("kind")) {
    auto v = parse_node_kind(k);
    if (!v) return bad_request(req, "unknown kind '" + k + "'");
    kinds.push_back(*v);
  }
  for (const auto& l : req.query_values("lang")) {
    auto v = parse_language(l);
    if (!v) return bad_request(req, "unknown language '" + l + "'");
    langs.push_back(*v);
  }
  auto file = req.query_value("file");
  auto name = req.query_value("name");
  node_id after = 0;
  if (req.has_query("cursor")) {
    auto c = parse_node_id(req.query_value("cursor"));
    if (!c) return bad_request(req, "cursor must be the next_cursor of a previous page");
    after = *c;
  }
  auto keep = [&](const node& n) {
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), n.kind) == kinds.end()) return false;
    if (!langs.empty() && std::find(langs.begin(), langs.end(), n.lang) == langs.end()) return false;
    if (!file.empty() && n.file != file) return false;
    if (!name.empty() && n.name != name) return false;
    return true;
  };
  node_id next = 0;
  auto nodes = o.q->list_nodes(after, static_cast<size_t>(limit), keep, &next);
  if (!nodes.ok()) return error_of(req, nodes.err());
  json arr = json::array();
  for (const auto& n : *nodes) arr.push_back(to_json(n));
  json j = {{"nodes", arr}, {"next_cursor", next ? json(format_id(next)) : json(nullptr)}};
  return ok_json(j.dump());
}

api_reply walk(app& a, api_request& req, bool reverse, std::vector<edge_kind> default_kinds) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  auto id = parse_node_id(req.params.at("id"));
  if (!id) return bad_request(req, "a node id is 16 hex digits");
  std::string err;
  long depth = 1, limit = 200;
  if (!int_param(req, "depth", 1, 10, depth, err) || !int_param(req, "limit", 1, 10000, limit, err))
    return bad_request(req, err);
  std::vector<edge_kind> kinds;
  if (!edge_kinds(req, kinds, err)) return bad_request(req, err);
  if (kinds.empty()) kinds = std::move(default_kinds);
  auto filter = resolution_filter::parse(req.query_value("resolution"));
  if (!filter.ok()) return bad_request(req, filter.err().message);
  auto start = o.q->get(*id);
  if (!start.ok()) return error_of(req, start.err());
  if (!*start) return error_response(404, "not_found", "no node " + req.params.at("id"), req.request_id);
  auto key = "walk:" + req.params.at("name") + ":" + req.target;
  if (auto hit = a.cache().get(key)) return ok_json(*hit);
  auto r = reverse ? o.q->incoming(*id, kinds, static_cast<int>(depth), static_cast<size_t>(limit))
                   : o.q->outgoing(*id, kinds, static_cast<int>(depth), static_cast<size_t>(limit));
  if (!r.ok()) return error_of(req, r.err());
  std::erase_if(*r, [&](const auto& nb) { return !filter->admits(nb.via.how); });
  auto body = json({{"node", to_json(**start)}, {"results", neighbors_json(*r)}}).dump();
  a.cache().put(req.params.at("name"), key, body);
  return ok_json(body);
}

api_reply find_path(app& a, api_request& req) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  auto from = parse_node_id(req.query_value("from")), to = parse_node_id(req.query_value("to"));
  if (!from || !to) return bad_request(req, "from and to must be node ids (16 hex digits)");
  std::string err;
  long depth = 6;
  if (!int_param(req, "max_depth", 1, 20, depth, err)) return bad_request(req, err);
  std::vector<edge_kind> kinds;
  if (!edge_kinds(req, kinds, err)) return bad_request(req, err);
  for (auto id : {*from, *to}) {
    auto n = o.q->get(id);
    if (!n.ok()) return error_of(req, n.err());
    if (!*n) return error_response(404, "not_found", "no node " + format_id(id), req.request_id);
  }
  auto p = o.q->path(*from, *to, kinds, static_cast<int>(depth));
  if (!p.ok()) return error_of(req, p.err());
  json edges = json::array(), nodes = json::array();
  std::vector<node_id> ids{*from};
  for (const auto& e : *p) {
    edges.push_back(to_json(e));
    ids.push_back(e.target);
  }
  if (!p->empty() || *from == *to) {
    auto ns = o.q->get_many(ids);
    if (!ns.ok()) return error_of(req, ns.err());
    for (const auto& n : *ns) nodes.push_back(to_json(n));
  }
  bool found = !p->empty() || *from == *to;
  return ok_json(json({{"found", found}, {"length", p->size()}, {"nodes", nodes}, {"edges", edges}}).dump());
}

api_reply outline(app& a, api_request& req) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  auto path = req.query_value("path");
  if (path.empty()) return bad_request(req, "path (a file of the project) is required");
  auto f = o.q->file(path);
  if (!f.ok()) return error_of(req, f.err());
  if (!*f) return error_response(404, "not_found", "no file " + path + " in the project", req.request_id);
  auto ns = o.q->outline(path);
  if (!ns.ok()) return error_of(req, ns.err());
  json arr = json::array();
  for (const auto& n : *ns) arr.push_back(to_json(n));
  return ok_json(json({{"file", to_json(**f)}, {"nodes", arr}}).dump());
}

api_reply files(app& a, api_request& req) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  auto fs = o.q->files();
  if (!fs.ok()) return error_of(req, fs.err());
  json arr = json::array();
  for (const auto& f : *fs) arr.push_back(to_json(f));
  return ok_json(json({{"files", arr}}).dump());
}

api_reply file_deps(app& a, api_request& req, bool reverse) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  auto path = req.query_value("path");
  if (path.empty()) return bad_request(req, "path (a file of the project) is required");
  std::string err;
  long depth = 1;
  if (!int_param(req, "depth", 1, 10, depth, err)) return bad_request(req, err);
  auto r = o.q->file_dependencies(path, static_cast<int>(depth), reverse);
  if (!r.ok()) return error_of(req, r.err());
  json arr = json::array();
  for (const auto& d : *r) {
    json kinds = json::object();
    for (auto [k, n] : d.kinds) kinds[std::string(to_string(k))] = n;
    arr.push_back({{"path", d.path}, {"depth", d.depth}, {"edges", kinds}});
  }
  return ok_json(json({{"file", path}, {"files", arr}}).dump());
}

api_reply project_stats(app& a, api_request& req) {
  auto o = open_project(a, req);
  if (o.err) return *o.err;
  return ok_json(stats_json(o.q->stats()).dump());
}

// GET /versions: every version, oldest first.
api_reply list_versions(app& a, api_request& req) {
  std::optional<api_response> err;
  auto id = project_of(a, req, err);
  if (!id) return *err;
  auto all = a.eng().storage().versions(*id);
  if (!all.ok()) return error_of(req, all.err());
  json arr = json::array();
  for (const auto& v : *all) arr.push_back(to_json(v));
  return ok_json(json({{"project", req.params.at("name")}, {"versions", arr}}).dump());
}

// GET /versions/{v}: one version (a number, head, head~N).
api_reply get_version(app& a, api_request& req) {
  std::optional<api_response> err;
  auto id = project_of(a, req, err);
  if (!id) return *err;
  auto& db = a.eng().storage();
  auto v = resolve_version(db, *id, req.params.at("version"));
  if (!v.ok()) return error_of(req, v.err());
  auto rec = db.version(*id, *v);
  if (!rec.ok()) return error_of(req, rec.err());
  return ok_json(to_json(*rec).dump());
}

// A big diff as NDJSON (Accept: application/x-ndjson or ?stream=ndjson): computed as it
// is sent (stream_diff: a piece of the changed keys at a time), never the whole
// document in memory. {"type":"diff", from, to}, then {"type":"node", ...} per
// definition and {"type":"edge", ...} per edge as they are found, {"type":"file", path,
// ...} per file, and {"type":"end", nodes, edges, total} last. A reader that goes away
// stops the comparison.
api_reply diff_stream(app& a, uint32_t proj, uint64_t from, uint64_t to) {
  stream_reply s;
  s.content_type = "application/x-ndjson";
  s.headers = {{"Cache-Control", "no-cache"}};
  s.produce = [&a, proj, from, to](std::shared_ptr<stream_sink> out) {
    auto line = [&](json j) { return out->write(j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"); };
    size_t nodes = 0, edges = 0;
    json head = {{"type", "diff"}, {"from", from}, {"to", to}};
    if (from == layer_base_version)  // a layer from its base: that version, of the project under it
      if (auto l = describe_layer(a.eng().storage(), proj)) head.update({{"from", l->version}, {"over", l->over}});
    bool going = line(head);
    diff_sink sink;
    sink.node = [&](node_change&& c) {
      auto j = to_json(c);
      j["type"] = "node";
      ++nodes;
      return going = going && line(std::move(j));
    };
    sink.edge = [&](edge_change&& c) {
      auto j = to_json(c);
      j["type"] = "edge";
      ++edges;
      return going = going && line(std::move(j));
    };
    auto totals = going ? stream_diff(a.eng().storage(), proj, from, to, sink) : result<diff_totals>(diff_totals{});
    if (!totals.ok()) {
      line({{"type", "error"}, {"error", {{"code", to_string(totals.err().code)}, {"message", totals.err().message}}}});
    } else if (going && !totals->stopped) {
      version_diff whole;
      whole.files = std::move(totals->files);
      whole.total = totals->total;
      auto j = to_json(whole);
      for (auto it = j["files"].begin(); going && it != j["files"].end(); ++it) {
        auto f = it.value();
        f["type"] = "file";
        f["path"] = it.key();
        going = line(std::move(f));
      }
      if (going) line({{"type", "end"}, {"nodes", nodes}, {"edges", edges}, {"total", j["total"]}});
    }
    out->close();
  };
  return s;
}

// GET /versions/{from}/diff/{to}: what changed; to "working" is the newest state.
api_reply diff_route(app& a, api_request& req) {
  std::optional<api_response> err;
  auto id = project_of(a, req, err);
  if (!id) return *err;
  auto& db = a.eng().storage();
  auto from = resolve_version(db, *id, req.params.at("version"));
  if (!from.ok()) return error_of(req, from.err());
  uint64_t to = 0;
  if (const auto& t = req.params.at("to"); t != "working") {
    auto v = resolve_version(db, *id, t);
    if (!v.ok()) return error_of(req, v.err());
    to = *v;
  }
  if (stream_format(req) == "ndjson") return diff_stream(a, *id, *from, to);
  auto d = diff_versions(db, *id, *from, to);
  if (!d.ok()) return error_of(req, d.err());
  return ok_json(to_json(*d).dump(-1, ' ', false, json::error_handler_t::replace));
}

// GET /nodes/{id}/blame: the versions that created the node and last changed its text.
api_reply blame_route(app& a, api_request& req) {
  std::optional<api_response> err;
  auto id = project_of(a, req, err);
  if (!id) return *err;
  node_id nid = 0;
  if (!parse_id(req.params.at("id"), nid)) return bad_request(req, "a node id is 16 hex digits");
  auto& db = a.eng().storage();
  auto b = blame_node(db, *id, nid);
  if (!b.ok()) return error_of(req, b.err());
  return ok_json(to_json(*b, db, *id).dump());
}

// GET /refs: the project's tags and branches.
api_reply list_refs(app& a, api_request& req) {
  std::optional<api_response> err;
  auto id = project_of(a, req, err);
  if (!id) return *err;
  auto refs = named_refs_json(a.eng().storage(), *id);
  if (!refs.ok()) return error_of(req, refs.err());
  return ok_json(json({{"project", req.params.at("name")}, {"refs", *refs}}).dump());
}

// PUT /refs/{tag|branch}/{name} {"version": REF, "force": bool}: name a version (a
// tag stays where it is unless forced); DELETE removes the name.
api_reply set_ref(app& a, api_request& req, bool remove) {
  std::optional<api_response> err;
  auto id = project_of(a, req, err);
  if (!id) return *err;
  const auto& kind = req.params.at("kind");
  const auto& name = req.params.at("ref");
  auto& db = a.eng().storage();
  if (remove) {
    auto was = delete_named_ref(db, *id, kind, name);
    if (!was.ok()) return error_of(req, was.err());
    a.audit(req, "ref.delete", req.params.at("name") + " " + kind + "/" + name);
    return ok_json(json({{"deleted", name}, {"kind", kind}, {"version", *was}}).dump());
  }
  std::string ref = "head";
  bool force = false;
  if (!req.body.empty()) {
    auto body = parse_client_json(req.body);
    if (!body.ok()) return bad_request(req, body.err().message);
    if (!body->is_object()) return bad_request(req, "give {\"version\": REF}");
    if (body->contains("version")) {
      const auto& v = (*body)["version"];
      if (v.is_string())
        ref = v.get<std::string>();
      else if (v.is_number_unsigned())
        ref = std::to_string(v.get<uint64_t>());
      else
        return bad_request(req, "version is a number or a reference (head, head~1, a tag)");
    }
    force = body->value("force", false);
  }
  auto v = set_named_ref(db, *id, kind, name, ref, force);
  if (!v.ok()) return error_of(req, v.err());
  a.audit(req, "ref.set", req.params.at("name") + " " + kind + "/" + name + " " + std::to_string(*v));
  return ok_json(json({{"kind", kind}, {"name", name}, {"version", *v}}).dump());
}

}  // namespace

void register_graph_routes(app& a, router& r) {
  const std::string p = "/api/v1/projects/{name}";
  auto bind = [&a](api_reply (*fn)(app&, api_request&)) { return [&a, fn](api_request& req) { return fn(a, req); }; };
  r.bind("GET", p + "/nodes/{id}", bind(get_node), [&a](api_request& req) -> std::optional<api_reply> {
    if (req.has_query("at")) return std::nullopt;  // building the version's view may take a while
    return get_node(a, req);
  });
  r.bind("GET", p + "/nodes", bind(list_nodes));
  r.bind("GET", p + "/nodes/{id}/callers", [&a](api_request& req) {
    return walk(a, req, true, {edge_kind::calls, edge_kind::instantiates});
  });
  r.bind("GET", p + "/nodes/{id}/callees", [&a](api_request& req) {
    return walk(a, req, false, {edge_kind::calls, edge_kind::instantiates});
  });
  r.bind("GET", p + "/nodes/{id}/dependencies", [&a](api_request& req) { return walk(a, req, false, {}); });
  r.bind("GET", p + "/nodes/{id}/dependents", [&a](api_request& req) { return walk(a, req, true, {}); });
  r.bind("GET", p + "/path", bind(find_path));
  r.bind("GET", p + "/outline", bind(outline));
  r.bind("GET", p + "/files", bind(files));
  r.bind("GET", p + "/file-dependencies", [&a](api_request& req) { return file_deps(a, req, false); });
  r.bind("GET", p + "/file-dependents", [&a](api_request& req) { return file_deps(a, req, true); });
  r.bind("GET", p + "/stats", bind(project_stats));
  r.bind("GET", p + "/versions", bind(list_versions));
  r.bind("GET", p + "/versions/{version}", bind(get_version));
  r.bind("GET", p + "/versions/{version}/diff/{to}", bind(diff_route));
  r.bind("GET", p + "/nodes/{id}/blame", bind(blame_route));
  r.bind("GET", p + "/refs", bind(list_refs));
  r.bind("PUT", p + "/refs/{kind}/{ref}", [&a](api_request& req) { return set_ref(a, req, false); });
  r.bind("DELETE", p + "/refs/{kind}/{ref}", [&a](api_request& req) { return set_ref(a, req, true); });
}

}  // namespace cg::net
