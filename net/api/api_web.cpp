// The dashboard (web/): its page at / and at every deep link, its built files under
// /app/, and the one supporting route it needs beside the GraphQL API: a source
// excerpt of a project's file, read within the project's root.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "net/app/app.hpp"

namespace cg::net {
namespace {

using nlohmann::json;

std::string web_dir(app& a) {
  return a.options().web_dir.empty() ? std::string(CODEGRAPH_DASHBOARD_DIR) : a.options().web_dir;
}

std::optional<std::string> read_all(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string out;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > limit) return std::nullopt;
  }
  return out;
}

struct web_file {
  const char* name;
  const char* type;
};
constexpr web_file files[] = {
    {"app.js", "application/javascript; charset=utf-8"},
    {"app.css", "text/css; charset=utf-8"},
    {"app.js.map", "application/json; charset=utf-8"},
};

api_reply page(app& a, const api_request& req) {
  auto body = read_all(web_dir(a) + "/index.html", 1 << 20);
  if (!body)
    return error_response(503, "unavailable",
                          "the dashboard is not built (cmake --build builds it from web/; [server] web_dir)",
                          req.request_id);
  api_response res;
  res.content_type = "text/html; charset=utf-8";
  res.body = std::move(*body);
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  return res;
}

// The content type of a file the dashboard's build makes: the bundle, its style sheet,
// esbuild's chunks (chunk-HASH.js, loaded on demand) and their source maps.
std::optional<std::string> web_type(const std::string& name) {
  for (const auto& f : files)
    if (name == f.name) return std::string(f.type);
  bool plain = name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                   std::string::npos &&
               name.find("..") == std::string::npos;
  if (!plain || !name.starts_with("chunk-")) return std::nullopt;
  if (name.ends_with(".js")) return std::string("application/javascript; charset=utf-8");
  if (name.ends_with(".js.map")) return std::string("application/json; charset=utf-8");
  return std::nullopt;
}

api_reply file(app& a, const api_request& req) {
  const auto& name = req.params.at("file");
  auto type = web_type(name);
  if (!type) return error_response(404, "not_found", "no file " + name, req.request_id);
  // The build compresses each file once (gzip -9): sent as is to a client that takes gzip.
  bool gzip = req.header("accept-encoding").find("gzip") != std::string::npos;
  std::optional<std::string> body;
  if (gzip) body = read_all(web_dir(a) + "/" + name + ".gz", 16 << 20);
  gzip = gzip && body.has_value();
  if (!body) body = read_all(web_dir(a) + "/" + name, 16 << 20);
  if (!body) return error_response(404, "not_found", "no file " + name + " (is the dashboard built?)", req.request_id);
  api_response res;
  res.content_type = *type;
  res.body = std::move(*body);
  if (gzip) res.headers.emplace_back("Content-Encoding", "gzip");
  res.headers.emplace_back("Vary", "Accept-Encoding");
  // Revalidated each load (the server is local; a rebuilt bundle shows at once).
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return res;
}

// GET /api/v1/projects/{name}/source?path=REL&start=N&end=M: lines N..M (at most 500)
// of a file of the project, resolved within the project's root (no symbolic link or
// .. leads out of it).
api_reply source(app& a, api_request& req) {
  const auto& name = req.params.at("name");
  auto info = a.eng().storage().project_info(name);
  if (!info.ok()) return error_of(req, info.err());
  if (!*info) return error_response(404, "not_found", "no project " + name, req.request_id);
  auto root = json::parse(**info, nullptr, false).value("root", std::string());
  if (root.empty()) return error_response(404, "not_found", "project " + name + " has no root", req.request_id);
  if (!req.has_query("path") || req.query_value("path").empty()) return bad_request(req, "path is required");
  auto rel = req.query_value("path");
  long start = 1, end = 0;
  auto number = [&](const char* key, long& out) {
    if (!req.has_query(key)) return true;
    auto v = req.query_value(key);
    char* e = nullptr;
    out = std::strtol(v.c_str(), &e, 10);
    return !v.empty() && *e == '\0' && out >= 1;
  };
  if (!number("start", start) || !number("end", end))
    return bad_request(req, "start and end are line numbers (1-based)");
  if (end == 0) end = start + 199;
  if (end < start) return bad_request(req, "end is before start");
  end = std::min(end, start + 499);
  namespace fs = std::filesystem;
  std::error_code ec;
  auto base = fs::canonical(root, ec);
  if (ec) return error_response(404, "not_found", "the project's root is gone: " + root, req.request_id);
  auto full = fs::weakly_canonical(base / fs::path(rel), ec);
  auto within = full.string().starts_with(base.string() + "/");
  if (ec || !within || fs::path(rel).is_absolute()) return bad_request(req, "path must be a file within the project");
  if (!fs::is_regular_file(full, ec))
    return error_response(404, "not_found", "no file " + rel + " in project " + name, req.request_id);
  auto text = read_all(full.string(), size_t{16} << 20);
  if (!text) return error_response(413, "too_large", "the file is larger than 16 MiB", req.request_id);
  json lines = json::array();
  long line = 1;
  size_t at = 0;
  while (at <= text->size() && line <= end) {
    auto nl = text->find('\n', at);
    if (nl == std::string::npos) nl = text->size();
    if (line >= start) lines.push_back(text->substr(at, nl - at));
    if (nl == text->size()) break;
    at = nl + 1;
    ++line;
  }
  long total = static_cast<long>(std::count(text->begin(), text->end(), '\n')) + (text->ends_with('\n') ? 0 : 1);
  return ok_json(json({{"path", rel}, {"start", start}, {"lines", lines}, {"totalLines", total}})
                     .dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void register_web_routes(app& a, router& r) {
  for (const char* p : {"/", "/activity", "/p/{project}", "/p/{project}/{view}", "/p/{project}/node/{id}"})
    r.bind("GET", p, [&a](api_request& req) { return page(a, req); });
  r.bind("GET", "/app/{file}", [&a](api_request& req) { return file(a, req); });
  r.bind("GET", "/api/v1/projects/{name}/source", [&a](api_request& req) { return source(a, req); });
}

}  // namespace cg::net
