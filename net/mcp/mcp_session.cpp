#include "net/mcp/mcp_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "net/mcp/mcp_catalog.hpp"

namespace cg::mcp {
namespace {

constexpr std::string_view server_name = "codegraph";
constexpr std::string_view server_version = "0.9.0";

// RFC 5424 severities as MCP names them, most severe first.
constexpr std::string_view levels[] = {"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"};
int level_rank(std::string_view l) {
  for (int i = 0; i < 8; ++i)
    if (levels[i] == l) return i;
  return -1;
}

json result_of(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

bool valid_id(const json& id) { return id.is_string() || id.is_number_integer() || id.is_number_unsigned(); }

}  // namespace

json rpc_error(const json& id, int code, std::string_view message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

const std::vector<std::string>& protocol_versions() {
  static const std::vector<std::string> v = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
  return v;
}
bool supported_version(std::string_view v) {
  const auto& all = protocol_versions();
  return std::find(all.begin(), all.end(), v) != all.end();
}
std::string negotiate(std::string_view requested) {
  return supported_version(requested) ? std::string(requested) : protocol_versions().front();
}

struct session::state {
  std::mutex mu;
  send_fn push;
  bool initialized = false;
  std::string version;
  int level = level_rank("info");
  std::set<std::string> subscribed;                                   // resource URIs
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> running;  // request id (dumped) -> cancel flag
  bool listed_without_versions = false;                               // the last tools/list lacked the version tools
  engine* eng = nullptr;
  uint64_t changes_sub = 0, versions_sub = 0;
  net::principal who;

  void send(const json& msg) {
    send_fn p;
    {
      std::lock_guard lk(mu);
      p = push;
    }
    if (p) p(msg);
  }
};

session::session(host& h, net::principal who, std::string transport)
    : host_(h), who_(std::move(who)), transport_(std::move(transport)), st_(std::make_shared<state>()) {
  st_->eng = &h.eng();
  st_->who = who_;
}

session::~session() {
  if (st_->changes_sub) st_->eng->unsubscribe(st_->changes_sub);
  if (st_->versions_sub) st_->eng->unsubscribe(st_->versions_sub);
  std::lock_guard lk(st_->mu);
  st_->push = nullptr;
  for (auto& [id, flag] : st_->running) flag->store(true);
}

void session::set_push(send_fn push) {
  std::lock_guard lk(st_->mu);
  st_->push = std::move(push);
}

bool session::initialized() const {
  std::lock_guard lk(st_->mu);
  return st_->initialized;
}

std::string session::version() const {
  std::lock_guard lk(st_->mu);
  return st_->version;
}

void session::notify(const json& method, const json& params) {
  st_->send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

void session::log(std::string_view level, const json& data) {
  {
    std::lock_guard lk(st_->mu);
    if (level_rank(level) > st_->level) return;
  }
  notify("notifications/message", {{"level", level}, {"logger", "codegraph"}, {"data", data}});
}

bool session::has_request(const json& msg) {
  if (msg.is_array()) return std::any_of(msg.begin(), msg.end(), [](const json& m) { return has_request(m); });
  return msg.is_object() && msg.contains("method") && msg.contains("id");
}

bool session::is_long(const json& msg) {
  if (msg.is_array()) return std::any_of(msg.begin(), msg.end(), [](const json& m) { return is_long(m); });
  return msg.is_object() && msg.value("method", "") == "tools/call" && msg.contains("id");
}

void session::handle(const json& msg, const send_fn& reply, std::shared_ptr<std::atomic<bool>> cancel) {
  if (msg.is_array()) {
    if (msg.empty()) return reply(rpc_error(nullptr, rpc::invalid_request, "an empty batch"));
    json out = json::array();
    send_fn collect = [&](const json& m) {
      if (m.contains("id") && !m.contains("method"))
        out.push_back(m);
      else
        reply(m);  // notifications of a call go out as they come
    };
    for (const auto& m : msg) handle(m, collect, cancel);
    if (!out.empty()) reply(out);
    return;
  }
  if (!msg.is_object() || msg.value("jsonrpc", "") != "2.0")
    return reply(rpc_error(nullptr, rpc::invalid_request, "not a JSON-RPC 2.0 message"));
  if (!msg.contains("method")) return;  // a response to us: we send no requests
  if (!msg["method"].is_string()) return reply(rpc_error(msg.value("id", json()), rpc::invalid_request, "method"));
  if (!msg.contains("id")) {
    const auto& m = msg["method"].get_ref<const std::string&>();
    if (m == "notifications/cancelled") cancel_call(msg.value("params", json::object()));
    return;  // notifications/initialized and the others need nothing
  }
  const auto& id = msg["id"];
  if (!valid_id(id)) return reply(rpc_error(nullptr, rpc::invalid_request, "id must be a string or an integer"));
  auto flag = cancel ? cancel : std::make_shared<std::atomic<bool>>(false);
  auto key = id.dump();
  {
    std::lock_guard lk(st_->mu);
    st_->running[key] = flag;
  }
  json out;
  try {
    out = dispatch(msg, reply, flag);
  } catch (const std::exception& e) {
    spdlog::warn("mcp {}: {} failed: {}", transport_, msg["method"].get<std::string>(), e.what());
    out = rpc_error(id, rpc::internal_error, std::string("internal error: ") + e.what());
  }
  {
    std::lock_guard lk(st_->mu);
    st_->running.erase(key);
  }
  // A cancelled request gets no response (the client has stopped waiting).
  if (!flag->load() || msg["method"] == "initialize") reply(out);
}

void session::cancel_call(const json& params) {
  if (!params.is_object() || !params.contains("requestId")) return;
  std::lock_guard lk(st_->mu);
  auto it = st_->running.find(params["requestId"].dump());
  if (it != st_->running.end()) it->second->store(true);
}

json session::initialize(const json& params) {
  auto requested = params.value("protocolVersion", std::string());
  auto v = negotiate(requested);
  {
    std::lock_guard lk(st_->mu);
    st_->initialized = true;
    st_->version = v;
  }
  watch_events();
  json caps = {{"tools", {{"listChanged", true}}},
               {"resources", {{"subscribe", true}, {"listChanged", true}}},
               {"prompts", {{"listChanged", false}}},
               {"logging", json::object()}};
  json info = {{"name", server_name}, {"version", server_version}};
  if (v >= "2025-06-18") info["title"] = "CodeGraph";
  return {
      {"protocolVersion", v}, {"capabilities", caps}, {"serverInfo", info}, {"instructions", catalog::instructions()}};
}

json session::set_level(const json& params) {
  auto l = params.value("level", std::string());
  int r = level_rank(l);
  if (r < 0) return nullptr;
  std::lock_guard lk(st_->mu);
  st_->level = r;
  return json::object();
}

json session::subscribe(const json& params, bool on) {
  auto uri = params.value("uri", std::string());
  auto parsed = catalog::parse_uri(uri);
  if (!parsed) return nullptr;
  std::lock_guard lk(st_->mu);
  if (on)
    st_->subscribed.insert(uri);
  else
    st_->subscribed.erase(uri);
  return json::object();
}

// Changes of subscribed files and nodes become notifications/resources/updated; files
// added or removed, resources/list_changed; the first version of a project the
// principal sees, tools/list_changed (the version tools join the list).
void session::watch_events() {
  std::lock_guard lk(st_->mu);
  if (st_->changes_sub) return;
  std::weak_ptr<state> weak = st_;
  st_->changes_sub = st_->eng->subscribe("changes/", [weak](const event& e) {
    auto st = weak.lock();
    auto* c = std::get_if<node_changes>(&e.payload);
    if (!st || !c || !st->who.may_project(c->project)) return;
    std::vector<std::string> hit;
    bool listing = false;
    {
      std::lock_guard lk(st->mu);
      for (const auto& f : c->files) {
        if (f.kind == file_change::what::added || f.kind == file_change::what::removed) listing = true;
        auto furi = catalog::file_uri(c->project, f.path);
        if (st->subscribed.count(furi)) hit.push_back(furi);
        for (const auto* ids : {&f.created, &f.updated, &f.deleted})
          for (auto id : *ids)
            if (auto nuri = catalog::node_uri(c->project, id); st->subscribed.count(nuri)) hit.push_back(nuri);
      }
    }
    for (auto& uri : hit)
      st->send({{"jsonrpc", "2.0"}, {"method", "notifications/resources/updated"}, {"params", {{"uri", uri}}}});
    if (listing)
      st->send({{"jsonrpc", "2.0"}, {"method", "notifications/resources/list_changed"}, {"params", json::object()}});
  });
  st_->versions_sub = st_->eng->subscribe("versions/", [weak](const event& e) {
    auto st = weak.lock();
    auto* v = std::get_if<version_created>(&e.payload);
    if (!st || !v || !st->who.may_project(v->project)) return;
    {
      std::lock_guard lk(st->mu);
      if (!st->listed_without_versions) return;
      st->listed_without_versions = false;
    }
    st->send({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}, {"params", json::object()}});
  });
}

json session::dispatch(const json& req, const send_fn& reply, const std::shared_ptr<std::atomic<bool>>& cancel) {
  const auto& id = req["id"];
  const auto& method = req["method"].get_ref<const std::string&>();
  json params = req.value("params", json::object());
  if (!params.is_object()) return rpc_error(id, rpc::invalid_params, "params must be an object");
  if (method == "ping") return result_of(id, json::object());
  if (method == "initialize") return result_of(id, initialize(params));
  if (!initialized()) return rpc_error(id, rpc::invalid_request, "the session is not initialized: send initialize");
  std::string cursor =
      params.contains("cursor") && params["cursor"].is_string() ? params["cursor"].get<std::string>() : std::string();
  bool modern = version() >= "2025-06-18";
  if (method == "tools/list") {
    auto page = catalog::list_tools(host_, who_, modern, cursor);
    if (page.is_null()) return rpc_error(id, rpc::invalid_params, "invalid cursor");
    std::lock_guard lk(st_->mu);
    st_->listed_without_versions = !catalog::versions_visible(host_, who_);
    return result_of(id, std::move(page));
  }
  if (method == "tools/call") {
    auto name = params.value("name", std::string());
    json args = params.value("arguments", json::object());
    catalog::call_context cx{host_, who_, reply, cancel, modern, json()};
    if (params.contains("_meta") && params["_meta"].is_object())
      cx.progress_token = params["_meta"].value("progressToken", json());
    auto r = catalog::call_tool(cx, name, args);
    if (!r) return rpc_error(id, rpc::invalid_params, "unknown tool: " + name);
    return result_of(id, std::move(*r));
  }
  if (method == "resources/list") {
    auto page = catalog::list_resources(host_, who_, cursor);
    if (page.is_null()) return rpc_error(id, rpc::invalid_params, "invalid cursor");
    return result_of(id, std::move(page));
  }
  if (method == "resources/templates/list") return result_of(id, catalog::resource_templates());
  if (method == "resources/read") {
    auto r = catalog::read_resource(host_, who_, params.value("uri", std::string()));
    if (!r.ok()) {
      auto code = r.err().code == errc::not_found ? rpc::resource_not_found : rpc::invalid_params;
      return rpc_error(id, code, r.err().message);
    }
    return result_of(id, std::move(*r));
  }
  if (method == "resources/subscribe" || method == "resources/unsubscribe") {
    auto r = subscribe(params, method == "resources/subscribe");
    if (r.is_null()) return rpc_error(id, rpc::invalid_params, "not a codegraph:// resource URI");
    return result_of(id, std::move(r));
  }
  if (method == "prompts/list") return result_of(id, catalog::list_prompts());
  if (method == "prompts/get") {
    auto r = catalog::get_prompt(params.value("name", std::string()), params.value("arguments", json::object()));
    if (!r.ok()) return rpc_error(id, rpc::invalid_params, r.err().message);
    return result_of(id, std::move(*r));
  }
  if (method == "logging/setLevel") {
    auto r = set_level(params);
    if (r.is_null())
      return rpc_error(id, rpc::invalid_params,
                       "level must be one of debug, info, notice, warning, error, critical, alert, emergency");
    return result_of(id, std::move(r));
  }
  return rpc_error(id, rpc::method_not_found, "method not found: " + method);
}

}  // namespace cg::mcp
