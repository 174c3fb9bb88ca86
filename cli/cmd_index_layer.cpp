// codegraph index PATH --over PROJECT: a second work tree of PROJECT's repository (a
// linked worktree, another branch checked out elsewhere) indexed as a layer over the
// version of its HEAD commit, so that only its differences are stored.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "actors/git/git_repo.hpp"
#include "cli/commands.hpp"
#include "cli/index_remote.hpp"
#include "cli/output.hpp"
#include "cli/progress_bar.hpp"
#include "cli/report.hpp"
#include "storage/store.hpp"

namespace cg::cli {
namespace {

struct layer_plan {
  std::unique_ptr<git_repo> repo;
  git_commit_info head;
  std::string name;  // the layer's project
};

result<layer_plan> plan_layer(const context& ctx, const index_args& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto abs = fs::weakly_canonical(args.path.empty() ? "." : args.path, ec);
  if (ec || !fs::is_directory(abs, ec))
    return make_error(errc::not_found, "cannot index " + args.path + ": not a directory");
  auto repo = git_repo::open(abs.string());
  if (!repo.ok()) return make_error(errc::invalid_argument, "--over indexes a git work tree: " + repo.err().message);
  if (!(*repo)->has_work_tree())
    return make_error(errc::invalid_argument, "--over indexes a work tree; " + abs.string() + " is a bare repository");
  auto head = (*repo)->commit("HEAD");
  if (!head.ok()) return make_error(errc::invalid_argument, "HEAD of " + (*repo)->root() + " names no commit yet");
  layer_plan p;
  p.name = ctx.project.empty() ? fs::path((*repo)->root()).filename().string() : ctx.project;
  if (p.name == args.over)
    return make_error(errc::invalid_argument, "the layer needs a project name of its own: --project NAME");
  p.repo = std::move(*repo);
  p.head = std::move(*head);
  return p;
}

// The version of the work tree's HEAD commit in the base project, indexed first when
// it is not yet (from its nearest indexed ancestor, as `index --git` would).
result<uint64_t> base_version(const context& ctx, engine& eng, const layer_plan& p, const std::string& base,
                              index_summary& run, bool& ran) {
  auto& db = eng.storage();
  auto proj = db.project_id(base);
  if (!proj.ok())
    return make_error(errc::not_found, "no project \"" + base + "\" to lie over (index its repository first: " +
                                           "codegraph index --git HEAD --project " + base + " REPO)");
  if (auto under = db.layer_of(*proj); under.ok() && *under)
    return make_error(errc::invalid_argument, "\"" + base + "\" is a layer itself: name the project under it");
  auto v = db.ref(*proj, "commit/" + p.head.sha);
  if (!v.ok()) return v.err();
  if (*v) return *v;
  index_request req;
  req.root = p.repo->root();
  req.project = base;
  if (auto bad = apply_index_config(ctx, req); !bad.empty()) return make_error(errc::invalid_argument, bad);
  req.git = p.head;
  ran = true;
  progress_bar bar(!ctx.json && !ctx.quiet && ::isatty(STDERR_FILENO));
  run = eng.index(req, [&bar](const index_progress& pr) { bar.update(pr); });
  bar.finish();
  if (run.outcome != index_phase::done)
    return make_error(errc::internal, "indexing " + p.head.sha.substr(0, 10) + " into \"" + base +
                                          "\" failed: " + (run.error.empty() ? std::string("cancelled") : run.error));
  v = db.ref(*proj, "commit/" + p.head.sha);
  if (!v.ok()) return v.err();
  if (!*v) return make_error(errc::internal, "the commit " + p.head.sha.substr(0, 10) + " got no version");
  return *v;
}

}  // namespace

int run_index_layer(const context& ctx, const index_args& args) {
  namespace fs = std::filesystem;
  auto plan = plan_layer(ctx, args);
  if (!plan.ok()) return report_error(ctx.json, exit_usage, plan.err().message);
  auto eo = engine_options_for(ctx);
  eo.parser_workers = ctx.cfg.index.jobs;
  auto eng = engine::open(eo);
  if (!eng.ok()) {
    if (eng.err().code == errc::conflict)
      return report_error(ctx.json, exit_runtime,
                          eng.err().message + " (index --over runs in the CLI only: stop the server first)");
    return report_error(ctx.json, exit_runtime, eng.err().message);
  }
  auto& db = (*eng)->storage();
  index_summary base_run;
  bool base_ran = false;
  auto version = base_version(ctx, **eng, *plan, args.over, base_run, base_ran);
  if (!version.ok()) return report_error(ctx.json, exit_runtime, version.err().message);
  auto base = db.project_id(args.over);
  auto proj = db.ensure_project(plan->name);
  if (!proj.ok()) return report_error(ctx.json, exit_runtime, proj.err().message);
  auto before = db.layer_of(*proj);
  if (auto st = db.set_layer(*proj, {*base, *version}); !st.ok())
    return report_error(ctx.json, exit_runtime,
                        "\"" + plan->name + "\" cannot lie over \"" + args.over + "\": " + st.err().message);
  const bool rebased = !before.ok() || !*before || !(**before == store::layer_base{*base, *version});

  index_request req;
  req.root = plan->repo->root();
  req.project = plan->name;
  if (auto bad = apply_index_config(ctx, req); !bad.empty()) return report_error(ctx.json, exit_usage, bad);
  std::error_code ec;
  auto data_abs = fs::weakly_canonical(ctx.cfg.data_dir, ec).string();
  if (!ec && data_abs.starts_with(req.root + "/"))
    req.walk.exclude.push_back("/" + data_abs.substr(req.root.size() + 1) + "/");
  progress_bar bar(!ctx.json && !ctx.quiet && ::isatty(STDERR_FILENO));
  auto summary = (*eng)->index(req, [&bar](const index_progress& p) { bar.update(p); });
  bar.finish();

  nlohmann::json layer = {{"over", args.over},
                          {"version", *version},
                          {"commit", plan->head.sha},
                          {"rebased", rebased},
                          {"base_indexed", base_ran}};
  nlohmann::json info = {{"root", req.root},
                         {"last_indexed_unix", static_cast<int64_t>(std::time(nullptr))},
                         {"last_outcome", to_string(summary.outcome)},
                         {"layer", layer}};
  if (auto s = db.set_project_info(req.project, info.dump()); !s.ok())
    return report_error(ctx.json, exit_runtime, s.err().message);
  auto own = db.layer_keys(*proj);
  if (own.ok()) {
    layer["keys"] = own->keys;
    layer["bytes"] = own->bytes;
  }
  auto stats = graph_query(db.snapshot(), *proj).stats();
  eng->reset();
  auto disk = store::disk_bytes_in(ctx.cfg.data_dir);
  if (ctx.json) {
    auto j = summary_json(summary);
    j["layer"] = layer;
    j["data_dir"] = ctx.cfg.data_dir;
    j["project_totals"] = stats_json(stats);
    j["store_bytes"] = disk;
    print_json(j);
    return summary.outcome == index_phase::done ? exit_ok : exit_runtime;
  }
  if (ctx.quiet && summary.outcome == index_phase::done) return exit_ok;
  if (base_ran)
    std::printf("%.10s indexed into \"%s\" as version %llu first (%zu files parsed)\n\n", plan->head.sha.c_str(),
                args.over.c_str(), static_cast<unsigned long long>(*version), base_run.added + base_run.changed);
  print_summary(stdout, summary);
  std::printf("\n\"%s\" lies over \"%s\" version %llu (%.10s, HEAD of %s)%s: %s keys of its own (%s)\n",
              plan->name.c_str(), args.over.c_str(), static_cast<unsigned long long>(*version), plan->head.sha.c_str(),
              req.root.c_str(), rebased ? ", laid afresh" : "", own.ok() ? std::to_string(own->keys).c_str() : "?",
              own.ok() ? human_bytes(own->bytes).c_str() : "?");
  std::printf("\nProject \"%s\" now holds (store %s in %s):\n\n", plan->name.c_str(), human_bytes(disk).c_str(),
              ctx.cfg.data_dir.c_str());
  print_stats(stdout, stats);
  return summary.outcome == index_phase::done ? exit_ok : exit_runtime;
}

}  // namespace cg::cli
