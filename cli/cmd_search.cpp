// codegraph search QUERY, similar NODE, vectors stats|rebuild
#include <cstdio>
#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "actors/engine_json.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/server_file.hpp"
#include "schema/hash.hpp"

namespace cg::cli {
namespace {

void print_hit(size_t rank, const search_hit& h) {
  std::string why;
  for (const auto& r : h.reasons) why += (why.empty() ? "" : "; ") + r;
  std::printf("%3zu. %-11s %s  %s:%u\n      %.4f  %s\n", rank, std::string(to_string(h.kind)).c_str(),
              h.qualified_name.c_str(), h.file.c_str(), h.line, h.score, why.c_str());
}

result<search_filters> filters_of(const search_args& a) {
  search_filters f;
  for (const auto& l : a.languages) {
    auto lang = parse_language(l);
    if (!lang) return make_error(errc::invalid_argument, "unknown language '" + l + "'");
    f.languages.push_back(*lang);
    if (*lang == language::typescript) f.languages.push_back(language::tsx);
    if (*lang == language::javascript) f.languages.push_back(language::jsx);
  }
  for (const auto& k : a.kinds) {
    auto kind = parse_node_kind(k);
    if (!kind) return make_error(errc::invalid_argument, "unknown kind '" + k + "'");
    f.kinds.push_back(*kind);
  }
  f.path_glob = a.path;
  return f;
}

// The project (picked as the query commands pick it), then the engine over the store.
struct opened {
  std::string project;
  std::unique_ptr<engine> eng;
};
// Reads open the engine read-only: they work beside a server that owns the store.
result<opened> open_engine(const context& ctx, bool write = false) {
  opened o;
  {
    auto p = open_for_query(ctx);
    if (!p.ok()) return p.err();
    o.project = p->name;
  }
  auto eo = engine_options_for(ctx);
  eo.read_only = !write;
  auto eng = engine::open(eo);
  if (!eng.ok()) return owner_hint(ctx.cfg.data_dir, eng.err());
  o.eng = std::move(*eng);
  return o;
}

}  // namespace

int run_search(const context& ctx, const search_args& args) {
  auto mode = parse_search_mode(args.mode);
  if (!mode) return report_error(ctx.json, exit_usage, "--mode must be exact, balanced or fast");
  auto f = filters_of(args);
  if (!f.ok()) return report_error(ctx.json, exit_usage, f.err().message);
  if (args.query.find_first_not_of(" \t\n") == std::string::npos)
    return report_error(ctx.json, exit_usage, "the search query is empty");
  auto o = open_engine(ctx);
  if (!o.ok()) return report_error(ctx.json, exit_runtime, o.err().message);
  search_request req;
  req.project = o->project;
  req.query = args.query;
  req.mode = *mode;
  req.k = args.k;
  req.filters = *f;
  req.fusion = *parse_fusion_method(args.fusion.empty() ? ctx.cfg.search.fusion : args.fusion);
  req.rrf_k = ctx.cfg.search.rrf_k;
  req.bm25_weight = static_cast<float>(ctx.cfg.search.bm25_weight);
  req.vector_weight = static_cast<float>(ctx.cfg.search.vector_weight);
  req.context_file = args.context_file;
  req.batch_size = args.batch;
  req.at = ctx.at;

  nlohmann::json all = nlohmann::json::array();
  size_t shown = 0, batches = 0;
  double elapsed = 0;
  auto st = o->eng->search(req, [&](const search_batch& b) {
    ++batches;
    elapsed = b.elapsed_ms;
    if (args.ndjson) {
      nlohmann::json hits = nlohmann::json::array();
      for (const auto& h : b.hits) hits.push_back(hit_json(h));
      std::printf(
          "%s\n",
          nlohmann::json(
              {{"batch", b.index}, {"last", b.last}, {"total", b.total}, {"elapsed_ms", b.elapsed_ms}, {"hits", hits}})
              .dump()
              .c_str());
      std::fflush(stdout);
    } else if (ctx.json) {
      for (const auto& h : b.hits) all.push_back(hit_json(h));
    } else {
      for (const auto& h : b.hits) print_hit(++shown, h);
      std::fflush(stdout);
    }
  });
  if (!st.ok()) return report_error(ctx.json, exit_runtime, st.err().message);
  if (ctx.json && !args.ndjson)
    print_json({{"project", o->project},
                {"query", args.query},
                {"mode", args.mode},
                {"hits", all},
                {"batches", batches},
                {"elapsed_ms", elapsed}});
  else if (!ctx.json && !args.ndjson && shown == 0)
    std::printf("no matches for \"%s\"\n", args.query.c_str());
  return exit_ok;
}

int run_similar(const context& ctx, const similar_args& args) {
  auto mode = parse_search_mode(args.mode);
  if (!mode) return report_error(ctx.json, exit_usage, "--mode must be exact, balanced or fast");
  node_id id = 0;
  {
    auto p = open_for_query(ctx);
    if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
    auto t = resolve_target(*p, args.node, false);
    if (!t.ok()) return report_error(ctx.json, exit_runtime, t.err().message);
    if (t->nodes.empty()) return report_error(ctx.json, exit_runtime, "no definition named " + args.node);
    id = t->nodes.front().id;
  }
  auto o = open_engine(ctx);
  if (!o.ok()) return report_error(ctx.json, exit_runtime, o.err().message);
  auto hits = o->eng->similar(o->project, id, args.k, args.threshold, *mode, {});
  if (!hits.ok()) return report_error(ctx.json, exit_runtime, hits.err().message);
  if (ctx.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& h : *hits) arr.push_back(hit_json(h));
    print_json({{"node", format_id(id)}, {"hits", arr}});
  } else {
    size_t i = 0;
    for (const auto& h : *hits) print_hit(++i, h);
    if (hits->empty()) std::printf("nothing above similarity %.2f\n", args.threshold);
  }
  return exit_ok;
}

