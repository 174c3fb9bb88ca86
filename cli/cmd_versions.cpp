// versions (list, show) and diff: the versions of a project's graph.
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "actors/read_api.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"

namespace cg::cli {
namespace {

std::string what_made(const version_record& v) {
  std::string s = v.source;
  if (!v.commit.empty()) s += " " + v.commit.substr(0, 12);
  if (!v.message.empty()) s += ": " + v.message.substr(0, v.message.find('\n'));
  return s;
}

}  // namespace

int run_refs(const context& ctx, const versions_args& args) {
  auto p = open_for_query(ctx, !args.ref_kind.empty());
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  if (args.list_refs) {
    auto refs = named_refs_json(*p->db, p->id);
    if (!refs.ok()) return report_error(ctx.json, exit_runtime, refs.err().message);
    const auto& arr = *refs;
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : arr)
      rows.push_back(
          {r["kind"].get<std::string>(), r["name"].get<std::string>(), std::to_string(r["version"].get<uint64_t>())});
    if (ctx.json)
      print_json({{"project", p->name}, {"refs", arr}});
    else if (rows.empty())
      std::printf("\"%s\" has no tags or branches (`codegraph versions tag NAME`)\n", p->name.c_str());
    else
      print_table(stdout, {"kind", "name", "version"}, rows, 0);
    return exit_ok;
  }
  if (args.remove) {
    auto was = delete_named_ref(*p->db, p->id, args.ref_kind, args.ref_name);
    if (!was.ok())
      return report_error(ctx.json, was.err().code == errc::storage_error ? exit_runtime : exit_usage,
                          was.err().message);
    if (ctx.json)
      print_json({{"deleted", args.ref_name}, {"kind", args.ref_kind}});
    else if (!ctx.quiet)
      std::printf("deleted %s %s (was version %llu)\n", args.ref_kind.c_str(), args.ref_name.c_str(),
                  static_cast<unsigned long long>(*was));
    return exit_ok;
  }
  auto id = set_named_ref(*p->db, p->id, args.ref_kind, args.ref_name, args.ref_version, args.force);
  if (!id.ok())
    return report_error(ctx.json, id.err().code == errc::storage_error ? exit_runtime : exit_usage,
                        id.err().message + (id.err().code == errc::conflict ? " (--force)" : ""));
  if (ctx.json)
    print_json({{"kind", args.ref_kind}, {"name", args.ref_name}, {"version", *id}});
  else if (!ctx.quiet)
    std::printf("%s %s -> version %llu\n", args.ref_kind.c_str(), args.ref_name.c_str(),
                static_cast<unsigned long long>(*id));
  return exit_ok;
}

int run_prune(const context& ctx, const versions_args& args) {
  auto p = open_for_query(ctx, !args.dry_run);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto all = p->db->versions(p->id);
  if (!all.ok()) return report_error(ctx.json, exit_runtime, all.err().message);
  auto refs = p->db->refs(p->id);
  if (!refs.ok()) return report_error(ctx.json, exit_runtime, refs.err().message);
  std::set<uint64_t> keep;
  for (size_t i = all->size() > args.keep_last ? all->size() - args.keep_last : 0; i < all->size(); ++i)
    keep.insert((*all)[i].id);
  for (const auto& [name, v] : *refs)
    if (name.starts_with("branch/") || (args.keep_tags && name.starts_with("tag/"))) keep.insert(v);
  nlohmann::json dropped = nlohmann::json::array();
  for (const auto& v : *all)
    if (!keep.count(v.id)) dropped.push_back(v.id);
  const uint64_t bytes_before = p->db->disk_bytes();
  prune_stats st;
  if (!args.dry_run && !dropped.empty()) {
    p->query.reset();  // its snapshot would keep the dropped entries through the compaction
    auto r = p->db->prune_versions(p->id, keep);
    if (!r.ok()) return report_error(ctx.json, exit_runtime, r.err().message);
    st = *r;
  }
  const uint64_t bytes_after = p->db->disk_bytes();
  if (ctx.json) {
    print_json({{"project", p->name},
                {"dry_run", args.dry_run},
                {"dropped", dropped},
                {"kept", all->size() - dropped.size()},
                {"undo_entries_removed", st.entries_removed},
                {"refs_removed", st.refs_removed},
                {"store_bytes_before", bytes_before},
                {"store_bytes_after", bytes_after}});
  } else if (!ctx.quiet) {
    std::printf("%s %zu of %zu versions of \"%s\"; %zu kept\n", args.dry_run ? "would drop" : "dropped", dropped.size(),
                all->size(), p->name.c_str(), all->size() - dropped.size());
    if (!args.dry_run && !dropped.empty())
      std::printf("removed %s undo entries and %llu refs; store %s -> %s\n", human_count(st.entries_removed).c_str(),
                  static_cast<unsigned long long>(st.refs_removed), human_bytes(bytes_before).c_str(),
                  human_bytes(bytes_after).c_str());
  }
  return exit_ok;
}

