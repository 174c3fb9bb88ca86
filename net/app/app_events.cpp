// Engine events into the hub and the task registry, index runs (root checks, watch
// mode), the audit log.
#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/engine_json.hpp"
#include "actors/indexer/watch_scheduler.hpp"
#include "net/app/app.hpp"
#include "net/app/ws_events.hpp"
#include "schema/client_json.hpp"

namespace cg::net {
namespace {

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

namespace {
const char* task_state_of(index_phase outcome) {
  return outcome == index_phase::done ? "done" : outcome == index_phase::cancelled ? "cancelled" : "failed";
}
}  // namespace

void app::on_event(const event& e) {
  if (auto* c = std::get_if<node_changes>(&e.payload)) cache_.invalidate(c->project);
  // A task is over before any listener hears so: one that starts listening later and
  // then looks at the task sees it over (parseProgress(taskId) never waits forever).
  if (auto* s = std::get_if<index_summary>(&e.payload))
    tasks_.finished(s->task, task_state_of(s->outcome), summary_json(*s).dump());
  hub_.call_listeners(e);
  // Task registry and task streams.
  if (auto* p = std::get_if<index_progress>(&e.payload)) tasks_.progress(p->task, progress_json(*p).dump());
  hub_.send_to_clients(e);
}

result<uint64_t> app::start_index(const std::string& project, const std::string& root, std::vector<std::string> only,
                                  bool trusted, const walk_options* walk) {
  auto abs = trusted ? trusted_root(root) : check_root(root);
  if (!abs.ok()) return abs.err();
  std::error_code ec;
  if (!std::filesystem::is_directory(*abs, ec)) return make_error(errc::invalid_argument, "not a directory: " + root);
  index_request req;
  req.project = project;
  req.root = *abs;
  if (walk)
    req.walk = *walk;
  else
    req.walk.max_file_bytes = opts_.max_file_bytes;
  req.vectors = opts_.vectors;
  req.only = std::move(only);
  // A watch run leaves the search index to catch up on its next use (the vector
  // actor syncs from the store's sequence before it answers): the next save is not
  // held up behind re-embedding.
  if (!req.only.empty()) req.vectors = false;
  return start_run(std::move(req));
}

result<std::pair<uint64_t, layer_info>> app::start_layer(const std::string& project, const std::string& root,
                                                         const std::string& over, bool trusted,
                                                         const walk_options* walk) {
  auto abs = trusted ? trusted_root(root) : check_root(root);
  if (!abs.ok()) return abs.err();
  if (eng_.indexing(project))
    return make_error(errc::conflict, "an index task of " + project + " is running; cancel it or wait");
  auto layer = eng_.lay_over(project, *abs, over);
  if (!layer.ok()) return layer.err();
  if (layer->rebased) cache_.invalidate(project);
  auto info = eng_.storage().project_info(project);
  nlohmann::json j = nlohmann::json::object();
  if (info.ok() && *info) j = nlohmann::json::parse(**info, nullptr, false);
  if (!j.is_object()) j = nlohmann::json::object();
  j["layer"] = {{"over", layer->over}, {"version", layer->version}, {"commit", layer->commit}};
  if (auto s = eng_.storage().set_project_info(project, j.dump()); !s.ok()) return s.err();
  auto task = start_index(project, *abs, {}, true, walk);
  if (!task.ok()) return task.err();
  return std::make_pair(*task, std::move(*layer));
}

result<uint64_t> app::start_run(index_request req, std::function<void(const index_summary&)> then) {
  const std::string project = req.project;
  std::error_code ec;
  auto data_abs = std::filesystem::weakly_canonical(opts_.data_dir, ec).string();
  if (!ec && data_abs.starts_with(req.root + "/"))
    req.walk.exclude.push_back("/" + data_abs.substr(req.root.size() + 1) + "/");
  if (auto proj = eng_.storage().ensure_project(project); !proj.ok()) return proj.err();
  auto info = eng_.storage().project_info(project);
  nlohmann::json j = nlohmann::json::object();
  if (info.ok() && *info) j = nlohmann::json::parse(**info, nullptr, false);
  if (!j.is_object()) j = nlohmann::json::object();
  j["root"] = req.root;
  if (auto s = eng_.storage().set_project_info(project, j.dump()); !s.ok()) return s.err();

  std::lock_guard lock(start_mu_);  // graph_done waits until watch mode knows the run
  // The engine calls back when the task ends, possibly after this app is gone (a task
  // still syncing its search index at shutdown): the callbacks hold the app's lifetime
  // guard and do nothing once it says the app is gone.
  auto life = life_;
  auto started = eng_.start_index(
      req,
      [this, project, life, then = std::move(then)](const index_summary& s) {
        if (then) then(s);  // a follower waits for this even while the app goes
        std::shared_lock alive(life->mu);
        if (!life->alive) return;
        tasks_.ended(s.task, task_state_of(s.outcome), summary_json(s).dump());
        auto info = eng_.storage().project_info(project);
        nlohmann::json pj = nlohmann::json::object();
        if (info.ok() && *info) pj = nlohmann::json::parse(**info, nullptr, false);
        if (!pj.is_object()) pj = nlohmann::json::object();
        pj["last_indexed_unix"] = unix_now();
        pj["last_outcome"] = to_string(s.outcome);
        (void)eng_.storage().set_project_info(project, pj.dump());
      },
      [this, project, life] {
        std::shared_lock alive(life->mu);
        if (!life->alive) return;
        // The graph is written: a queued watch batch may start while this task's search
        // index sync goes on (watch runs leave the vectors to catch up on their next use;
        // the first save after an initial index waited for its embeddings and HNSW build).
        { std::lock_guard lock(start_mu_); }  // start_index has told watch mode the run started
        if (watch_) watch_->run_ended(project);
      });
  if (!started.ok()) return started.err();
  if (watch_) watch_->run_started(project, req.root, req.walk);
  tasks_.started(*started, project, req.root, unix_now());
  return *started;
}

result<std::string> app::trusted_root(const std::string& path) const {
  if (path.empty() || path.find('\0') != std::string::npos || !std::filesystem::path(path).is_absolute())
    return make_error(errc::invalid_argument, "the root must be an absolute path");
  std::error_code ec;
  auto canon = std::filesystem::canonical(path, ec);
  if (ec) return make_error(errc::invalid_argument, "cannot resolve " + path + ": " + ec.message());
  return canon.string();
}

std::optional<task_info> app::task(uint64_t id) { return tasks_.get(id); }

std::vector<task_info> app::tasks() { return tasks_.all(); }

void app::watch_task(uint64_t id, std::shared_ptr<stream_sink> sink, bool sse) {
  tasks_.stream(id, std::move(sink), sse);
}

std::vector<std::string> app::registered_roots() const {
  std::vector<std::string> out;
  auto all = eng_.storage().projects();
  if (!all.ok()) return out;
  for (const auto& [name, id] : *all) {
    auto info = eng_.storage().project_info(name);
    if (!info.ok() || !*info) continue;
    auto j = nlohmann::json::parse(**info, nullptr, false);
    if (j.is_object() && j.contains("root") && j["root"].is_string() && !j["root"].get<std::string>().empty())
      out.push_back(j["root"].get<std::string>());
  }
  return out;
}

result<std::string> app::check_root(const std::string& path) const {
  namespace fs = std::filesystem;
  if (path.empty()) return make_error(errc::invalid_argument, "a root path is required");
  if (path.find('\0') != std::string::npos) return make_error(errc::invalid_argument, "the root holds a NUL byte");
  if (!fs::path(path).is_absolute()) return make_error(errc::invalid_argument, "the root must be an absolute path");
  std::error_code ec;
  auto canon = fs::canonical(path, ec);  // resolves symlinks and ..
  if (ec) return make_error(errc::invalid_argument, "cannot resolve " + path + ": " + ec.message());
  auto c = canon.string();
  std::vector<std::string> allowed = opts_.allowed_roots;
  if (allowed.empty()) {
    if (opts_.auth.enabled) return c;
    // No auth: anyone who reaches the port is admin, so only the roots of projects
    // registered already (by serve --project-root or the config) may be indexed.
    allowed = registered_roots();
    if (allowed.empty())
      return make_error(errc::invalid_argument,
                        "with --no-auth, projects may only be indexed under registered project roots or [server] "
                        "allowed_roots; none is registered");
  }
  for (const auto& a : allowed) {
    auto ac = fs::canonical(a, ec);
    if (ec) continue;
    auto as = ac.string();
    if (c == as || c.starts_with(as == "/" ? as : as + "/")) return c;
  }
  return make_error(errc::invalid_argument, "path is outside the allowed roots: " + path);
}

void app::audit(const api_request& req, std::string_view action, const std::string& detail) {
  if (!audit_.enabled()) return;
  audit_.record({unix_now(), req.request_id, req.who.subject, std::string(to_string(req.who.granted)), req.remote_ip,
                 req.method, req.path, action, detail});
}

}  // namespace cg::net

namespace cg::net {

void app::unwatch(const std::string& project) {
  if (watch_) watch_->unwatch(project);
}

size_t app::watched_projects() { return watch_ ? watch_->watched() : 0; }

bool app::watching(const std::string& project) { return watch_ && watch_->watching(project); }

std::vector<std::string> app::pending_files(const std::string& project) {
  return watch_ ? watch_->pending(project) : std::vector<std::string>{};
}

}  // namespace cg::net
