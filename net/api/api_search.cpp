// Search: hybrid (JSON, NDJSON or SSE), similar nodes, raw-vector search.
#include <nlohmann/json.hpp>

#include "actors/engine_json.hpp"
#include "net/app/app.hpp"
#include "schema/client_json.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"

namespace cg::net {
namespace {

using json = nlohmann::json;

// POST bodies carry the same fields as the GET query: fold them into the query.
bool body_into_query(api_request& req, std::string& err) {
  if (req.method != "POST" || req.body.empty()) return true;
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) {
    err = parsed.err().message;
    return false;
  }
  auto& j = *parsed;
  if (!j.is_object()) {
    err = "the body must be a JSON object";
    return false;
  }
  for (auto& [k, v] : j.items()) {
    if (v.is_string())
      req.query.emplace_back(k, v.get<std::string>());
    else if (v.is_number() || v.is_boolean())
      req.query.emplace_back(k, v.dump());
    else if (v.is_array())
      for (const auto& x : v) req.query.emplace_back(k, x.is_string() ? x.get<std::string>() : x.dump());
  }
  return true;
}

struct parsed_search {
  search_request req;
  std::string error;
};

parsed_search parse_search(app& a, const api_request& r) {
  parsed_search p;
  auto& s = p.req;
  s.project = r.params.at("name");
  s.query = r.query_value("q", r.query_value("query"));
  if (s.query.find_first_not_of(" \t\n") == std::string::npos) {
    p.error = "q (the search text) is required";
    return p;
  }
  if (s.query.size() > 4096) {
    p.error = "q is longer than 4096 bytes";
    return p;
  }
  auto mode = parse_search_mode(r.query_value("mode", "balanced"));
  if (!mode) {
    p.error = "mode must be exact, balanced or fast";
    return p;
  }
  s.mode = *mode;
  auto num = [&](const char* name, long lo, long hi, size_t& out) {
    if (!r.has_query(name)) return true;
    auto v = r.query_value(name);
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || n < lo || n > hi) {
      p.error = std::string(name) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
      return false;
    }
    out = static_cast<size_t>(n);
    return true;
  };
  if (!num("k", 1, 1000, s.k) || !num("batch", 1, 1000, s.batch_size)) return p;
  for (const auto& l : r.query_values("lang")) {
    auto lang = parse_language(l);
    if (!lang) {
      p.error = "unknown language '" + l + "'";
      return p;
    }
    s.filters.languages.push_back(*lang);
    if (*lang == language::typescript) s.filters.languages.push_back(language::tsx);
    if (*lang == language::javascript) s.filters.languages.push_back(language::jsx);
  }
  for (const auto& k : r.query_values("kind")) {
    auto kind = parse_node_kind(k);
    if (!kind) {
      p.error = "unknown kind '" + k + "'";
      return p;
    }
    s.filters.kinds.push_back(*kind);
  }
  s.filters.path_glob = r.query_value("path");
  auto fusion = parse_fusion_method(r.query_value("fusion", a.options().fusion));
  if (!fusion) {
    p.error = "fusion must be rrf or convex";
    return p;
  }
  s.fusion = *fusion;
  s.rrf_k = a.options().rrf_k;
  s.bm25_weight = static_cast<float>(a.options().bm25_weight);
  s.vector_weight = static_cast<float>(a.options().vector_weight);
  s.context_file = r.query_value("context_file");
  s.at = r.query_value("at");
  return p;
}

// The JSON answer of a search (from the result cache when it holds it); now: only
// if it runs without waiting, else nullopt.
std::optional<api_reply> answer(app& a, api_request& req, const search_request& sr, bool now) {
  std::string key = "search:" + sr.project + ":" + req.method + ":" + req.target + ":" + req.body;
  if (auto hit = a.cache().get(key)) {
    auto r = ok_json(*hit);
    r.headers.emplace_back("X-Cache", "hit");
    return api_reply(std::move(r));
  }
  // Written directly, keys in dump()'s (sorted) order: {"batches", "elapsed_ms",
  // "hits", "mode", "project", "query"}.
  std::string hits = "[";
  size_t batches = 0;
  double elapsed = 0;
  auto on_batch = [&](const search_batch& b) {
    ++batches;
    elapsed = b.elapsed_ms;
    for (const auto& h : b.hits) {
      if (hits.size() > 1) hits.push_back(',');
      append_hit_json(hits, h);
    }
  };
  status st;
  if (now) {
    auto ran = a.eng().try_search_now(sr, on_batch);
    if (!ran) return std::nullopt;
    st = *ran;
  } else {
    st = a.eng().search(sr, on_batch);
  }
  if (!st.ok()) return api_reply(error_of(req, st.err()));
  hits.push_back(']');
  std::string body = "{\"batches\":" + std::to_string(batches) + ",\"elapsed_ms\":";
  append_json_number(body, elapsed);
  body += ",\"hits\":";
  body += hits;
  body += ",\"mode\":";
  append_json_string(body, to_string(sr.mode));
  body += ",\"project\":";
  append_json_string(body, sr.project);
  body += ",\"query\":";
  append_json_string(body, sr.query);
  body.push_back('}');
  a.cache().put(sr.project, key, body);
  auto r = ok_json(body);
  r.headers.emplace_back("X-Cache", "miss");
  return api_reply(std::move(r));
}

