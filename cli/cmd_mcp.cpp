// `codegraph mcp`: an MCP server over stdio (JSON-RPC 2.0, one message per line).
// When a server owns the data directory, the messages go to its /mcp (as its local
// token): answers from the live graph, resource updates pushed as files are saved,
// index runs. Otherwise it opens the data directory read-only (it runs beside an
// index run; index runs are left to `codegraph index`).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "actors/engine.hpp"
#include "actors/read_api.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/server_file.hpp"
#include "net/client/http_client.hpp"
#include "net/mcp/mcp_session.hpp"

namespace cg::cli {
namespace {

class stdio_host final : public mcp::host {
 public:
  stdio_host(engine& e, const context& ctx) : eng_(e), ctx_(ctx) {}
  engine& eng() override { return eng_; }
  bool read_only() const override { return true; }
  result<uint64_t> start_index(const std::string&, const std::string&, const std::string&) override {
    return make_error(errc::unsupported, "read-only");
  }
  bool cancel_task(uint64_t) override { return false; }
  nlohmann::json tasks(const std::string&) override { return nlohmann::json::array(); }
  std::vector<std::string> pending_files(const std::string&) override { return {}; }
  std::string project_root(const std::string& project) override { return cg::project_root(eng_.storage(), project); }
  void search_defaults(search_request& req) override {
    req.fusion = parse_fusion_method(ctx_.cfg.search.fusion).value_or(fusion_method::convex);
    req.rrf_k = ctx_.cfg.search.rrf_k;
    req.bm25_weight = static_cast<float>(ctx_.cfg.search.bm25_weight);
    req.vector_weight = static_cast<float>(ctx_.cfg.search.vector_weight);
  }

 private:
  engine& eng_;
  const context& ctx_;
};

// One line per message on stdout, whole, from any thread.
class line_writer {
 public:
  void operator()(const nlohmann::json& msg) {
    auto line = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lk(mu_);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

 private:
  std::mutex mu_;
};

// A store must exist to be opened read-only: a fresh data directory gets an empty one.
// An existing store is never opened for writing (a server may own it).
status ensure_store(const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT", ec)) return {};
  store_options so;
  so.dir = data_dir;
  auto made = store::open(so);
  if (!made.ok()) return made.err();
  return {};
}

// The bridge to a running server's /mcp.
class bridge {
 public:
  bridge(const server_file& srv, line_writer& out) : srv_(srv), out_(out) { opts_.tls.ca_file = srv.tls_cert; }

  // One client message: POSTed, and what comes back written out.
  void relay(const nlohmann::json& msg) {
    net::http_request rq;
    rq.url = srv_.url + "/mcp";
    rq.body = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    rq.timeout = std::chrono::hours(1);  // a tool call may index a large tree
    rq.headers = headers();
    rq.headers.emplace_back("Accept", "application/json, text/event-stream");
    // Read as it comes: a tool call's progress notifications are relayed as they arrive.
    std::string text;
    bool events = false;
    auto r = net::http_stream(
        rq,
        [&](std::string_view piece) {
          text += piece;
          events = events || text.starts_with("event:") || text.starts_with("data:") || text.starts_with(":");
          if (auto last = text.rfind("\n\n"); events && last != std::string::npos) {
            relay_events(std::string_view(text).substr(0, last + 2));
            text.erase(0, last + 2);
          }
          return true;
        },
        opts_);
    auto id = msg.is_object() ? msg.value("id", nlohmann::json()) : nlohmann::json();
    if (!r.ok()) return fail(msg, "the server at " + srv_.url + " did not answer: " + r.err().message);
    r->body = std::move(text);
    if (auto sid = r->header("mcp-session-id"); !sid.empty()) {
      std::lock_guard lk(mu_);
      session_ = sid;
    }
    if (msg.is_object() && msg.value("method", "") == "notifications/initialized") start_stream();
    if (r->status == 202 || r->body.empty()) return;
    if (events || r->header("content-type").starts_with("text/event-stream")) return relay_events(r->body);
    auto body = nlohmann::json::parse(r->body, nullptr, false);
    if (body.is_object() && body.contains("jsonrpc") && (body.contains("result") || body.contains("error"))) {
      if (body.contains("result") && body["result"].contains("protocolVersion")) {
        std::lock_guard lk(mu_);
        version_ = body["result"]["protocolVersion"];
      }
      if (body.contains("id") && body["id"].is_null() && !id.is_null()) body["id"] = id;
      return out_(body);
    }
    if (body.is_array()) return out_(body);
    fail(msg, "the server answered HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 200));
  }

  // The end: the session is deleted on the server.
  void close() {
    net::http_request rq;
    rq.method = "DELETE";
    rq.url = srv_.url + "/mcp";
    rq.headers = headers();
    rq.timeout = std::chrono::seconds(2);
    if (!session().empty()) (void)net::http_call(rq, opts_);
  }

 private:
  std::string session() {
    std::lock_guard lk(mu_);
    return session_;
  }
  std::vector<std::pair<std::string, std::string>> headers() {
    std::lock_guard lk(mu_);
    std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + srv_.token}};
    if (!session_.empty()) h.emplace_back("Mcp-Session-Id", session_);
    if (!version_.empty()) h.emplace_back("MCP-Protocol-Version", version_);
    return h;
  }
  void fail(const nlohmann::json& msg, const std::string& why) {
    spdlog::warn("codegraph mcp: {}", why);
    if (mcp::session::has_request(msg) && msg.is_object())
      out_(mcp::rpc_error(msg.value("id", nlohmann::json()), mcp::rpc::internal_error, why));
  }
  // Server-Sent Events: each frame's data lines, joined, is one message.
  void relay_events(std::string_view text) {
    size_t at = 0;
    while (true) {
      auto end = text.find("\n\n", at);
      if (end == std::string_view::npos) break;
      std::string data;
      auto frame = text.substr(at, end - at);
      at = end + 2;
      size_t pos = 0;
      while (pos <= frame.size()) {
        auto nl = frame.find('\n', pos);
        auto line = frame.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (line.starts_with("data:")) data += std::string(line.substr(line.starts_with("data: ") ? 6 : 5));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
      }
      if (data.empty()) continue;
      auto m = nlohmann::json::parse(data, nullptr, false);
      if (!m.is_discarded()) out_(m);
    }
  }
  // The session's stream of server messages (resource updates, list changes), on a
  // thread of its own for the rest of the process.
  void start_stream() {
    if (streaming_.exchange(true)) return;
    std::thread([this] {
      net::http_request rq;
      rq.method = "GET";
      rq.url = srv_.url + "/mcp";
      rq.headers = headers();
      rq.headers.emplace_back("Accept", "text/event-stream");
      std::string buf;
      auto r = net::http_stream(
          rq,
          [&](std::string_view piece) {
            buf += piece;
            auto last = buf.rfind("\n\n");
            if (last == std::string::npos) return true;
            relay_events(std::string_view(buf).substr(0, last + 2));
            buf.erase(0, last + 2);
            return true;
          },
          opts_);
      if (!r.ok()) spdlog::warn("codegraph mcp: the server's event stream ended: {}", r.err().message);
    }).detach();
  }

