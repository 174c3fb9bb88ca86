// stats, projects, config show, symbol, node, outline.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/report.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"

namespace cg::cli {

int run_stats(const context& ctx) {
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto stats = p->query->stats();
  auto disk = p->db->disk_bytes();
  if (ctx.json) {
    auto j = stats_json(stats);
    j["project"] = p->name;
    j["root"] = p->root;
    j["store_bytes"] = disk;
    print_json(j);
    return exit_ok;
  }
  std::printf("Project \"%s\" (%s), store %s\n\n", p->name.c_str(), p->root.c_str(), human_bytes(disk).c_str());
  print_stats(stdout, stats);
  return exit_ok;
}

int run_projects(const context& ctx) {
  store_options so;
  so.dir = ctx.cfg.data_dir;
  so.read_only = true;
  auto db = store::open(so);
  if (!db.ok()) return report_error(ctx.json, exit_runtime, db.err().message);
  auto all = (*db)->projects();
  if (!all.ok()) return report_error(ctx.json, exit_runtime, all.err().message);
  nlohmann::json arr = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (auto& [name, id] : *all) {
    auto info = (*db)->project_info(name);
    nlohmann::json j =
        info.ok() && info->has_value() ? nlohmann::json::parse(**info, nullptr, false) : nlohmann::json::object();
    if (!j.is_object()) j = nlohmann::json::object();
    auto stats = graph_query((*db)->latest(), id).stats();
    int64_t files = 0;
    for (auto& l : stats.languages) files += l.files;
    j["name"] = name;
    j["files"] = files;
    j["nodes"] = stats.total_nodes();
    j.erase("layer");
    std::string over;
    if (auto l = describe_layer(**db, id)) {
      j["layer"] = {{"over", l->over}, {"version", l->version}, {"commit", l->commit}};
      over = l->over + " v" + std::to_string(l->version) + " (" + l->commit.substr(0, 10) + ")";
    }
    arr.push_back(j);
    rows.push_back({name, j.value("root", std::string()), human_count(files), human_count(stats.total_nodes()), over});
  }
  if (ctx.json)
    print_json({{"projects", arr}});
  else
    print_table(stdout, {"project", "root", "files", "nodes", "layer over"}, rows, 0);
  return exit_ok;
}

int run_config_show(const context& ctx) {
  const auto& c = ctx.cfg;
  nlohmann::json j = {{"config_file", c.config_file},
                      {"data_dir", c.data_dir},
                      {"index",
                       {{"jobs", c.index.jobs},
                        {"max_file_size", c.index.max_file_size},
                        {"include", c.index.include},
                        {"exclude", c.index.exclude},
                        {"languages", c.index.languages},
                        {"follow_symlinks", c.index.follow_symlinks},
                        {"gitignore", c.index.gitignore},
                        {"versions", c.index.versions}}},
                      {"search",
                       {{"vectors", c.search.vectors},
                        {"dimension", c.search.dimension},
                        {"index", c.search.index},
                        {"hnsw_half_floats", c.search.hnsw_half_floats},
                        {"fusion", c.search.fusion},
                        {"rrf_k", c.search.rrf_k},
                        {"bm25_weight", c.search.bm25_weight},
                        {"vector_weight", c.search.vector_weight}}},
                      {"embeddings",
                       {{"provider", c.embeddings.provider},
                        {"base_url", c.embeddings.base_url},
                        {"model", c.embeddings.model},
                        {"api_key", c.embeddings.api_key.empty() ? "" : "(set)"},
                        {"dimension", c.embeddings.dimension},
                        {"batch", c.embeddings.batch},
                        {"timeout_ms", c.embeddings.timeout_ms},
                        {"attempts", c.embeddings.attempts},
                        {"backoff_ms", c.embeddings.backoff_ms},
                        {"ca_file", c.embeddings.ca_file}}},
                      {"log", {{"format", c.log.format}, {"level", c.log.level}}}};
  auto server_sections = server_config_json(c);
  for (auto& [section, values] : server_sections.items()) j[section] = values;
  if (ctx.json) {
    print_json(j);
    return exit_ok;
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + nlohmann::json(v[i]).dump();
    return s + "]";
  };
  std::printf("# effective configuration (file: %s)\n", c.config_file.empty() ? "none" : c.config_file.c_str());
  std::printf(
      "data_dir = %s\n\n[index]\njobs = %u\nmax_file_size = %llu\ninclude = %s\nexclude = %s\nlanguages = %s\n"
      "follow_symlinks = %s\ngitignore = %s\n\n[log]\nformat = \"%s\"\nlevel = \"%s\"\n",
      nlohmann::json(c.data_dir).dump().c_str(), c.index.jobs, static_cast<unsigned long long>(c.index.max_file_size),
      list(c.index.include).c_str(), list(c.index.exclude).c_str(), list(c.index.languages).c_str(),
      c.index.follow_symlinks ? "true" : "false", c.index.gitignore ? "true" : "false", c.log.format.c_str(),
      c.log.level.c_str());
  std::printf(
      "\n[search]\nvectors = %s\ndimension = %zu\nindex = \"%s\"\nhnsw_half_floats = %s\nfusion = \"%s\"\nrrf_k = %zu\n"
      "bm25_weight = %g\nvector_weight = %g\n",
      c.search.vectors ? "true" : "false", c.search.dimension, c.search.index.c_str(),
      c.search.hnsw_half_floats ? "true" : "false", c.search.fusion.c_str(), c.search.rrf_k, c.search.bm25_weight,
      c.search.vector_weight);
  const auto& em = j["embeddings"];
  std::printf("\n[embeddings]\n");
  for (const char* k : {"provider", "base_url", "model", "api_key", "dimension", "batch", "timeout_ms", "attempts",
                        "backoff_ms", "ca_file"})
    std::printf("%s = %s\n", k, em[k].dump().c_str());
  for (const char* section : {"server", "auth"}) {
    std::printf("\n[%s]\n", section);
    for (auto& [k, v] : j[section].items()) std::printf("%s = %s\n", k.c_str(), v.dump().c_str());
  }
  return exit_ok;
}

int run_symbol(const context& ctx, const symbol_args& args) {
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  symbol_query q;
  q.text = args.name;
  q.fuzzy = !args.exact;
  q.limit = args.limit;
  for (auto& k : args.kinds) {
    auto kind = parse_node_kind(k);
    if (!kind) return report_error(ctx.json, exit_usage, "unknown node kind '" + k + "'");
    q.kinds.push_back(*kind);
  }
  for (auto& l : args.languages) {
    auto lang = parse_language(l);
    if (!lang) return report_error(ctx.json, exit_usage, "unknown language '" + l + "'");
    q.languages.push_back(*lang);
  }
  auto found = p->query->find(q);
  if (!found.ok()) return report_error(ctx.json, exit_runtime, found.err().message);
  if (ctx.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (auto& m : *found) {
      auto j = to_json(m.n);
      j["match"] = to_string(m.match);
      j["score"] = m.score;
      arr.push_back(j);
    }
    print_json({{"query", args.name}, {"project", p->name}, {"results", arr}});
    return exit_ok;
  }
  if (found->empty()) {
    std::printf("no definitions match '%s'\n", args.name.c_str());
    return exit_ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (auto& m : *found)
    rows.push_back({std::string(to_string(m.n.kind)), m.n.qualified_name, location(m.n),
                    std::string(to_string(m.match)), format_id(m.n.id)});
  print_table(stdout, {"kind", "qualified name", "location", "match", "id"}, rows, 0);
  return exit_ok;
}

int run_node(const context& ctx, const std::string& arg) {
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto t = resolve_target(*p, arg, false);
  if (!t.ok()) return report_error(ctx.json, exit_runtime, t.err().message);
  nlohmann::json arr = nlohmann::json::array();
  for (auto& n : t->nodes) {
    auto out = p->query->outgoing(n.id, {}, 1, 10000);
    auto in = p->query->incoming(n.id, {}, 1, 10000);
    if (!out.ok() || !in.ok()) return report_error(ctx.json, exit_runtime, (!out.ok() ? out.err() : in.err()).message);
    if (ctx.json) {
      auto j = to_json(n);
      nlohmann::json oj = nlohmann::json::array(), ij = nlohmann::json::array();
      for (auto& nb : *out) {
        auto e = to_json(nb.via);
        if (nb.n) e["target_qualified_name"] = nb.n->qualified_name;
        oj.push_back(e);
      }
      for (auto& nb : *in) {
        auto e = to_json(nb.via);
        if (nb.n) e["source_qualified_name"] = nb.n->qualified_name;
        ij.push_back(e);
      }
      j["outgoing"] = oj;
      j["incoming"] = ij;
      arr.push_back(j);
      continue;
    }
    std::printf("%s %s\n  id: %s\n  at: %s:%u:%u (lines %u-%u)\n  language: %s\n",
                std::string(to_string(n.kind)).c_str(), n.qualified_name.c_str(), format_id(n.id).c_str(),
                n.file.c_str(), n.name_pos.line, n.name_pos.column, n.span.start.line, n.span.end.line,
                std::string(to_string(n.lang)).c_str());
    if (!n.signature.empty()) std::printf("  signature: %s\n", n.signature.c_str());
    if (n.vis != visibility::none) std::printf("  visibility: %s\n", std::string(to_string(n.vis)).c_str());
    auto mods = to_json(n)["modifiers"];
    if (!mods.empty()) std::printf("  modifiers: %s\n", mods.dump().c_str());
    if (!n.docstring.empty()) {
      auto doc = n.docstring.size() > 600 ? n.docstring.substr(0, 600) + "..." : n.docstring;
      std::printf("  doc: %s\n", doc.c_str());
    }
    auto edges = [](const char* title, const std::vector<neighbor>& list, bool outgoing) {
      if (list.empty()) return;
      std::printf("  %s (%zu):\n", title, list.size());
      size_t shown = 0;
      for (auto& nb : list) {
        if (++shown > 25) {
          std::printf("    ... %zu more (--json lists all)\n", list.size() - 25);
          break;
        }
        std::string other = nb.n ? nb.n->qualified_name + "  " + location(*nb.n)
                                 : nb.via.target_name + "  (" + std::string(to_string(nb.via.how)) + ")";
        std::printf("    %-10s %s %s\n", std::string(to_string(nb.via.kind)).c_str(), outgoing ? "->" : "<-",
                    other.c_str());
      }
    };
    edges("outgoing", *out, true);
    edges("incoming", *in, false);
  }
  if (ctx.json) print_json({{"nodes", arr}});
  return exit_ok;
}

int run_outline(const context& ctx, const std::string& file) {
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto t = resolve_target(*p, file, true);
  if (!t.ok() || !t->file)
    return report_error(ctx.json, exit_runtime, "'" + file + "' is not an indexed file of project " + p->name);
  auto nodes = p->query->outline(*t->file);
  if (!nodes.ok()) return report_error(ctx.json, exit_runtime, nodes.err().message);
  auto rec = p->query->file(*t->file);
  if (ctx.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (auto& n : *nodes) arr.push_back(to_json(n));
    nlohmann::json j = {{"file", *t->file}, {"nodes", arr}};
    if (rec.ok() && rec->has_value()) j["record"] = to_json(**rec);
    print_json(j);
    return exit_ok;
  }
  std::map<node_id, int> depth;
  for (auto& n : *nodes) {
    int d = 0;
    if (auto it = depth.find(n.parent); it != depth.end()) d = it->second + 1;
    depth[n.id] = d;
    if (n.kind == node_kind::file) {
      std::printf("%s", n.file.c_str());
      if (rec.ok() && rec->has_value())
        std::printf("  (%s, %u lines%s)", std::string(to_string((*rec)->lang)).c_str(), (*rec)->loc,
                    (*rec)->status == parse_status::ok ? "" : ", syntax errors");
      std::printf("\n");
      continue;
    }
    std::string label = n.signature.empty() ? n.name : n.signature;
    if (label.size() > 100) label = label.substr(0, 97) + "...";
    std::printf("%*s%-5u %-11s %s\n", d * 2, "", n.name_pos.line, std::string(to_string(n.kind)).c_str(),
                label.c_str());
  }
  return exit_ok;
}

}  // namespace cg::cli
