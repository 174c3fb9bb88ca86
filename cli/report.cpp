#include "cli/report.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "actors/engine_json.hpp"
#include "cli/output.hpp"

namespace cg::cli {

void print_stats(std::FILE* out, const graph_stats& s) {
  std::vector<std::vector<std::string>> rows;
  int64_t files = 0, loc = 0, bytes = 0;
  for (auto& l : s.languages) {
    rows.push_back({std::string(to_string(l.lang)), human_count(l.files), human_count(l.loc), human_bytes(l.bytes)});
    files += l.files;
    loc += l.loc;
    bytes += l.bytes;
  }
  std::sort(rows.begin(), rows.end());
  rows.push_back({"total", human_count(files), human_count(loc), human_bytes(bytes)});
  std::fprintf(out, "Files by language:\n");
  print_table(out, {"language", "files", "LOC", "bytes"}, rows);
  if (s.files_with_errors)
    std::fprintf(out, "  (%s files parsed with syntax errors: what parsed is kept)\n",
                 human_count(s.files_with_errors).c_str());

  rows.clear();
  auto nodes = s.nodes;
  std::sort(nodes.begin(), nodes.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (auto& [k, n] : nodes) rows.push_back({std::string(to_string(k)), human_count(n)});
  rows.push_back({"total", human_count(s.total_nodes())});
  std::fprintf(out, "\nNodes by kind:\n");
  print_table(out, {"kind", "count"}, rows);

  rows.clear();
  for (auto& e : s.edges) {
    auto resolved = e.total - e.unresolved - e.external;
    rows.push_back({std::string(to_string(e.kind)), human_count(e.total), human_count(resolved),
                    human_count(e.external), human_count(e.unresolved)});
  }
  rows.push_back({"total", human_count(s.total_edges()), "", "", ""});
  std::fprintf(out, "\nEdges by kind:\n");
  print_table(out, {"kind", "edges", "resolved", "external", "unresolved"}, rows);

  auto refs = s.references(), resolved = s.resolved_references(), external = s.external_references();
  auto internal = refs - external;
  std::fprintf(out,
               "\nReferences: %s, of which %s external (language runtime or modules outside the project).\n"
               "Resolution rate: %s of the other %s resolved to a definition (%s unresolved).\n",
               human_count(refs).c_str(), human_count(external).c_str(),
               percent(static_cast<double>(resolved), static_cast<double>(internal)).c_str(),
               human_count(internal).c_str(), human_count(internal - resolved).c_str());
}

void print_summary(std::FILE* out, const index_summary& s) {
  std::fprintf(out, "Indexed %s as project \"%s\" (%s)\n", s.root.c_str(), s.project.c_str(),
               std::string(to_string(s.outcome)).c_str());
  std::fprintf(out, "  files: %s indexable, %s added, %s changed, %s unchanged, %s removed, %s failed",
               human_count(s.files_seen).c_str(), human_count(s.added).c_str(), human_count(s.changed).c_str(),
               human_count(s.unchanged).c_str(), human_count(s.removed).c_str(), human_count(s.failed).c_str());
  if (s.syntax_error_files) std::fprintf(out, ", %s with syntax errors", human_count(s.syntax_error_files).c_str());
  std::fprintf(out, "\n");
  if (s.based_on)
    std::fprintf(out, "  from version %llu, its nearest indexed ancestor (%s keys put back first)\n",
                 static_cast<unsigned long long>(s.based_on), human_count(s.rewound_keys).c_str());
  double loc_per_s = s.seconds_total > 0 ? static_cast<double>(s.loc_parsed) / s.seconds_total : 0;
  std::fprintf(out, "  parsed %s LOC (%s) in %s wall: %s LOC/s  [walk %s, parse+store %s, resolve %s]\n",
               human_count(s.loc_parsed).c_str(), human_bytes(s.bytes_parsed).c_str(),
               human_seconds(s.seconds_total).c_str(), human_count(static_cast<uint64_t>(loc_per_s)).c_str(),
               human_seconds(s.seconds_walk).c_str(), human_seconds(s.seconds_parse).c_str(),
               human_seconds(s.seconds_resolve).c_str());
  if (s.vectors.synced)
    std::fprintf(out, "  search index: %s definitions (%s added, %s updated, %s removed) in %s\n",
                 human_count(s.vectors.documents).c_str(), human_count(s.vectors.added).c_str(),
                 human_count(s.vectors.updated).c_str(), human_count(s.vectors.removed).c_str(),
                 human_seconds(s.vectors.seconds).c_str());
  else if (!s.vectors.error.empty())
    std::fprintf(out, "  search index: not updated: %s\n", s.vectors.error.c_str());
  if (s.version)
    std::fprintf(out, "  version %llu committed (`codegraph versions` lists them, --at %llu reads it)\n",
                 static_cast<unsigned long long>(s.version), static_cast<unsigned long long>(s.version));
  if (s.nodes_created || s.nodes_updated || s.nodes_deleted)
    std::fprintf(out, "  nodes: %s created, %s updated, %s deleted\n", human_count(s.nodes_created).c_str(),
                 human_count(s.nodes_updated).c_str(), human_count(s.nodes_deleted).c_str());
  if (!s.skipped.empty() || s.unsupported || s.ignored) {
    std::map<std::string, size_t> reasons;
    for (auto& k : s.skipped) {
      auto r = k.reason.substr(0, k.reason.find(" ("));
      ++reasons[r];
    }
    std::fprintf(out, "  skipped: %s (", human_count(s.skipped.size()).c_str());
    bool first = true;
    for (auto& [r, n] : reasons) {
      std::fprintf(out, "%s%zu %s", first ? "" : ", ", n, r.c_str());
      first = false;
    }
    std::fprintf(out, ")%s; %s files in other languages, %s ignored by .gitignore or globs\n", "",
                 human_count(s.unsupported).c_str(), human_count(s.ignored).c_str());
    size_t shown = 0;
    for (auto& k : s.skipped) {
      if (++shown > 8) {
        std::fprintf(out, "    ... and %zu more (--json lists all)\n", s.skipped.size() - 8);
        break;
      }
      std::fprintf(out, "    %s: %s\n", k.path.c_str(), k.reason.c_str());
    }
  }
  for (auto& f : s.failures) std::fprintf(out, "  failed: %s: %s\n", f.path.c_str(), f.reason.c_str());
  if (!s.error.empty()) std::fprintf(out, "  error: %s\n", s.error.c_str());
}

}  // namespace cg::cli