  server_file srv_;
  line_writer& out_;
  net::http_client_options opts_;
  std::mutex mu_;
  std::string session_, version_;
  std::atomic<bool> streaming_{false};
};

// Reads messages from stdin until it ends; tool calls run apart, so that a
// cancellation (or a ping) can arrive meanwhile.
void read_messages(line_writer& out, const std::function<void(const nlohmann::json&)>& handle) {
  struct call {
    std::thread t;
    std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
  };
  std::vector<call> calls;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto msg = nlohmann::json::parse(line, nullptr, false);
    if (msg.is_discarded()) {
      out(mcp::rpc_error(nullptr, mcp::rpc::parse_error, "parse error: not JSON"));
      continue;
    }
    if (!mcp::session::is_long(msg)) {
      handle(msg);
      continue;
    }
    std::erase_if(calls, [](call& c) {
      if (!c.done->load()) return false;
      c.t.join();
      return true;
    });
    call c;
    c.t = std::thread([&handle, msg = std::move(msg), done = c.done] {
      handle(msg);
      done->store(true);
    });
    calls.push_back(std::move(c));
  }
  for (auto& c : calls) c.t.join();
}

int run_bridge(const server_file& srv) {
  line_writer out;
  bridge b(srv, out);
  spdlog::info("codegraph mcp: relaying to the server at {} (pid {})", srv.url, srv.pid);
  read_messages(out, [&b](const nlohmann::json& m) { b.relay(m); });
  b.close();
  std::fflush(stdout);
  std::_Exit(exit_ok);  // the event stream's thread blocks on its socket
}

}  // namespace

int run_mcp(const context& ctx, bool local) {
  if (auto srv = find_server(ctx.cfg.data_dir); srv && !local) return run_bridge(*srv);
  if (auto s = ensure_store(ctx.cfg.data_dir); !s.ok()) {
    spdlog::error("codegraph mcp: {}", s.err().message);
    return exit_runtime;
  }
  auto eo = engine_options_for(ctx);
  eo.read_only = true;
  auto eng = engine::open(eo);
  if (!eng.ok()) {
    spdlog::error("codegraph mcp: {}", eng.err().message);
    return exit_runtime;
  }
  stdio_host host(**eng, ctx);
  net::principal who{"stdio", net::role::admin, ctx.project, "none"};
  mcp::session session(host, who, "stdio");
  line_writer out;
  mcp::send_fn send = [&out](const nlohmann::json& m) { out(m); };
  session.set_push(send);
  spdlog::info("codegraph mcp: serving {} over stdio (read-only)", ctx.cfg.data_dir);

  read_messages(out, [&](const nlohmann::json& m) { session.handle(m, send); });
  session.set_push(nullptr);
  return exit_ok;
}

}  // namespace cg::cli
