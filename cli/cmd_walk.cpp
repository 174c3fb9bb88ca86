// callers / callees / deps / dependents: traversals from one or more definitions,
// or (deps, dependents) file-level dependencies when the target is a file.
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "schema/json.hpp"
#include "schema/resolution_filter.hpp"

namespace cg::cli {
namespace {

const char* title(walk_kind k) {
  switch (k) {
    case walk_kind::callers: return "callers";
    case walk_kind::callees: return "callees";
    case walk_kind::deps: return "dependencies";
    case walk_kind::dependents: return "dependents";
  }
  return "";
}

std::string sites_text(const edge& e) {
  std::string s;
  size_t shown = 0;
  for (auto& site : e.sites) {
    if (++shown > 6) {
      s += ", ...";
      break;
    }
    s += (s.empty() ? "" : ", ") + std::to_string(site.line);
  }
  return s.empty() ? s : (e.sites.size() == 1 ? "line " : "lines ") + s;
}

}  // namespace

int run_walk(const context& ctx, walk_kind kind, const walk_args& args) {
  if (args.depth < 1) return report_error(ctx.json, exit_usage, "--depth must be at least 1");
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  bool file_level = kind == walk_kind::deps || kind == walk_kind::dependents;
  auto t = resolve_target(*p, args.target, file_level);
  if (!t.ok()) return report_error(ctx.json, exit_runtime, t.err().message);

  if (t->file) {
    auto deps = p->query->file_dependencies(*t->file, args.depth, kind == walk_kind::dependents);
    if (!deps.ok()) return report_error(ctx.json, exit_runtime, deps.err().message);
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (auto& d : *deps) {
        nlohmann::json kinds = nlohmann::json::object();
        for (auto& [k, n] : d.kinds) kinds[std::string(to_string(k))] = n;
        arr.push_back({{"file", d.path}, {"depth", d.depth}, {"edges", kinds}});
      }
      print_json({{"file", *t->file}, {"direction", title(kind)}, {"results", arr}});
      return exit_ok;
    }
    std::printf("%s of %s (depth %d): %zu files\n", title(kind), t->file->c_str(), args.depth, deps->size());
    std::vector<std::vector<std::string>> rows;
    for (auto& d : *deps) {
      std::string ks;
      for (auto& [k, n] : d.kinds) ks += (ks.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(to_string(k));
      rows.push_back({std::to_string(d.depth), d.path, ks});
    }
    print_table(stdout, {"depth", "file", "edges"}, rows);
    return exit_ok;
  }

  auto filter = resolution_filter::parse(args.resolution);
  if (!filter.ok()) return report_error(ctx.json, exit_usage, filter.err().message);
  bool calls_walk = kind == walk_kind::callers || kind == walk_kind::callees;
  std::vector<edge_kind> kinds;
  if (calls_walk) kinds = {edge_kind::calls, edge_kind::instantiates};  // C() calls C.__init__ and instantiates C
  for (auto& k : args.kinds) {
    auto ek = parse_edge_kind(k);
    if (!ek) return report_error(ctx.json, exit_usage, "unknown edge kind '" + k + "'");
    kinds.push_back(*ek);
  }
  bool reverse = kind == walk_kind::callers || kind == walk_kind::dependents;
  nlohmann::json all = nlohmann::json::array();
  for (auto& root : t->nodes) {
    auto res = reverse ? p->query->incoming(root.id, kinds, args.depth, args.limit)
                       : p->query->outgoing(root.id, kinds, args.depth, args.limit);
    if (!res.ok()) return report_error(ctx.json, exit_runtime, res.err().message);
    std::erase_if(*res, [&](const auto& nb) { return !filter->admits(nb.via.how); });
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (auto& nb : *res)
        arr.push_back(
            {{"depth", nb.depth}, {"edge", to_json(nb.via)}, {"node", nb.n ? to_json(*nb.n) : nlohmann::json()}});
      all.push_back({{"target", to_json(root)}, {"results", arr}});
      continue;
    }
    std::printf("%s of %s %s (%s): %zu\n", title(kind), std::string(to_string(root.kind)).c_str(),
                root.qualified_name.c_str(), location(root).c_str(), res->size());
    for (auto& nb : *res) {
      std::string who = nb.n ? nb.n->qualified_name + "  " + location(*nb.n)
                             : nb.via.target_name + "  [" + std::string(to_string(nb.via.how)) + "]";
      if (nb.n && nb.via.how == resolution::possible) who += "  [possible]";
      bool plain = kinds.size() == 1 || (calls_walk && nb.via.kind == edge_kind::calls);
      std::string kind_text = plain ? "" : std::string(to_string(nb.via.kind)) + " ";
      std::printf("%*s%s%s  (%s)\n", 2 * nb.depth, "", kind_text.c_str(), who.c_str(), sites_text(nb.via).c_str());
    }
  }
  if (ctx.json) print_json({{"direction", title(kind)}, {"depth", args.depth}, {"targets", all}});
  return exit_ok;
}

}  // namespace cg::cli