int run_versions(const context& ctx, const versions_args& args) {
  if (args.prune) return run_prune(ctx, args);
  if (args.list_refs || !args.ref_kind.empty()) return run_refs(ctx, args);
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  if (!args.show.empty()) {
    auto id = resolve_version(*p->db, p->id, args.show);
    if (!id.ok()) return report_error(ctx.json, exit_usage, id.err().message);
    auto v = p->db->version(p->id, *id);
    if (!v.ok()) return report_error(ctx.json, exit_runtime, v.err().message);
    if (ctx.json) {
      print_json(to_json(*v));
      return exit_ok;
    }
    std::printf("version %llu of \"%s\"\n  created  %s\n  source   %s\n", static_cast<unsigned long long>(v->id),
                p->name.c_str(), local_time(v->created).c_str(), what_made(*v).c_str());
    if (v->parent) std::printf("  parent   %llu\n", static_cast<unsigned long long>(v->parent));
    if (!v->git_parents.empty()) {
      std::string list;
      for (auto g : v->git_parents) list += (list.empty() ? "" : ", ") + std::to_string(g);
      std::printf("  git parents %s (its commit's parents, as indexed)\n", list.c_str());
    }
    std::printf("  graph    %s files, %s nodes, %s edges\n  changed  %s keys in the store\n",
                human_count(v->files).c_str(), human_count(v->nodes).c_str(), human_count(v->edges).c_str(),
                human_count(v->changed_keys).c_str());
    return exit_ok;
  }
  auto all = p->db->versions(p->id);
  if (!all.ok()) return report_error(ctx.json, exit_runtime, all.err().message);
  if (ctx.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& v : *all) arr.push_back(to_json(v));
    print_json({{"project", p->name}, {"versions", arr}});
    return exit_ok;
  }
  if (all->empty()) {
    std::printf("\"%s\" has no versions yet: `codegraph index` commits one.\n", p->name.c_str());
    return exit_ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (auto it = all->rbegin(); it != all->rend(); ++it)
    rows.push_back({std::to_string(it->id), local_time(it->created), human_count(it->files), human_count(it->nodes),
                    human_count(it->edges), human_count(it->changed_keys), what_made(*it)});
  print_table(stdout, {"version", "created", "files", "nodes", "edges", "changed", "made by"}, rows, 0);
  return exit_ok;
}

