// /mcp: MCP over Streamable HTTP. POST carries client messages (a JSON answer, or
// Server-Sent Events for tool calls when the client accepts them, so progress
// notifications reach it); GET opens the session's stream of server messages
// (resource updates, list changes); DELETE ends a session. Sessions are named by the
// Mcp-Session-Id header and belong to the principal that opened them. The protocol is
// net/mcp/mcp_session.hpp's; this file only carries it.
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>

#include "actors/read_api.hpp"
#include "net/app/app.hpp"
#include "net/mcp/mcp_session.hpp"
#include "net/mcp/mcp_sessions.hpp"

namespace cg::net {
namespace {

using nlohmann::json;

class server_host final : public mcp::host {
 public:
  explicit server_host(app& a) : a_(a) {}
  engine& eng() override { return a_.eng(); }
  bool read_only() const override { return false; }
  result<uint64_t> start_index(const std::string& project, const std::string& path, const std::string& over) override {
    const bool registered = path.empty();
    const std::string root = registered ? project_root(project) : path;  // else checked against the allowed roots
    if (!over.empty()) {
      auto started = a_.start_layer(project, root, over, registered);
      if (!started.ok()) return started.err();
      return started->first;
    }
    return a_.start_index(project, root, {}, registered);
  }
  bool cancel_task(uint64_t task) override { return a_.eng().cancel(task); }
  json tasks(const std::string& project) override {
    json out = json::array();
    auto all = a_.tasks();
    std::sort(all.begin(), all.end(), [](const task_info& x, const task_info& y) { return x.id > y.id; });
    for (const auto& t : all) {
      if (!project.empty() && t.project != project) continue;
      json j = {{"task", t.id}, {"project", t.project}, {"state", t.state}, {"started", t.started_unix}};
      if (t.state == "running" && !t.last_progress.empty()) {
        auto p = json::parse(t.last_progress, nullptr, false);
        if (p.is_object())
          j["progress"] = {{"phase", p.value("phase", "")},
                           {"files_done", p.value("files_done", 0)},
                           {"files_total", p.value("files_total", 0)}};
      }
      if (!t.summary.empty()) {
        auto s = json::parse(t.summary, nullptr, false);
        if (s.is_object())
          for (const char* k : {"files_seen", "added", "changed", "removed", "failed", "seconds_total", "error"})
            if (s.contains(k)) j[k] = s[k];
      }
      out.push_back(std::move(j));
      if (out.size() == 50) break;
    }
    return out;
  }
  std::vector<std::string> pending_files(const std::string& project) override { return a_.pending_files(project); }
  std::string project_root(const std::string& project) override {
    return cg::project_root(a_.eng().storage(), project);
  }
  void tool_called(std::string_view tool, bool error, double seconds) override {
    std::lock_guard lk(mu_);
    auto& c = calls_[{std::string(tool), error}];
    ++c.count;
    c.seconds += seconds;
  }
  // codegraph_mcp_tool_calls_total{tool, outcome} and the seconds they took.
  void collect(std::vector<metrics::sample>& out) {
    std::lock_guard lk(mu_);
    for (const auto& [key, c] : calls_) {
      std::vector<std::pair<std::string, std::string>> labels = {{"tool", key.first},
                                                                 {"outcome", key.second ? "error" : "ok"}};
      out.push_back({"codegraph_mcp_tool_calls_total", "MCP tool calls, by tool and outcome.", "counter", labels,
                     static_cast<double>(c.count)});
      out.push_back(
          {"codegraph_mcp_tool_seconds_total", "Time spent in MCP tool calls.", "counter", labels, c.seconds});
    }
    out.push_back({"codegraph_mcp_sessions",
                   "Open MCP sessions (/mcp).",
                   "gauge",
                   {},
                   static_cast<double>(a_.mcp_sessions().size())});
  }
  void search_defaults(search_request& req) override {
    req.fusion = parse_fusion_method(a_.options().fusion).value_or(fusion_method::convex);
    req.rrf_k = a_.options().rrf_k;
    req.bm25_weight = static_cast<float>(a_.options().bm25_weight);
    req.vector_weight = static_cast<float>(a_.options().vector_weight);
  }

