#include "cli/index_remote.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/engine_json.hpp"
#include "cli/output.hpp"
#include "cli/progress_bar.hpp"
#include "cli/report.hpp"
#include "net/client/http_client.hpp"
#include "storage/store.hpp"

namespace cg::cli {
namespace {

using json = nlohmann::json;

volatile sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

// Calls the server as its local CLI; a non-2xx answer becomes an error with the
// server's own message.
result<json> call(const server_file& srv, const std::string& method, const std::string& path,
                  const std::string& body = {}) {
  net::http_request r;
  r.method = method;
  r.url = srv.url + path;
  r.headers = {{"Authorization", "Bearer " + srv.token}, {"Accept", "application/json"}};
  if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  r.body = body;
  r.timeout = std::chrono::seconds(30);
  net::http_client_options o;
  o.tls.ca_file = srv.tls_cert;
  auto res = net::http_call(r, o);
  if (!res.ok())
    return make_error(errc::upstream, "the server at " + srv.url + " (pid " + std::to_string(srv.pid) +
                                          ") did not answer: " + res.err().message);
  auto j = json::parse(res->body, nullptr, false);
  if (res->status / 100 != 2) {
    std::string msg = j.is_object() && j.contains("error") && j["error"].is_object()
                          ? j["error"].value("message", std::string())
                          : res->body.substr(0, 200);
    return make_error(res->status == 403 ? errc::permission_denied : errc::invalid_argument,
                      "the server refused the run (HTTP " + std::to_string(res->status) + "): " + msg);
  }
  if (j.is_discarded()) return make_error(errc::upstream, "the server answered something that is not JSON");
  return j;
}

json walk_json(const context& ctx, const index_request& req) {
  return {{"include", req.walk.include},
          {"exclude", req.walk.exclude},
          {"languages", ctx.cfg.index.languages},
          {"max_file_bytes", req.walk.max_file_bytes},
          {"follow_symlinks", req.walk.follow_symlinks},
          {"gitignore", req.walk.respect_gitignore}};
}

}  // namespace

int report_index(const context& ctx, const index_summary& summary, const std::string& via_server) {
  graph_stats stats;
  uint64_t disk = 0;
  store_options so;
  so.dir = ctx.cfg.data_dir;
  so.read_only = true;
  // Beside a server that is writing, a read-only open can meet a log file the server
  // just retired: tried again a few times before the totals are left out.
  std::string totals_error;
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto db = store::open(so);
    if (!db.ok()) {
      totals_error = db.err().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    totals_error.clear();
    if (auto proj = (*db)->project_id(summary.project); proj.ok())
      stats = graph_query((*db)->snapshot(), *proj).stats();
    disk = (*db)->disk_bytes();
    break;
  }
  return report_index(ctx, summary, stats, disk, totals_error, via_server);
}

int report_index(const context& ctx, const index_summary& summary, const graph_stats& stats, uint64_t disk,
                 const std::string& totals_error, const std::string& via_server) {
  if (!totals_error.empty() && !ctx.json)
    std::fprintf(stderr, "warning: the project's totals are not shown: %s\n", totals_error.c_str());
  if (ctx.json) {
    auto j = summary_json(summary);
    j["data_dir"] = ctx.cfg.data_dir;
    j["project_totals"] = stats_json(stats);
    j["store_bytes"] = disk;
    if (!via_server.empty()) j["server"] = via_server;
    if (!totals_error.empty()) j["project_totals_error"] = totals_error;
    print_json(j);
  } else if (!ctx.quiet || summary.outcome == index_phase::failed) {
    print_summary(stdout, summary);
    std::printf("\nProject \"%s\" now holds (store %s in %s%s):\n\n", summary.project.c_str(),
                human_bytes(disk).c_str(), ctx.cfg.data_dir.c_str(),
                via_server.empty() ? "" : (", indexed by the server at " + via_server).c_str());
    print_stats(stdout, stats);
  }
  return summary.outcome == index_phase::failed ? exit_runtime : exit_ok;
}

int index_via_server(const context& ctx, const index_request& req, const server_file& srv, const std::string& over) {
  json body = {{"name", req.project}, {"root", req.root}, {"index", true}, {"walk", walk_json(ctx, req)}};
  if (!over.empty()) body["over"] = over;
  auto started = call(srv, "POST", "/api/v1/projects", body.dump());
  if (!started.ok()) return report_error(ctx.json, exit_runtime, started.err().message);
  auto task = started->value("task", uint64_t{0});
  if (task == 0) return report_error(ctx.json, exit_runtime, "the server started no task: " + started->dump());
  bool show = !ctx.json && !ctx.quiet;
  if (show)
    std::fprintf(stderr, "a codegraph server (pid %d, %s) owns %s: it runs this index as task %llu\n", srv.pid,
                 srv.url.c_str(), ctx.cfg.data_dir.c_str(), static_cast<unsigned long long>(task));

  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  progress_bar bar(show && ::isatty(STDERR_FILENO));
  auto path = "/api/v1/tasks/" + std::to_string(task);
  json last;
  bool cancel_sent = false;
  for (;;) {
    if (interrupted && !cancel_sent) {
      cancel_sent = true;
      (void)call(srv, "DELETE", path);  // the task ends as cancelled; keep following it
    }
    auto t = call(srv, "GET", path);
    if (!t.ok()) {
      bar.finish();
      sigaction(SIGINT, &old_int, nullptr);
      sigaction(SIGTERM, &old_term, nullptr);
      return report_error(ctx.json, exit_runtime, t.err().message + " (task " + std::to_string(task) + ")");
    }
    last = std::move(*t);
    if (last.contains("progress")) bar.update(progress_from_json(last["progress"]));
    if (last.value("state", std::string("running")) != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bar.finish();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  auto summary = summary_from_json(last.contains("summary") ? last["summary"] : json::object());
  if (summary.project.empty()) summary.project = req.project;
  return report_index(ctx, summary, srv.url);
}

}  // namespace cg::cli
