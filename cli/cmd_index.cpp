// codegraph index PATH
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "cli/commands.hpp"
#include "cli/index_remote.hpp"
#include "cli/output.hpp"
#include "cli/progress_bar.hpp"
#include "cli/report.hpp"
#include "storage/store.hpp"

namespace cg::cli {

std::string apply_index_config(const context& ctx, index_request& req) {
  req.walk.max_file_bytes = ctx.cfg.index.max_file_size;
  req.walk.include = ctx.cfg.index.include;
  req.walk.exclude = ctx.cfg.index.exclude;
  req.walk.follow_symlinks = ctx.cfg.index.follow_symlinks;
  req.walk.respect_gitignore = ctx.cfg.index.gitignore;
  req.versions = ctx.cfg.index.versions;
  req.vectors = ctx.cfg.search.vectors;
  for (const auto& l : ctx.cfg.index.languages) {
    auto lang = parse_language(l);
    if (!lang) return "unknown language '" + l + "' (python, rust, javascript, typescript, go, java, c, cpp)";
    req.walk.languages.push_back(*lang);
    if (*lang == language::typescript) req.walk.languages.push_back(language::tsx);
    if (*lang == language::javascript) req.walk.languages.push_back(language::jsx);
  }
  return {};
}

void exclude_data_dir(const context& ctx, index_request& req) {
  std::error_code ec;
  auto data_abs = std::filesystem::weakly_canonical(ctx.cfg.data_dir, ec).string();
  if (!ec && data_abs.starts_with(req.root + "/"))
    req.walk.exclude.push_back("/" + data_abs.substr(req.root.size() + 1) + "/");
}

int run_index(const context& ctx, const index_args& args) {
  if (!args.over.empty()) {
    if (args.follow || !args.git.empty())
      return report_error(ctx.json, exit_usage, "index --over indexes a work tree: without --git or --follow");
    return run_index_layer(ctx, args);
  }
  if (args.follow) return run_index_follow(ctx, args);
  if (!args.git.empty()) return run_index_git(ctx, args);
  if (args.path.empty())
    return report_error(ctx.json, exit_usage, "index: a path is required (the directory to index, or --git REV)");
  namespace fs = std::filesystem;
  std::error_code ec;
  auto abs = fs::weakly_canonical(args.path, ec);
  if (ec || !fs::exists(abs, ec))
    return report_error(ctx.json, exit_runtime, "cannot index " + args.path + ": no such file or directory");
  if (!fs::is_directory(abs, ec))
    return report_error(ctx.json, exit_runtime, "cannot index " + args.path + ": not a directory");

  index_request req;
  req.root = abs.string();
  req.project = ctx.project;
  if (req.project.empty()) {
    req.project = abs.filename().string();
    if (req.project.empty()) req.project = "root";
  }
  if (auto bad = apply_index_config(ctx, req); !bad.empty()) return report_error(ctx.json, exit_usage, bad);
  exclude_data_dir(ctx, req);

  auto eo = engine_options_for(ctx);
  eo.parser_workers = ctx.cfg.index.jobs;
  auto t_open = std::chrono::steady_clock::now();
  auto eng = engine::open(eo);
  spdlog::debug("index: engine open in {:.1f} ms",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_open).count());
  if (!eng.ok()) {
    // A server owns the store: it runs the index instead.
    if (eng.err().code == errc::conflict)
      if (auto srv = find_server(ctx.cfg.data_dir)) return index_via_server(ctx, req, *srv);
    return report_error(ctx.json, exit_runtime, eng.err().message);
  }

  progress_bar bar(!ctx.json && !ctx.quiet && ::isatty(STDERR_FILENO));
  auto summary = (*eng)->index(req, [&bar](const index_progress& p) { bar.update(p); });
  bar.finish();

  nlohmann::json info = {{"root", req.root},
                         {"last_indexed_unix", static_cast<int64_t>(std::time(nullptr))},
                         {"last_outcome", to_string(summary.outcome)}};
  if (auto s = (*eng)->storage().set_project_info(req.project, info.dump()); !s.ok())
    return report_error(ctx.json, exit_runtime, s.err().message);
  // The totals from the store still open; then the engine closes (its last flush).
  auto t0 = std::chrono::steady_clock::now();
  graph_stats stats;
  if (auto proj = (*eng)->storage().project_id(summary.project); proj.ok())
    stats = graph_query((*eng)->storage().snapshot(), *proj).stats();
  auto t1 = std::chrono::steady_clock::now();
  eng->reset();
  auto t2 = std::chrono::steady_clock::now();
  auto disk = store::disk_bytes_in(ctx.cfg.data_dir);
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  spdlog::debug("index: totals {:.1f} ms, engine closed in {:.1f} ms, disk bytes {:.1f} ms", ms(t0, t1), ms(t1, t2),
                ms(t2, std::chrono::steady_clock::now()));
  return report_index(ctx, summary, stats, disk);
}

}  // namespace cg::cli
