#include "actors/git/git_follow.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "actors/git/ref_watch.hpp"
#include "storage/store.hpp"

namespace cg {

result<follow_plan> plan_follow(const git_repo& repo, store& db, const std::string& project, const std::string& branch,
                                size_t max_walk) {
  follow_plan plan;
  plan.branch = branch.empty() ? repo.head_branch() : branch;
  if (plan.branch.empty())
    return make_error(errc::invalid_argument, "HEAD of " + repo.root() + " names no branch: name one to follow");
  auto tip = repo.commit("refs/heads/" + plan.branch);
  if (!tip.ok()) return make_error(tip.err().code, "no branch " + plan.branch + " in " + repo.root());
  plan.tip = tip->sha;
  std::set<std::string> indexed;
  if (auto proj = db.project_id(project); proj.ok())
    if (auto refs = db.refs(*proj, "commit/"); refs.ok())
      for (const auto& [name, v] : *refs) indexed.insert(name.substr(7));
  // Back along first parents to the newest commit indexed already.
  std::vector<git_commit_info> chain;
  git_commit_info c = *tip;
  bool found = false;
  for (size_t i = 0; i < max_walk; ++i) {
    if (indexed.count(c.sha)) {
      found = true;
      break;
    }
    chain.push_back(c);
    if (c.parents.empty()) break;
    auto parent = repo.commit(c.parents.front());
    if (!parent.ok()) break;  // a shallow clone's boundary
    c = std::move(*parent);
  }
  // None of the branch's history indexed (a first index, or another branch's): the
  // tip alone, not the whole history (incremental from what the project holds).
  if (!found && chain.size() > 1) chain.resize(1);
  plan.commits.assign(chain.rbegin(), chain.rend());
  return plan;
}

result<indexed_commit> nearest_indexed_commit(const git_repo& repo, const store& db, uint32_t proj,
                                              const std::string& sha, size_t max_walk) {
  indexed_commit out;
  std::string at = sha;
  for (size_t i = 0; i < max_walk; ++i) {
    auto v = db.ref(proj, "commit/" + at);
    if (!v.ok()) return v.err();
    if (*v) return indexed_commit{*v, at};
    auto commit = repo.commit(at);
    if (!commit.ok() || commit->parents.empty()) break;  // a root, or a shallow clone's boundary
    at = commit->parents.front();
  }
  return out;
}

result<std::vector<uint64_t>> indexed_parent_versions(const git_repo& repo, const store& db, uint32_t proj,
                                                      const git_commit_info& c, size_t max_walk) {
  std::vector<uint64_t> out;
  for (const auto& first : c.parents) {
    std::string sha = first;
    for (size_t i = 0; i < max_walk; ++i) {
      auto v = db.ref(proj, "commit/" + sha);
      if (!v.ok()) return v.err();
      if (*v) {
        if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
        break;
      }
      auto commit = repo.commit(sha);
      if (!commit.ok() || commit->parents.empty()) break;  // a root, or a shallow clone's boundary
      sha = commit->parents.front();
    }
  }
  return out;
}

result<std::vector<std::string>> map_git_refs(const git_repo& repo, store& db, const std::string& project) {
  auto proj = db.project_id(project);
  if (!proj.ok()) return proj.err();
  std::vector<std::string> set;
  for (const auto& [name, sha] : repo.named_commits()) {
    auto v = db.ref(*proj, "commit/" + sha);
    if (!v.ok()) return v.err();
    if (!*v) continue;
    auto now = db.ref(*proj, name);
    if (now.ok() && *now == *v) continue;
    if (auto st = db.set_ref(*proj, name, *v); !st.ok()) return st.err();
    set.push_back(name);
  }
  return set;
}

git_follower::git_follower(std::string repo_path, std::string project, std::string branch, store& db, hooks h)
    : repo_path_(std::move(repo_path)),
      project_(std::move(project)),
      branch_(std::move(branch)),
      db_(db),
      hooks_(std::move(h)) {}

git_follower::~git_follower() = default;

status git_follower::catch_up() {
  // Opened afresh each round: refs moved on disk since the last one.
  auto repo = git_repo::open(repo_path_);
  if (!repo.ok()) return repo.err();
  auto plan = plan_follow(**repo, db_, project_, branch_);
  if (!plan.ok()) return plan.err();
  status st;
  for (const auto& c : plan->commits) {
    if (stop_) break;
    auto s = hooks_.index_commit(c);
    if (hooks_.on_commit) hooks_.on_commit(c, s);
    if (s.outcome != index_phase::done) {
      st = make_error(errc::internal, "indexing " + c.sha.substr(0, 10) + " failed: " + s.error);
      break;
    }
  }
  if (st.ok() && !stop_) {
    // branch/NAME on the tip, and every other branch and tag on what it names.
    auto mapped = map_git_refs(**repo, db_, project_);
    if (!mapped.ok()) st = mapped.err();
    // The work tree over the head it has checked out.
    if (st.ok() && hooks_.overlay && (*repo)->has_work_tree() && (*repo)->head_branch() == plan->branch) {
      uint64_t head_version = 0;
      if (auto proj = db_.project_id(project_); proj.ok())
        if (auto v = db_.ref(*proj, "commit/" + plan->tip); v.ok()) head_version = *v;
      hooks_.overlay((*repo)->root(), head_version);
    }
  }
  if (hooks_.on_round) hooks_.on_round(*plan, st);
  return st;
}

status git_follower::run() {
  auto repo = git_repo::open(repo_path_);
  if (!repo.ok()) return repo.err();
  std::vector<std::string> dirs{(*repo)->git_dir()};
  if ((*repo)->common_dir() != (*repo)->git_dir()) dirs.push_back((*repo)->common_dir());
  auto w = ref_watch::start(dirs);
  if (!w.ok()) return w.err();
  {
    std::lock_guard lock(mu_);
    watch_ = std::move(*w);
    if (stop_) watch_->stop();
  }
  // A first round that fails (no such branch, a corrupt repository) ends it; later
  // ones are retried on the next ref change.
  if (auto st = catch_up(); !st.ok()) return st;
  while (!stop_ && watch_->wait())
    if (auto st = catch_up(); !st.ok()) spdlog::warn("follow {}: {}", project_, st.err().message);
  return {};
}

void git_follower::stop() {
  std::lock_guard lock(mu_);
  stop_ = true;
  if (watch_) watch_->stop();
}

}  // namespace cg
