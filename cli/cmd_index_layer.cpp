// codegraph index PATH --over PROJECT: a second work tree of PROJECT's repository (a
// linked worktree, another branch checked out elsewhere) indexed as a layer over the
// version of the nearest commit of its HEAD's history that PROJECT holds, so that only
// its differences are stored.
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

// The work tree's HEAD indexed into the base project (from its nearest indexed
// ancestor, as `index --git` would): for a layer whose history the base holds nothing of.
result<index_summary> index_head(const context& ctx, engine& eng, const std::string& root, const std::string& base) {
  auto repo = git_repo::open(root);
  if (!repo.ok()) return repo.err();
  auto head = (*repo)->commit("HEAD");
  if (!head.ok()) return head.err();
  index_request req;
  req.root = (*repo)->root();
  req.project = base;
  if (auto bad = apply_index_config(ctx, req); !bad.empty()) return make_error(errc::invalid_argument, bad);
  req.git = *head;
  progress_bar bar(!ctx.json && !ctx.quiet && ::isatty(STDERR_FILENO));
  auto run = eng.index(req, [&bar](const index_progress& pr) { bar.update(pr); });
  bar.finish();
  if (run.outcome != index_phase::done)
    return make_error(errc::internal, "indexing " + head->sha.substr(0, 10) + " into \"" + base +
                                          "\" failed: " + (run.error.empty() ? std::string("cancelled") : run.error));
  return run;
}

}  // namespace

int run_index_layer(const context& ctx, const index_args& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto abs = fs::weakly_canonical(args.path.empty() ? "." : args.path, ec);
  if (ec || !fs::is_directory(abs, ec))
    return report_error(ctx.json, exit_usage, "cannot index " + args.path + ": not a directory");
  auto repo = git_repo::open(abs.string());
  if (!repo.ok()) return report_error(ctx.json, exit_usage, "--over indexes a git work tree: " + repo.err().message);
  const std::string root = (*repo)->root();
  const std::string name = ctx.project.empty() ? fs::path(root).filename().string() : ctx.project;
  if (name == args.over)
    return report_error(ctx.json, exit_usage, "the layer needs a project name of its own: --project NAME");
  index_request req;
  req.root = root;
  req.project = name;
  if (auto bad = apply_index_config(ctx, req); !bad.empty()) return report_error(ctx.json, exit_usage, bad);
  exclude_data_dir(ctx, req);
  auto eo = engine_options_for(ctx);
  eo.parser_workers = ctx.cfg.index.jobs;
  auto eng = engine::open(eo);
  if (!eng.ok()) {
    // A server owns the store: it lays the work tree over the project instead.
    if (eng.err().code == errc::conflict)
      if (auto srv = find_server(ctx.cfg.data_dir)) return index_via_server(ctx, req, *srv, args.over);
    return report_error(ctx.json, exit_runtime, eng.err().message);
  }
  auto& db = (*eng)->storage();
  if (!db.project_id(args.over).ok())
    return report_error(ctx.json, exit_runtime,
                        "no project \"" + args.over + "\" to lie over (index its repository first: " +
                            "codegraph index --git HEAD --project " + args.over + " REPO)");
  // Over the nearest commit of HEAD's history the base holds; none: HEAD indexed there first.
  std::optional<index_summary> base_run;
  auto layer = (*eng)->lay_over(name, root, args.over);
  if (!layer.ok() && layer.err().code == errc::not_found) {
    auto ran = index_head(ctx, **eng, root, args.over);
    if (!ran.ok()) return report_error(ctx.json, exit_runtime, ran.err().message);
    base_run = *ran;
    layer = (*eng)->lay_over(name, root, args.over);
  }
  if (!layer.ok())
    return report_error(ctx.json, exit_runtime,
                        "\"" + name + "\" cannot lie over \"" + args.over + "\": " + layer.err().message);

  progress_bar bar(!ctx.json && !ctx.quiet && ::isatty(STDERR_FILENO));
  auto summary = (*eng)->index(req, [&bar](const index_progress& p) { bar.update(p); });
  bar.finish();

  nlohmann::json lj = {{"over", layer->over}, {"version", layer->version}, {"commit", layer->commit},
                       {"head", layer->head}, {"rebased", layer->rebased}, {"base_indexed", base_run.has_value()}};
  nlohmann::json info = {{"root", req.root},
                         {"last_indexed_unix", static_cast<int64_t>(std::time(nullptr))},
                         {"last_outcome", to_string(summary.outcome)},
                         {"layer", {{"over", layer->over}, {"version", layer->version}, {"commit", layer->commit}}}};
  if (auto s = db.set_project_info(req.project, info.dump()); !s.ok())
    return report_error(ctx.json, exit_runtime, s.err().message);
  graph_stats stats;
  if (auto proj = db.project_id(name); proj.ok()) {
    if (auto own = db.layer_keys(*proj); own.ok()) {
      lj["keys"] = own->keys;
      lj["bytes"] = own->bytes;
    }
    stats = graph_query(db.snapshot(), *proj).stats();
  }
  eng->reset();
  auto disk = store::disk_bytes_in(ctx.cfg.data_dir);
  const bool ok = summary.outcome == index_phase::done;
  if (ctx.json) {
    auto j = summary_json(summary);
    j["layer"] = lj;
    j["data_dir"] = ctx.cfg.data_dir;
    j["project_totals"] = stats_json(stats);
    j["store_bytes"] = disk;
    print_json(j);
    return ok ? exit_ok : exit_runtime;
  }
  if (ctx.quiet && ok) return exit_ok;
  if (base_run)
    std::printf("%.10s (HEAD) indexed into \"%s\" first: none of its history was (%zu files parsed)\n\n",
                layer->head.c_str(), args.over.c_str(), base_run->added + base_run->changed);
  print_summary(stdout, summary);
  std::printf("\n\"%s\" lies over \"%s\" version %llu (%.10s%s)%s: %s keys of its own (%s)\n", name.c_str(),
              args.over.c_str(), static_cast<unsigned long long>(layer->version), layer->commit.c_str(),
              layer->commit == layer->head ? ", HEAD" : ", HEAD's nearest indexed ancestor",
              layer->rebased ? ", laid afresh" : "",
              lj.contains("keys") ? std::to_string(lj["keys"].get<uint64_t>()).c_str() : "?",
              lj.contains("bytes") ? human_bytes(lj["bytes"].get<uint64_t>()).c_str() : "?");
  std::printf("\nProject \"%s\" now holds (store %s in %s):\n\n", name.c_str(), human_bytes(disk).c_str(),
              ctx.cfg.data_dir.c_str());
  print_stats(stdout, stats);
  return ok ? exit_ok : exit_runtime;
}

}  // namespace cg::cli
