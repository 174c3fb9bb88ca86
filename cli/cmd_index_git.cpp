// codegraph index --git REV|A..B [PATH]: commits read straight from the repository's
// object database, each indexed as the next version (incremental from the last).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/engine.hpp"
#include "actors/git/git_follow.hpp"
#include "actors/git/git_repo.hpp"
#include "cli/commands.hpp"
#include "cli/index_remote.hpp"
#include "cli/output.hpp"
#include "cli/progress_bar.hpp"
#include "cli/report.hpp"

namespace cg::cli {
namespace {

// The versions already holding these commits (a re-run skips them).
std::map<std::string, uint64_t> indexed_commits(store& db, const std::string& project) {
  std::map<std::string, uint64_t> out;
  auto proj = db.project_id(project);
  if (!proj.ok()) return out;
  if (auto refs = db.refs(*proj, "commit/"); refs.ok())
    for (const auto& [name, v] : *refs) out[name.substr(7)] = v;
  return out;
}

nlohmann::json commit_json(const git_commit_info& c) {
  return {{"sha", c.sha}, {"author", c.author}, {"time", c.time}, {"summary", c.summary}};
}

}  // namespace

int run_index_git(const context& ctx, const index_args& args) {
  namespace fs = std::filesystem;
  auto repo = git_repo::open(args.path.empty() ? "." : args.path);
  if (!repo.ok()) return report_error(ctx.json, exit_runtime, repo.err().message);
  auto commits = (*repo)->range(args.git);
  if (!commits.ok()) return report_error(ctx.json, exit_runtime, commits.err().message);
  if (commits->empty())
    return report_error(ctx.json, exit_usage, "nothing to index: " + args.git + " holds no commits");

  index_request req;
  req.root = (*repo)->root();
  req.project = ctx.project;
  if (req.project.empty()) {
    auto name = fs::path(req.root).filename().string();
    if (name == ".git") name = fs::path(req.root).parent_path().filename().string();
    if (name.ends_with(".git")) name.resize(name.size() - 4);
    req.project = name.empty() ? "root" : name;
  }
  if (auto bad = apply_index_config(ctx, req); !bad.empty()) return report_error(ctx.json, exit_usage, bad);
  const bool want_vectors = req.vectors;

  auto eo = engine_options_for(ctx);
  eo.parser_workers = ctx.cfg.index.jobs;
  auto eng = engine::open(eo);
  if (!eng.ok()) {
    if (eng.err().code == errc::conflict)
      return report_error(ctx.json, exit_runtime,
                          eng.err().message + " (index --git runs in the CLI only: stop the server first)");
    return report_error(ctx.json, exit_runtime, eng.err().message);
  }
  auto done = indexed_commits((*eng)->storage(), req.project);
  const bool show = !ctx.json && !ctx.quiet;
  if (show && (*repo)->shallow())
    std::fprintf(stderr, "note: %s is a shallow clone: its history ends at the shallow boundary\n", req.root.c_str());

  nlohmann::json runs = nlohmann::json::array();
  index_summary last;
  bool failed = false;
  size_t indexed = 0;
  for (size_t i = 0; i < commits->size(); ++i) {
    const auto& c = (*commits)[i];
    if (auto it = done.find(c.sha); it != done.end()) {
      runs.push_back({{"commit", commit_json(c)}, {"version", it->second}, {"skipped", "already indexed"}});
      if (show && commits->size() > 1)
        std::printf("%.10s  v%-5llu already indexed  %s\n", c.sha.c_str(), static_cast<unsigned long long>(it->second),
                    c.summary.c_str());
      continue;
    }
    req.git = c;
    req.vectors = want_vectors && i + 1 == commits->size();  // the search index once, at the end
    progress_bar bar(show && ::isatty(STDERR_FILENO));
    last = (*eng)->index(req, [&bar](const index_progress& p) { bar.update(p); });
    bar.finish();
    ++indexed;
    auto j = summary_json(last);
    j["commit"] = commit_json(c);
    runs.push_back(j);
    if (last.outcome != index_phase::done) {
      failed = true;
      break;
    }
    if (show && commits->size() > 1) {
      auto v = last.version ? "v" + std::to_string(last.version) : std::string("-");
      std::printf("%.10s  %-6s +%zu ~%zu -%zu files%s  %s\n", c.sha.c_str(), v.c_str(), last.added, last.changed,
                  last.removed, last.version ? "" : " (no indexed file changed)", c.summary.c_str());
    }
  }
  nlohmann::json info = {{"root", req.root},
                         {"git", true},
                         {"last_indexed_unix", static_cast<int64_t>(std::time(nullptr))},
                         {"last_outcome", failed ? "failed" : "done"}};
  (void)(*eng)->storage().set_project_info(req.project, info.dump());
  // The repository's branches and tags name the versions of the commits they name.
  std::vector<std::string> mapped;
  if (auto m = map_git_refs(**repo, (*eng)->storage(), req.project); m.ok())
    mapped = *m;
  else
    std::fprintf(stderr, "warning: cannot name versions after git refs: %s\n", m.err().message.c_str());
  eng->reset();
  if (show && !mapped.empty()) {
    std::string names;
    for (const auto& n : mapped) names += (names.empty() ? "" : ", ") + n;
    std::fprintf(stderr, "refs: %s\n", names.c_str());
  }
  if (commits->size() == 1 && indexed == 1) return report_index(ctx, last);
  if (ctx.json) {
    print_json(
        {{"project", req.project}, {"root", req.root}, {"commits", runs}, {"indexed", indexed}, {"refs", mapped}});
  } else if (failed) {
    print_summary(stdout, last);
  } else if (show) {
    std::printf("%zu of %zu commits indexed into project \"%s\"\n", indexed, commits->size(), req.project.c_str());
  }
  return failed ? exit_runtime : exit_ok;
}

namespace {
// One JSON object per line (follow mode's output is a stream).
void print_line(const nlohmann::json& j) {
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}
}  // namespace

}  // namespace cg::cli

