// Follow mode in the server: a thread per followed branch (actors/git/git_follow.hpp)
// that indexes each new commit as a version through the app's own task pipeline (it
// shows in /api/v1/tasks, its progress streams, watch mode waits for it) and then lays
// the work tree over the new head (an index run that commits no version).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/git/git_follow.hpp"
#include "net/app/app.hpp"

namespace cg::net {

struct app::follower_entry {
  std::unique_ptr<git_follower> follower;
  std::atomic<uint64_t> task{0};  // the run it waits for (cancelled on shutdown)
  std::thread thread;
};

index_summary app::run_to_end(index_request req, std::atomic<uint64_t>& task) {
  // One run of a project at a time: a run the project has going (a watch batch, a
  // REST index) ends first.
  while (eng_.indexing(req.project) && !followers_stopped_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (followers_stopped_) {
    index_summary s;
    s.project = req.project;
    s.outcome = index_phase::cancelled;
    return s;
  }
  auto done = std::make_shared<std::promise<index_summary>>();
  auto ended = done->get_future();
  auto started = start_run(req, [done](const index_summary& s) { done->set_value(s); });
  if (!started.ok()) {
    index_summary s;
    s.project = req.project;
    s.outcome = index_phase::failed;
    s.error = started.err().message;
    return s;
  }
  task = *started;
  auto s = ended.get();
  task = 0;
  return s;
}

status app::follow(const std::string& project, const std::string& repo_path, const std::string& branch) {
  auto repo = git_repo::open(repo_path);
  if (!repo.ok()) return repo.err();
  auto root = trusted_root((*repo)->root());
  if (!root.ok()) return root.err();
  if (branch.empty() && (*repo)->head_branch().empty())
    return make_error(errc::invalid_argument,
                      "HEAD of " + (*repo)->root() + " names no branch: name one (REPO#BRANCH)");
  if (!branch.empty() && !(*repo)->commit("refs/heads/" + branch).ok())
    return make_error(errc::not_found, "no branch " + branch + " in " + (*repo)->root());
  auto entry = std::make_shared<follower_entry>();
  git_follower::hooks h;
  walk_options walk;
  walk.max_file_bytes = opts_.max_file_bytes;
  auto request = [this, project, root = *root, walk] {
    index_request req;
    req.project = project;
    req.root = root;
    req.walk = walk;
    req.vectors = opts_.vectors;
    return req;
  };
  h.index_commit = [this, entry, request](const git_commit_info& c) {
    auto req = request();
    req.git = c;
    return run_to_end(std::move(req), entry->task);
  };
  h.overlay = [this, entry, request](const std::string&, uint64_t head_version) {
    auto req = request();
    req.versions = false;           // uncommitted: the open version over the head
    req.start_from = head_version;  // a checkout of an indexed commit: from its version
    auto s = run_to_end(std::move(req), entry->task);
    if (s.outcome == index_phase::failed) spdlog::warn("follow {}: the work tree: {}", s.project, s.error);
  };
  h.on_commit = [project](const git_commit_info& c, const index_summary& s) {
    spdlog::info("follow {}: {} {} -> version {} ({})", project, c.sha.substr(0, 10), c.summary, s.version,
                 to_string(s.outcome));
  };
  entry->follower = std::make_unique<git_follower>(repo_path, project, branch, eng_.storage(), std::move(h));
  if (auto p = eng_.storage().ensure_project(project); !p.ok()) return p.err();
  auto info = eng_.storage().project_info(project);
  nlohmann::json j = nlohmann::json::object();
  if (info.ok() && *info) j = nlohmann::json::parse(**info, nullptr, false);
  if (!j.is_object()) j = nlohmann::json::object();
  j["root"] = *root;
  j["follow"] = {{"repository", (*repo)->root()}, {"branch", branch.empty() ? "HEAD" : branch}};
  (void)eng_.storage().set_project_info(project, j.dump());
  entry->thread = std::thread([e = entry.get(), project] {
    if (auto st = e->follower->run(); !st.ok()) spdlog::error("follow {}: {}", project, st.err().message);
  });
  std::lock_guard lock(follow_mu_);
  followers_.push_back(std::move(entry));
  return {};
}

void app::stop_followers() {
  followers_stopped_ = true;
  std::vector<std::shared_ptr<follower_entry>> all;
  {
    std::lock_guard lock(follow_mu_);
    all.swap(followers_);
  }
  for (auto& e : all) {
    e->follower->stop();
    if (auto t = e->task.load()) eng_.cancel(t);
  }
  for (auto& e : all) e->thread.join();  // no new run starts now; the running one was cancelled
}

}  // namespace cg::net
