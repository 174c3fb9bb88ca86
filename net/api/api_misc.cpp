// Health, metrics, POST /api/v1/parse, and the GET answers of the WebSocket paths.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "actors/read_api.hpp"
#include "net/app/app.hpp"
#include "schema/client_json.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"

namespace cg::net {
namespace {

using json = nlohmann::json;

// A path relative to a project root that stays inside it (no absolute paths, no ..,
// no symlink leading out). The canonical absolute path.
result<std::string> inside_root(const std::string& root, const std::string& rel) {
  namespace fs = std::filesystem;
  if (rel.empty()) return make_error(errc::invalid_argument, "a path is required");
  // The file system stops at a NUL: "a.py\0.txt" would open a.py.
  if (rel.find('\0') != std::string::npos) return make_error(errc::invalid_argument, "the path holds a NUL byte");
  fs::path p(rel);
  if (p.is_absolute()) return make_error(errc::invalid_argument, "the path must be relative to the project root");
  for (const auto& part : p)
    if (part == "..") return make_error(errc::invalid_argument, "the path must not contain ..");
  std::error_code ec;
  auto canon_root = fs::canonical(root, ec);
  if (ec) return make_error(errc::not_found, "the project root is gone: " + root);
  auto full = fs::canonical(canon_root / p, ec);
  if (ec) return make_error(errc::not_found, "no such file: " + rel);
  auto r = canon_root.string(), f = full.string();
  if (!f.starts_with(r + "/")) return make_error(errc::invalid_argument, "the path leads outside the project root");
  if (!fs::is_regular_file(full, ec)) return make_error(errc::invalid_argument, "not a regular file: " + rel);
  return f.substr(r.size() + 1);
}

json extract_json(const parse_outcome& o) {
  json nodes = json::array(), edges = json::array(), refs = json::array(), imports = json::array();
  for (const auto& n : o.extract.nodes) nodes.push_back(to_json(n));
  for (const auto& e : o.extract.contains) edges.push_back(to_json(e));
  for (const auto& r : o.extract.refs.refs)
    refs.push_back({{"source", format_id(r.source)},
                    {"kind", to_string(r.kind)},
                    {"name", r.name},
                    {"qualifier", r.qualifier},
                    {"line", r.site.line}});
  for (const auto& i : o.extract.refs.imports)
    imports.push_back({{"source", format_id(i.source)}, {"module", i.module}, {"name", i.name}, {"alias", i.alias}});
  return {{"file", to_json(o.extract.record)},
          {"nodes", nodes},
          {"edges", edges},
          {"references", refs},
          {"imports", imports},
          {"parse_ms", o.parse_seconds * 1e3}};
}

api_reply parse(app& a, api_request& req) {
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return bad_request(req, parsed.err().message);
  auto& body = *parsed;
  if (!body.is_object()) return bad_request(req, "the body must be a JSON object");
  auto out = parse_for_api(a, req.who, body);
  if (!out.ok()) {
    if (out.err().code == errc::unsupported)
      return error_response(422, out.err().message.starts_with("binary") ? "binary" : "not_parsed", out.err().message,
                            req.request_id);
    return error_of(req, out.err());
  }
  return ok_json(extract_json(*out).dump());
}

}  // namespace

result<parse_outcome> parse_for_api(app& a, const principal& who, const nlohmann::json& body) {
  if (body.contains("path") && !body["path"].is_string())
    return make_error(errc::invalid_argument, "path must be a string");
  auto path = body.value("path", std::string());
  if (path.find('\0') != std::string::npos) return make_error(errc::invalid_argument, "the path holds a NUL byte");
  if (body.contains("source")) {
    if (!body["source"].is_string()) return make_error(errc::invalid_argument, "source must be a string");
    auto lang_name = body.value("language", std::string());
    language lang = language::unknown;
    if (!lang_name.empty()) {
      auto l = parse_language(lang_name);
      if (!l) return make_error(errc::invalid_argument, "unknown language '" + lang_name + "'");
      lang = *l;
    } else if (path.empty()) {
      return make_error(errc::invalid_argument, "give a language or a path (its extension names the language)");
    }
    auto src = body["source"].get<std::string>();
    if (src.find('\0') != std::string::npos)
      return make_error(errc::unsupported, "binary: the source holds NUL bytes, not text");
    auto out = parse_here(body.value("project", std::string("snippet")), path.empty() ? "snippet" : path, src, lang);
    if (out.kind == parse_result_kind::skipped || out.kind == parse_result_kind::failed)
      return make_error(errc::unsupported, out.reason);
    return out;
  }
  auto project = body.value("project", std::string());
  if (project.empty())
    return make_error(errc::invalid_argument, "give source (a snippet) or project and path (a file of a project)");
  if (auto d = authorize(who, operation::parse_file, project); !d.allowed)
    return make_error(errc::permission_denied, d.message);
  auto info = a.eng().storage().project_info(project);
  if (!info.ok()) return info.err();
  if (!*info) return make_error(errc::not_found, "no project " + project);
  auto root = json::parse(**info, nullptr, false).value("root", std::string());
  auto rel = inside_root(root, path);
  if (!rel.ok()) return rel.err();
  parse_job job;
  job.project = project;
  job.root = root;
  job.path = *rel;
  job.max_bytes = a.options().max_file_bytes;
  auto out = parse_here(job);
  if (out.kind == parse_result_kind::skipped || out.kind == parse_result_kind::failed)
    return make_error(errc::unsupported, out.reason);
  return out;
}

void register_misc_routes(app& a, router& r) {
  r.bind("GET", "/health/live", [](api_request&) -> api_reply { return ok_json(R"({"status":"live"})"); });
  // /health answers as /health/ready does (the design documents' clients ask it).
  for (const char* p : {"/health/ready", "/health"})
    r.bind("GET", p, [&a](api_request& req) -> api_reply {
      if (!a.ready()) return error_response(503, "not_ready", "indexes are loading", req.request_id);
      // The graph answers; each project's search state, as informational detail
      // (search works in every state: it catches up, or runs brute force while
      // its ANN index is built).
      // Only for callers who may read (a probe without a token learns no names).
      auto authz = req.header("authorization");
      if (authz.empty() && a.options().auth.enabled) return ok_json(R"({"status":"ready"})");
      auto who = a.authenticate(authz, "");
      if (!who.ok() || !who->may(role::reader)) return ok_json(R"({"status":"ready"})");
      req.who = *who;
      nlohmann::json search = nlohmann::json::array();
      for (const auto& s : a.eng().search_states())
        if (req.who.may_project(s.project))
          search.push_back({{"project", s.project},
                            {"state", s.state},
                            {"documents", s.documents},
                            {"index_building", s.index_building},
                            {"model_pending", s.model_pending}});
      return ok_json(nlohmann::json({{"status", "ready"}, {"search", search}}).dump());
    });
  r.bind("GET", "/metrics", [&a](api_request&) -> api_reply {
    api_response res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = a.stats().render();
    return res;
  });
  r.bind("POST", "/api/v1/parse", [&a](api_request& req) { return parse(a, req); });
  for (const char* p : {"/ws"})
    r.bind("GET", p, [](api_request& req) -> api_reply {
      auto res = error_response(426, "upgrade_required", "this path speaks WebSocket only", req.request_id);
      res.headers.emplace_back("Upgrade", "websocket");
      return res;
    });
}

}  // namespace cg::net