namespace cg::cli {

// codegraph index --follow [--git BRANCH] [REPO]: rounds of git_follower until SIGINT or
// SIGTERM; a line per commit indexed (NDJSON with --json).
int run_index_follow(const context& ctx, const index_args& args) {
  if (args.git.find("..") != std::string::npos)
    return report_error(ctx.json, exit_usage, "--follow takes a branch with --git, not a range");
  auto repo = git_repo::open(args.path.empty() ? "." : args.path);
  if (!repo.ok()) return report_error(ctx.json, exit_runtime, repo.err().message);
  index_request base;
  base.root = (*repo)->root();
  base.project = ctx.project.empty() ? std::filesystem::path(base.root).filename().string() : ctx.project;
  if (auto bad = apply_index_config(ctx, base); !bad.empty()) return report_error(ctx.json, exit_usage, bad);
  // Signals are taken by sigwait on a thread of their own: block them before any starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  auto eo = engine_options_for(ctx);
  eo.parser_workers = ctx.cfg.index.jobs;
  auto eng = engine::open(eo);
  if (!eng.ok())
    return report_error(
        ctx.json, exit_runtime,
        eng.err().message + (eng.err().code == errc::conflict ? " (a server follows with serve --follow)" : ""));
  const bool show = !ctx.json && !ctx.quiet;
  git_follower::hooks h;
  h.index_commit = [&](const git_commit_info& c) {
    auto req = base;
    req.git = c;
    return (*eng)->index(req);
  };
  h.overlay = [&](const std::string& work_tree, uint64_t head_version) {
    auto req = base;
    req.root = work_tree;
    req.versions = false;  // uncommitted changes: the open version over the head
    req.start_from = head_version;
    auto s = (*eng)->index(req);
    if (ctx.json)
      print_line(
          {{"event", "work_tree"}, {"changed", s.added + s.changed + s.removed}, {"outcome", to_string(s.outcome)}});
    else if (show && s.added + s.changed + s.removed)
      std::printf("work tree: +%zu ~%zu -%zu files over the head\n", s.added, s.changed, s.removed);
    std::fflush(stdout);
  };
  h.on_commit = [&](const git_commit_info& c, const index_summary& s) {
    if (ctx.json) {
      auto j = summary_json(s);
      j["event"] = "commit";
      j["commit"] = commit_json(c);
      print_line(j);
    } else if (show) {
      auto v = s.version ? "v" + std::to_string(s.version) : std::string("-");
      std::printf("%.10s  %-6s +%zu ~%zu -%zu files  %s\n", c.sha.c_str(), v.c_str(), s.added, s.changed, s.removed,
                  c.summary.c_str());
    }
    std::fflush(stdout);
  };
  h.on_round = [&](const follow_plan& p, const status& st) {
    if (!st.ok())
      report_error(ctx.json, exit_runtime, st.err().message);
    else if (ctx.json)
      print_line({{"event", "following"}, {"branch", p.branch}, {"tip", p.tip}, {"indexed", p.commits.size()}});
    else if (show)
      std::printf("following %s at %.10s (waiting for commits; Ctrl-C stops)\n", p.branch.c_str(), p.tip.c_str());
    std::fflush(stdout);
  };
  git_follower follower((*repo)->root(), base.project, args.git, (*eng)->storage(), std::move(h));
  // The signals are waited for on this (the main) thread: the kernel hands a signal for
  // the process to the main thread first when it waits, and never to a thread that
  // does not block it (OpenBLAS starts its pool before main, with nothing blocked).
  status st;
  const pthread_t main_thread = pthread_self();
  std::thread rounds([&] {
    st = follower.run();
    pthread_kill(main_thread, SIGTERM);  // run() ended by itself: wake the wait below
  });
  int sig = 0;
  sigwait(&sigs, &sig);
  follower.stop();
  rounds.join();
  eng->reset();
  if (!st.ok()) return report_error(ctx.json, exit_runtime, st.err().message);
  return exit_ok;
}

}  // namespace cg::cli