 private:
  struct tally {
    uint64_t count = 0;
    double seconds = 0;
  };
  app& a_;
  std::mutex mu_;
  std::map<std::pair<std::string, bool>, tally> calls_;
};

api_response rpc_answer(int status, const json& body) {
  api_response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

bool accepts_sse(const api_request& req) { return req.header("accept").find("text/event-stream") != std::string::npos; }

std::string frame(const json& msg) {
  return sse_frame("message", msg.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The version header a client sends after initialization, when it sends one.
std::optional<api_response> check_version(const api_request& req) {
  auto v = req.header("mcp-protocol-version");
  if (v.empty() || mcp::supported_version(v)) return std::nullopt;
  return rpc_answer(400, mcp::rpc_error(nullptr, mcp::rpc::invalid_request, "unsupported MCP-Protocol-Version " + v));
}

// The request's session, or the answer to give instead (400 without the header, 404
// for an unknown or ended one: the client starts a new session).
std::shared_ptr<mcp::session> session_of(app& a, const api_request& req, api_response& err) {
  auto id = req.header("mcp-session-id");
  if (id.empty()) {
    err = rpc_answer(
        400, mcp::rpc_error(nullptr, mcp::rpc::invalid_request, "Mcp-Session-Id is required: send initialize first"));
    return nullptr;
  }
  auto s = a.mcp_sessions().find(id, req.who.subject);
  if (!s)
    err = rpc_answer(404, mcp::rpc_error(nullptr, mcp::rpc::invalid_request, "no such session: initialize again"));
  return s;
}

bool is_initialize(const json& msg) { return msg.is_object() && msg.value("method", "") == "initialize"; }

api_reply post(app& a, server_host& h, api_request& req) {
  if (auto bad = check_version(req)) return *bad;
  auto msg = json::parse(req.body, nullptr, false);
  if (msg.is_discarded())
    return rpc_answer(400, mcp::rpc_error(nullptr, mcp::rpc::parse_error, "parse error: not JSON"));
  if (!msg.is_object() && !msg.is_array())
    return rpc_answer(400, mcp::rpc_error(nullptr, mcp::rpc::invalid_request, "not a JSON-RPC message"));
  std::shared_ptr<mcp::session> s;
  std::vector<std::pair<std::string, std::string>> headers;
  if (is_initialize(msg)) {
    s = std::make_shared<mcp::session>(h, req.who, "http");
    auto id = a.mcp_sessions().open(s);
    if (!id) return error_response(503, "unavailable", "too many MCP sessions; try again later", req.request_id);
    headers.emplace_back("Mcp-Session-Id", *id);
  } else {
    api_response err;
    s = session_of(a, req, err);
    if (!s) return err;
  }
  if (!mcp::session::has_request(msg)) {
    s->handle(msg, [](const json&) {});
    api_response r;
    r.status = 202;
    r.content_type.clear();
    return r;
  }
  if (mcp::session::is_long(msg) && accepts_sse(req)) {
    stream_reply sr;
    sr.content_type = "text/event-stream";
    sr.headers = {{"Cache-Control", "no-cache"}};
    sr.produce = [s, msg = std::move(msg), cancel = req.cancel](std::shared_ptr<stream_sink> sink) {
      auto flag = cancel ? cancel : std::make_shared<std::atomic<bool>>(false);
      sink->on_end([flag] { flag->store(true); });
      s->handle(
          msg, [&sink](const json& m) { sink->write(frame(m)); }, flag);
      sink->close();
    };
    return sr;
  }
  json out;
  s->handle(
      msg,
      [&out](const json& m) {
        if (m.contains("id") && !m.contains("method")) out = m;  // notifications of the call need a stream
        if (m.is_array()) out = m;
      },
      req.cancel);
  auto r = rpc_answer(200, out);
  r.headers = std::move(headers);
  return r;
}

api_reply get(app& a, api_request& req) {
  if (auto why = a.guard().check_origin(req.header("origin"), req.header("host")))
    return error_response(403, "forbidden_origin", *why, req.request_id);
  if (auto bad = check_version(req)) return *bad;
  if (!accepts_sse(req)) {
    auto r = error_response(405, "method_not_allowed", "GET /mcp opens an event stream: accept text/event-stream",
                            req.request_id);
    r.headers.emplace_back("Allow", "POST, DELETE");
    return r;
  }
  api_response err;
  auto s = session_of(a, req, err);
  if (!s) return err;
  stream_reply sr;
  sr.content_type = "text/event-stream";
  sr.headers = {{"Cache-Control", "no-cache"}};
  sr.produce = [s](std::shared_ptr<stream_sink> sink) {
    std::weak_ptr<mcp::session> weak = s;
    std::weak_ptr<stream_sink> weak_sink = sink;
    s->set_push([weak_sink](const json& m) {
      if (auto k = weak_sink.lock()) k->write(frame(m));
    });
    sink->on_end([weak] {
      if (auto live = weak.lock()) live->set_push(nullptr);
    });
    sink->write(": stream open\n\n");
  };
  return sr;
}

api_reply del(app& a, api_request& req) {
  auto id = req.header("mcp-session-id");
  if (id.empty())
    return rpc_answer(400, mcp::rpc_error(nullptr, mcp::rpc::invalid_request, "Mcp-Session-Id is required"));
  if (!a.mcp_sessions().close(id, req.who.subject))
    return rpc_answer(404, mcp::rpc_error(nullptr, mcp::rpc::invalid_request, "no such session"));
  api_response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace

void register_mcp_routes(app& a, router& r) {
  auto h = std::make_shared<server_host>(a);
  a.stats().add_collector([h](std::vector<metrics::sample>& out) { h->collect(out); });
  r.bind("POST", "/mcp", [&a, h](api_request& req) { return post(a, *h, req); });
  r.bind("GET", "/mcp", [&a](api_request& req) { return get(a, req); });
  r.bind("DELETE", "/mcp", [&a](api_request& req) { return del(a, req); });
}

}  // namespace cg::net