api_reply search(app& a, api_request& req) {
  std::string err;
  if (!body_into_query(req, err)) return bad_request(req, err);
  auto p = parse_search(a, req);
  if (!p.error.empty()) return bad_request(req, p.error);
  auto fmt = stream_format(req);
  if (!fmt.empty()) {
    stream_reply s;
    bool sse = fmt == "sse";
    s.content_type = sse ? "text/event-stream" : "application/x-ndjson";
    s.headers = {{"Cache-Control", "no-cache"}};
    s.produce = [&a, sr = p.req, sse](std::shared_ptr<stream_sink> sink) {
      auto st = a.eng().search(sr, [&](const search_batch& b) {
        auto line = batch_json(b).dump();
        sink->write(sse ? sse_frame("batch", line) : line + "\n");
      });
      if (!st.ok()) {
        auto e = json({{"error", {{"code", to_string(st.err().code)}, {"message", st.err().message}}}}).dump();
        sink->write(sse ? sse_frame("error", e) : e + "\n");
      }
      sink->close();
    };
    return s;
  }
  return *answer(a, req, p.req, false);
}

// On the network thread: GET searches that can run without waiting (engine::
// try_search_now: a loaded, current index and the built-in embedder). Anything else,
// including a POST (its body is folded into the query once, on the worker), declines.
std::optional<api_reply> search_now(app& a, api_request& req) {
  if (req.method != "GET" || !stream_format(req).empty()) return std::nullopt;
  auto p = parse_search(a, req);
  if (!p.error.empty()) return api_reply(bad_request(req, p.error));
  return answer(a, req, p.req, true);
}

api_reply similar(app& a, api_request& req) {
  const auto& id_text = req.params.at("id");
  node_id id = 0;
  if (id_text.size() != 16 || id_text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return bad_request(req, "a node id is 16 hex digits");
  id = std::stoull(id_text, nullptr, 16);
  auto mode = parse_search_mode(req.query_value("mode", "balanced"));
  if (!mode) return bad_request(req, "mode must be exact, balanced or fast");
  size_t k = 10;
  float threshold = 0.5f;
  try {
    if (req.has_query("k")) k = std::stoul(req.query_value("k"));
    if (req.has_query("threshold")) threshold = std::stof(req.query_value("threshold"));
  } catch (const std::exception&) {
    return bad_request(req, "k must be an integer and threshold a number");
  }
  if (k < 1 || k > 1000) return bad_request(req, "k must be from 1 to 1000");
  auto hits = a.eng().similar(req.params.at("name"), id, k, threshold, *mode, {});
  if (!hits.ok()) return error_of(req, hits.err());
  json arr = json::array();
  for (const auto& h : *hits) arr.push_back(hit_json(h));
  return ok_json(json({{"node", format_id(id)}, {"hits", arr}}).dump());
}

api_reply vector_search(app& a, api_request& req) {
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return bad_request(req, parsed.err().message);
  auto& j = *parsed;
  if (!j.is_object() || !j.contains("vector") || !j["vector"].is_array())
    return bad_request(req, "the body must be {\"vector\": [numbers], \"k\": n, \"mode\": ...}");
  std::vector<float> v;
  v.reserve(j["vector"].size());
  for (const auto& x : j["vector"]) {
    if (!x.is_number()) return bad_request(req, "vector must hold numbers only");
    v.push_back(x.get<float>());
  }
  auto mode = parse_search_mode(j.value("mode", std::string("balanced")));
  if (!mode) return bad_request(req, "mode must be exact, balanced or fast");
  auto k = j.value("k", 10);
  if (k < 1 || k > 1000) return bad_request(req, "k must be from 1 to 1000");
  auto hits = a.eng().search_vector(req.params.at("name"), std::move(v), static_cast<size_t>(k), *mode, {});
  if (!hits.ok()) return error_of(req, hits.err());
  json arr = json::array();
  for (const auto& h : *hits) arr.push_back(hit_json(h));
  return ok_json(json({{"hits", arr}}).dump());
}

}  // namespace

void register_search_routes(app& a, router& r) {
  const std::string p = "/api/v1/projects/{name}";
  auto bind = [&a](api_reply (*fn)(app&, api_request&)) { return [&a, fn](api_request& req) { return fn(a, req); }; };
  r.bind("GET", p + "/search", bind(search), [&a](api_request& req) { return search_now(a, req); });
  r.bind("POST", p + "/search", bind(search));
  r.bind("GET", p + "/nodes/{id}/similar", bind(similar));
  r.bind("POST", p + "/vector/search", bind(vector_search));
}

}  // namespace cg::net
