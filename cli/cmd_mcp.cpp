// `codegraph mcp`: an MCP server over stdio (JSON-RPC 2.0, one message per line). It
// opens the data directory read-only, so it runs beside a server or an index run;
// index runs are left to `codegraph serve` (its /mcp) and `codegraph index`.
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
#include "net/mcp/mcp_session.hpp"

namespace cg::cli {
namespace {

class stdio_host final : public mcp::host {
 public:
  stdio_host(engine& e, const context& ctx) : eng_(e), ctx_(ctx) {}
  engine& eng() override { return eng_; }
  bool read_only() const override { return true; }
  result<uint64_t> start_index(const std::string&, const std::string&) override {
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

}  // namespace

int run_mcp(const context& ctx) {
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
    // Tool calls run apart, so that a cancellation (or a ping) can arrive meanwhile.
    if (mcp::session::is_long(msg)) {
      std::erase_if(calls, [](call& c) {
        if (!c.done->load()) return false;
        c.t.join();
        return true;
      });
      call c;
      c.t = std::thread([&session, &send, msg = std::move(msg), done = c.done] {
        session.handle(msg, send);
        done->store(true);
      });
      calls.push_back(std::move(c));
      continue;
    }
    session.handle(msg, send);
  }
  session.set_push(nullptr);
  for (auto& c : calls) c.t.join();
  return exit_ok;
}

}  // namespace cg::cli
