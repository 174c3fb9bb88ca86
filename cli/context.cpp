#include "cli/context.hpp"

#include "actors/engine.hpp"
#include "actors/read_api.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "schema/hash.hpp"

namespace cg::cli {

engine_options engine_options_for(const context& ctx) {
  engine_options eo;
  eo.data_dir = ctx.cfg.data_dir;
  eo.vectors.dimension = ctx.cfg.search.dimension;
  if (ctx.cfg.search.index != "auto") eo.vectors.kind = parse_index_kind(ctx.cfg.search.index);
  eo.vectors.hnsw_half_floats = ctx.cfg.search.hnsw_half_floats;
  // A CLI process ends before a background ANN build would pay: its searches run brute
  // force over what the saved index lacks (serve turns the build back on).
  eo.vectors.background_index = false;
  // The co-occurrence model is learnt after the index run (serve learns it between
  // searches, `vectors rebuild` at once): hybrid answers are as good meanwhile.
  eo.vectors.defer_model = true;
  eo.store_cache_bytes = static_cast<size_t>(ctx.cfg.store.cache);
  eo.store_write_buffer_bytes = static_cast<size_t>(ctx.cfg.store.write_buffer);
  if (ctx.cfg.embeddings.provider == "openai") {
    auto o = provider_options(ctx.cfg);
    eo.vectors.make_embedder = [o]() -> std::unique_ptr<embedder> { return std::make_unique<net::openai_embedder>(o); };
  }
  return eo;
}

result<open_project> open_for_query(const context& ctx, bool writable) {
  open_project p;
  store_options so;
  so.dir = ctx.cfg.data_dir;
  so.read_only = !writable;
  auto db = store::open(so);
  if (!db.ok()) return db.err();
  p.db = std::move(*db);
  auto all = p.db->projects();
  if (!all.ok()) return all.err();
  if (all->empty())
    return make_error(errc::not_found, "no projects in " + ctx.cfg.data_dir + " (run `codegraph index PATH` first)");
  auto root_of = [&](const std::string& name) -> std::string {
    auto info = p.db->project_info(name);
    if (!info.ok() || !info->has_value()) return {};
    auto j = nlohmann::json::parse(**info, nullptr, false);
    return j.is_object() ? j.value("root", std::string()) : std::string();
  };
  if (!ctx.project.empty()) {
    for (auto& [n, id] : *all)
      if (n == ctx.project) {
        p.name = n;
        p.id = id;
      }
    if (p.id == 0) {
      std::string names;
      for (auto& [n, id] : *all) names += (names.empty() ? "" : ", ") + n;
      return make_error(errc::not_found, "no project named '" + ctx.project + "' (projects: " + names + ")");
    }
  } else if (all->size() == 1) {
    p.name = all->front().first;
    p.id = all->front().second;
  } else {
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec).string();
    size_t best = 0;
    for (auto& [n, id] : *all) {
      auto root = root_of(n);
      if (!root.empty() && (cwd == root || cwd.starts_with(root + "/")) && root.size() > best) {
        best = root.size();
        p.name = n;
        p.id = id;
      }
    }
    if (p.id == 0) {
      std::string names;
      for (auto& [n, id] : *all) names += (names.empty() ? "" : ", ") + n;
      return make_error(errc::invalid_argument, "several projects (" + names + "): choose one with --project");
    }
  }
  p.root = root_of(p.name);
  if (!ctx.at.empty()) {
    auto v = resolve_version(*p.db, p.id, ctx.at);
    if (!v.ok()) return make_error(v.err().code, "--at " + ctx.at + ": " + v.err().message);
    auto view = p.db->as_of(p.id, *v);
    if (!view.ok()) return view.err();
    p.version = *v;
    p.query = std::make_unique<graph_query>(*view, p.id);
    return p;
  }
  p.query = std::make_unique<graph_query>(p.db->snapshot(), p.id);
  return p;
}

result<target> resolve_target(const open_project& p, const std::string& arg, bool allow_file) {
  auto t = cg::resolve_target(*p.query, p.root, arg, allow_file);
  if (!t.ok()) return t.err();
  return target{std::move(t->nodes), std::move(t->file)};
}

}  // namespace cg::cli