int run_vectors(const context& ctx, bool rebuild) {
  auto o = open_engine(ctx, rebuild);
  if (!o.ok()) return report_error(ctx.json, exit_runtime, o.err().message);
  nlohmann::json j;
  if (rebuild) {
    auto r = o->eng->sync_vectors(o->project, true);
    if (!r.ok()) return report_error(ctx.json, exit_runtime, r.err().message);
    j["rebuilt"] = {{"documents", r->documents}, {"seconds", r->seconds}};
    if (!ctx.json)
      std::printf("rebuilt the search index of \"%s\": %zu definitions in %.2f s\n", o->project.c_str(), r->documents,
                  r->seconds);
  }
  auto s = o->eng->vectors_stats(o->project);
  if (!s.ok()) return report_error(ctx.json, exit_runtime, s.err().message);
  j["project"] = o->project;
  j["embedder"] = s->embedder;
  j["dimension"] = s->dimension;
  j["documents"] = s->documents;
  j["slots"] = s->slots;
  j["vocabulary"] = s->vocabulary;
  j["model_terms"] = s->model_terms;
  j["index"] = s->index;
  j["index_building"] = s->index_building;
  j["model_pending"] = s->model_pending;
  j["index_vectors"] = s->index_vectors;
  j["index_bytes"] = s->index_bytes;
  j["raw_bytes"] = s->raw_bytes;
  if (ctx.json) {
    print_json(j);
  } else if (!rebuild) {
    std::printf(
        "project %s\n  embedder    %s (%zu dimensions)\n  definitions %s (%s slots)\n"
        "  vocabulary  %s terms; co-occurrence model %s\n  index       %s: %s vectors, %s (raw %s)\n",
        o->project.c_str(), s->embedder.c_str(), s->dimension, human_count(s->documents).c_str(),
        human_count(s->slots).c_str(), human_count(s->vocabulary).c_str(),
        (s->model_pending ? std::string("pending (learnt by `serve` in the background, or `vectors rebuild`)")
                          : human_count(s->model_terms) + " terms")
            .c_str(),
        (s->index + (s->index_building ? " (being built; brute force meanwhile)" : "")).c_str(),
        human_count(s->index_vectors).c_str(), human_bytes(s->index_bytes).c_str(), human_bytes(s->raw_bytes).c_str());
  }
  return exit_ok;
}

}  // namespace cg::cli
