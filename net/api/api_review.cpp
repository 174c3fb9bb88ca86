// GET /api/v1/projects/{name}/review?base=&target=&depth=: review impact
// (actors/review/review.hpp) as one JSON document, or as NDJSON for large reports.
#include <nlohmann/json.hpp>

#include "actors/read_api.hpp"
#include "net/app/app.hpp"

namespace cg::net {
namespace {

using nlohmann::json;

struct review_params {
  uint32_t proj = 0;
  review_request req;
};

std::optional<api_response> parse_review(app& a, const api_request& req, review_params& out) {
  auto& db = a.eng().storage();
  const auto& name = req.params.at("name");
  auto id = db.project_id(name);
  if (!id.ok()) return error_response(404, "not_found", "no project " + name, req.request_id);
  out.proj = *id;
  out.req.root = project_root(db, name);
  if (!req.has_query("base") || req.query_value("base").empty())
    return bad_request(req, "base is required: a version (3, head~1), a tag, a branch or an indexed git sha");
  auto base = resolve_version(db, *id, req.query_value("base"));
  if (!base.ok()) return error_of(req, base.err());
  out.req.base = *base;
  if (req.has_query("target")) {
    auto t = req.query_value("target");
    if (!t.empty() && t != "working") {
      auto v = resolve_version(db, *id, t);
      if (!v.ok()) return error_of(req, v.err());
      out.req.target = *v;
    }
  }
  if (req.has_query("depth")) {
    auto d = req.query_value("depth");
    char* end = nullptr;
    long n = std::strtol(d.c_str(), &end, 10);
    if (d.empty() || *end != '\0' || n < 1 || n > 10) return bad_request(req, "depth must be an integer from 1 to 10");
    out.req.depth = static_cast<int>(n);
  }
  return std::nullopt;
}

// {"type":"review", ...summary}, then one line per changed definition ("changed"),
// radius entry ("impacted"), test ("test") and API change ("api"), then {"type":"end"}.
api_reply review_stream(json whole) {
  stream_reply s;
  s.content_type = "application/x-ndjson";
  s.headers = {{"Cache-Control", "no-cache"}};
  s.produce = [whole = std::move(whole)](std::shared_ptr<stream_sink> out) mutable {
    auto line = [&](json j) { return out->write(j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"); };
    json changed = std::move(whole["changed"]), radius = std::move(whole["radius"]);
    json tests = std::move(whole["tests"]["reaching"]), api = std::move(whole["api"]);
    whole.erase("changed");
    whole.erase("radius");
    whole.erase("api");
    whole["tests"].erase("reaching");
    whole["type"] = "review";
    bool going = line(std::move(whole));
    auto each = [&](json& arr, const char* type) {
      for (auto& e : arr) {
        if (!going) return;
        e["type"] = type;
        going = line(std::move(e));
      }
    };
    each(changed, "changed");
    each(radius, "impacted");
    each(tests, "test");
    each(api, "api");
    if (going) line({{"type", "end"}});
    out->close();
  };
  return s;
}

api_reply review_route(app& a, api_request& req) {
  review_params p;
  if (auto err = parse_review(a, req, p)) return *err;
  size_t hits = a.reviews().hits();
  auto r = a.reviews().get(a.eng().storage(), p.proj, p.req);
  if (!r.ok()) return error_of(req, r.err());
  // Whether the report came from the cache (a hit counts only for this request when
  // no other review ran at the same moment: a hint, not a guarantee).
  std::string cache = a.reviews().hits() > hits ? "hit" : "miss";
  auto j = to_json(**r);
  j["project"] = req.params.at("name");
  if (stream_format(req) == "ndjson") {
    auto s = review_stream(std::move(j));
    std::get<stream_reply>(s).headers.emplace_back("X-Review-Cache", cache);
    return s;
  }
  auto resp = ok_json(j.dump(-1, ' ', false, json::error_handler_t::replace));
  resp.headers.emplace_back("X-Review-Cache", cache);
  return resp;
}

}  // namespace

void register_review_routes(app& a, router& r) {
  r.bind("GET", "/api/v1/projects/{name}/review", [&a](api_request& req) { return review_route(a, req); });
}

}  // namespace cg::net