int run_blame(const context& ctx, const std::string& arg) {
  if (!ctx.at.empty()) return report_error(ctx.json, exit_usage, "blame reads the newest state (no --at)");
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto t = resolve_target(*p, arg, true);
  if (!t.ok()) return report_error(ctx.json, exit_runtime, t.err().message);
  std::vector<node> nodes = t->nodes;
  if (t->file) {
    auto outline = p->query->outline(*t->file);
    if (!outline.ok()) return report_error(ctx.json, exit_runtime, outline.err().message);
    for (auto& n : *outline)
      if (n.kind != node_kind::file) nodes.push_back(std::move(n));
  }
  if (nodes.empty()) return report_error(ctx.json, exit_usage, "nothing named '" + arg + "'");
  auto head = p->db->head_version(p->id);
  if (head.ok() && *head == 0)
    return report_error(ctx.json, exit_runtime, "\"" + p->name + "\" has no versions yet: blame needs history");
  nlohmann::json arr = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  auto label = [&](uint64_t v, uint64_t oldest, bool created) -> std::string {
    if (!v) return (created ? "at or before v" : "not since v") + std::to_string(oldest);
    auto rec = p->db->version(p->id, v);
    if (!rec.ok()) return "v" + std::to_string(v);
    std::string s =
        "v" + std::to_string(v) + " " + local_time(rec->committed ? rec->committed : rec->created).substr(0, 10);
    if (!rec->commit.empty()) s += " " + rec->commit.substr(0, 8);
    if (!rec->message.empty()) s += " " + rec->message.substr(0, std::min<size_t>(rec->message.find('\n'), 40));
    return s;
  };
  rename_memo memo;  // a moved file's definitions were moved by the same versions
  auto moves = [](const node_blame& b) -> std::string {
    std::string s;
    for (const auto& r : b.renames)
      s += " (was " + r.name + " in " + r.file + " until v" + std::to_string(r.version) + ")";
    return s;
  };
  for (const auto& n : nodes) {
    auto b = blame_node(*p->db, p->id, n.id, &memo);
    if (!b.ok()) return report_error(ctx.json, exit_runtime, b.err().message);
    auto j = to_json(*b, *p->db, p->id);
    j["name"] = n.qualified_name.empty() ? n.name : n.qualified_name;
    j["file"] = n.file;
    j["line"] = n.line();
    arr.push_back(std::move(j));
    rows.push_back({n.qualified_name.empty() ? n.name : n.qualified_name, n.file + ":" + std::to_string(n.line()),
                    label(b->changed_in, b->oldest, false) + (b->uncommitted ? " (and since: uncommitted)" : ""),
                    label(b->created_in, b->oldest, true) + moves(*b)});
  }
  if (ctx.json) {
    print_json({{"project", p->name}, {"blame", arr}});
    return exit_ok;
  }
  print_table(stdout, {"definition", "at", "last changed", "created"}, rows, 0);
  return exit_ok;
}

int run_diff(const context& ctx, const diff_args& args) {
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto from = resolve_version(*p->db, p->id, args.from);
  if (!from.ok()) return report_error(ctx.json, exit_usage, from.err().message);
  uint64_t to = 0;  // the newest state
  if (!args.to.empty() && args.to != "working") {
    auto t = resolve_version(*p->db, p->id, args.to);
    if (!t.ok()) return report_error(ctx.json, exit_usage, t.err().message);
    to = *t;
  }
  auto d = diff_versions(*p->db, p->id, *from, to);
  if (!d.ok()) return report_error(ctx.json, exit_runtime, d.err().message);
  if (ctx.json) {
    print_json(to_json(*d));
    return exit_ok;
  }
  const auto& t = d->total;
  std::printf("%s -> %s: nodes +%zu -%zu ~%zu (%zu renamed), edges +%zu -%zu in %zu files\n",
              ("version " + std::to_string(d->from) + (d->over.empty() ? "" : " of " + d->over)).c_str(),
              to ? ("version " + std::to_string(to)).c_str() : "the newest state", t.nodes_added, t.nodes_removed,
              t.nodes_changed, t.nodes_renamed, t.edges_added, t.edges_removed, d->files.size());
  std::string file;
  size_t shown = 0;
  for (const auto& c : d->nodes) {
    const node& n = c.change == "removed" ? c.before : c.after;
    if (n.file != file) {
      file = n.file;
      const auto& f = d->files[file];
      std::printf("\n%s  (nodes +%zu -%zu ~%zu, edges +%zu -%zu)\n", file.c_str(), f.nodes_added, f.nodes_removed,
                  f.nodes_changed, f.edges_added, f.edges_removed);
    }
    if (++shown > args.limit) continue;
    const char* mark = c.change == "added" ? "+" : c.change == "removed" ? "-" : "~";
    std::string note = c.change != "changed" ? "" : c.moved ? "  (moved)" : c.signature_changed ? "  (signature)" : "";
    if (c.renamed)
      note = std::string(c.change == "added" ? "  (renamed from " : "  (renamed to ") + format_id(c.renamed) + ")";
    std::printf("  %s %s %s  %s%s\n", mark, std::string(to_string(n.kind)).c_str(),
                (n.qualified_name.empty() ? n.name : n.qualified_name).c_str(), location(n).c_str(), note.c_str());
  }
  if (shown > args.limit) std::printf("\n... %zu more node changes (--limit, or --json for all)\n", shown - args.limit);
  return exit_ok;
}

}  // namespace cg::cli
