// codegraph backup create|list|verify|restore DIR: RocksDB backups of the store.
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "storage/backup.hpp"
#include "storage/store.hpp"

namespace cg::cli {
namespace {

int create(const context& ctx, const backup_args& a) {
  store_options so;
  so.dir = ctx.cfg.data_dir;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(so.dir) / "CURRENT", ec))
    return report_error(ctx.json, exit_runtime, "no CodeGraph store in " + so.dir + " to back up");
  auto db = store::open(so);
  if (!db.ok()) {
    auto msg = db.err().message;
    if (db.err().code == errc::conflict) msg += " (a running server backs up with POST /api/v1/admin/backups)";
    return report_error(ctx.json, exit_runtime, msg);
  }
  backup_request req;
  req.note = a.note;
  auto b = create_backup(**db, a.dir, req);
  if (!b.ok()) return report_error(ctx.json, exit_runtime, b.err().message);
  if (ctx.json)
    print_json(to_json(*b));
  else if (!ctx.quiet)
    std::printf(
        "backup %u of %s in %s: %u files, %s, and the search index of %u project(s), %s (unchanged files are "
        "shared with earlier backups)\n",
        b->id, ctx.cfg.data_dir.c_str(), a.dir.c_str(), b->files, human_bytes(b->bytes).c_str(), b->search_projects,
        human_bytes(b->search_bytes).c_str());
  return exit_ok;
}

}  // namespace

int run_backup(const context& ctx, const backup_args& a) {
  if (a.action == "create") return create(ctx, a);
  if (a.action == "restore") {
    auto b = restore_backup(a.dir, a.id, ctx.cfg.data_dir);
    if (!b.ok())
      return report_error(ctx.json, b.err().code == errc::conflict ? exit_usage : exit_runtime, b.err().message);
    if (ctx.json)
      print_json({{"restored", to_json(b->backup)}, {"data_dir", ctx.cfg.data_dir}, {"search", b->search}});
    else if (!ctx.quiet)
      std::printf("restored backup %u (%s) into %s; search index: %s\n", b->backup.id,
                  local_time(b->backup.created).c_str(), ctx.cfg.data_dir.c_str(),
                  b->search == "none" ? "none in the backup, built on first use" : b->search.c_str());
    return exit_ok;
  }
  auto all = list_backups(a.dir);
  if (!all.ok()) return report_error(ctx.json, exit_runtime, all.err().message);
  if (a.action == "verify") {
    nlohmann::json out = nlohmann::json::array();
    bool bad = false, any = false;
    for (const auto& b : *all) {
      if (a.id && b.id != a.id) continue;
      any = true;
      auto s = verify_backup(a.dir, b.id);
      bad = bad || !s.ok();
      out.push_back({{"id", b.id}, {"ok", s.ok()}, {"error", s.ok() ? "" : s.err().message}});
      if (!ctx.json) std::printf("backup %u: %s\n", b.id, s.ok() ? "ok" : s.err().message.c_str());
    }
    if (!any) return report_error(ctx.json, exit_usage, "no such backup in " + a.dir);
    if (ctx.json) print_json({{"backups", out}, {"ok", !bad}});
    return bad ? exit_runtime : exit_ok;
  }
  if (ctx.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& b : *all) arr.push_back(to_json(b));
    print_json({{"dir", a.dir}, {"backups", arr}});
    return exit_ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : *all)
    rows.push_back(
        {std::to_string(b.id), local_time(b.created), std::to_string(b.files), human_bytes(b.bytes),
         b.search_projects ? std::to_string(b.search_projects) + " project(s), " + human_bytes(b.search_bytes) : "none",
         b.note});
  if (rows.empty())
    std::printf("no backups in %s (`codegraph backup create %s`)\n", a.dir.c_str(), a.dir.c_str());
  else
    print_table(stdout, {"backup", "created", "files", "size", "search index", "note"}, rows, 0);
  return exit_ok;
}

}  // namespace cg::cli
