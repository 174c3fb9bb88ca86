#include "actors/engine_json.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "schema/hash.hpp"
#include "schema/json.hpp"

namespace cg {

nlohmann::json resolution_json(const resolution_counts& c) {
  nlohmann::json by_kind = nlohmann::json::object();
  uint64_t r = 0, x = 0, u = 0;
  for (int k = 1; k < edge_kind_count; ++k) {
    if (!c.resolved[k] && !c.external[k] && !c.unresolved[k]) continue;
    by_kind[std::string(to_string(static_cast<edge_kind>(k)))] = {
        {"resolved", c.resolved[k]}, {"external", c.external[k]}, {"unresolved", c.unresolved[k]}};
    r += c.resolved[k];
    x += c.external[k];
    u += c.unresolved[k];
  }
  double rate = (r + u) ? static_cast<double>(r) / static_cast<double>(r + u) : 0.0;
  return {{"resolved", r}, {"external", x}, {"unresolved", u}, {"resolution_rate", rate}, {"by_kind", by_kind}};
}

nlohmann::json stats_json(const graph_stats& s) {
  nlohmann::json nodes = nlohmann::json::object(), edges = nlohmann::json::object(), langs = nlohmann::json::array();
  for (auto& [k, n] : s.nodes) nodes[std::string(to_string(k))] = n;
  for (auto& e : s.edges)
    edges[std::string(to_string(e.kind))] = {
        {"total", e.total}, {"unresolved", e.unresolved}, {"external", e.external}};
  int64_t files = 0, loc = 0, bytes = 0;
  for (auto& l : s.languages) {
    langs.push_back({{"language", to_string(l.lang)}, {"files", l.files}, {"loc", l.loc}, {"bytes", l.bytes}});
    files += l.files;
    loc += l.loc;
    bytes += l.bytes;
  }
  auto refs = s.references(), resolved = s.resolved_references(), external = s.external_references();
  int64_t internal = refs - external;
  return {{"files", files},
          {"loc", loc},
          {"bytes", bytes},
          {"files_with_syntax_errors", s.files_with_errors},
          {"languages", langs},
          {"nodes", {{"total", s.total_nodes()}, {"by_kind", nodes}}},
          {"edges", {{"total", s.total_edges()}, {"by_kind", edges}}},
          {"references",
           {{"total", refs},
            {"resolved", resolved},
            {"external", external},
            {"unresolved", internal - resolved},
            {"resolution_rate", internal > 0 ? static_cast<double>(resolved) / static_cast<double>(internal) : 0.0}}}};
}

nlohmann::json summary_json(const index_summary& s) {
  nlohmann::json by_lang = nlohmann::json::array();
  for (auto& l : s.parsed)
    by_lang.push_back({{"language", to_string(l.lang)}, {"files", l.files}, {"loc", l.loc}, {"bytes", l.bytes}});
  nlohmann::json skipped = nlohmann::json::array(), failures = nlohmann::json::array();
  for (auto& k : s.skipped) skipped.push_back({{"path", k.path}, {"reason", k.reason}});
  for (auto& k : s.failures) failures.push_back({{"path", k.path}, {"reason", k.reason}});
  double loc_per_s = s.seconds_total > 0 ? static_cast<double>(s.loc_parsed) / s.seconds_total : 0;
  nlohmann::json j = {
      {"task", s.task},
      {"project", s.project},
      {"root", s.root},
      {"outcome", to_string(s.outcome)},
      {"files",
       {{"seen", s.files_seen},
        {"added", s.added},
        {"changed", s.changed},
        {"unchanged", s.unchanged},
        {"removed", s.removed},
        {"failed", s.failed},
        {"syntax_errors", s.syntax_error_files},
        {"unsupported", s.unsupported},
        {"ignored", s.ignored}}},
      {"parsed", {{"loc", s.loc_parsed}, {"bytes", s.bytes_parsed}, {"by_language", by_lang}}},
      {"nodes_changed", {{"created", s.nodes_created}, {"updated", s.nodes_updated}, {"deleted", s.nodes_deleted}}},
      {"resolution", resolution_json(s.resolution)},
      {"files_resolved", s.files_resolved},
      {"version", s.version},
      {"timing",
       {{"total_seconds", s.seconds_total},
        {"walk_seconds", s.seconds_walk},
        {"parse_seconds", s.seconds_parse},
        {"resolve_seconds", s.seconds_resolve},
        {"parse_cpu_seconds", s.parse_cpu_seconds},
        {"loc_per_second", loc_per_s}}},
      {"skipped", skipped},
      {"failures", failures}};
  if (!s.error.empty()) j["error"] = s.error;
  if (s.based_on) j["based_on"] = {{"version", s.based_on}, {"keys", s.rewound_keys}};
  j["vectors"] = {{"synced", s.vectors.synced},   {"documents", s.vectors.documents}, {"added", s.vectors.added},
                  {"updated", s.vectors.updated}, {"removed", s.vectors.removed},     {"seconds", s.vectors.seconds}};
  if (!s.vectors.error.empty()) j["vectors"]["error"] = s.vectors.error;
  return j;
}

namespace {

template <typename T>
void get_to(const nlohmann::json& j, const char* key, T& out) {
  if (!j.is_object()) return;
  auto it = j.find(key);
  if (it == j.end()) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) out = it->get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) out = it->get<bool>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (it->is_number()) out = it->get<T>();
  } else {
    if (it->is_number_unsigned()) out = it->get<T>();
  }
}

const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json none;
  if (!j.is_object()) return none;
  auto it = j.find(key);
  return it == j.end() ? none : *it;
}

index_phase phase_of(const nlohmann::json& j, const char* key) {
  std::string s;
  get_to(j, key, s);
  for (auto p : {index_phase::walking, index_phase::parsing, index_phase::resolving, index_phase::done,
                 index_phase::failed, index_phase::cancelled})
    if (to_string(p) == s) return p;
  return index_phase::failed;
}

std::vector<skipped_entry> entries_of(const nlohmann::json& arr) {
  std::vector<skipped_entry> out;
  if (!arr.is_array()) return out;
  for (const auto& e : arr) {
    skipped_entry k;
    get_to(e, "path", k.path);
    get_to(e, "reason", k.reason);
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace

index_summary summary_from_json(const nlohmann::json& j) {
  index_summary s;
  get_to(j, "task", s.task);
  get_to(j, "project", s.project);
  get_to(j, "root", s.root);
  s.outcome = phase_of(j, "outcome");
  get_to(j, "error", s.error);
  const auto& f = member(j, "files");
  get_to(f, "seen", s.files_seen);
  get_to(f, "added", s.added);
  get_to(f, "changed", s.changed);
  get_to(f, "unchanged", s.unchanged);
  get_to(f, "removed", s.removed);
  get_to(f, "failed", s.failed);
  get_to(f, "syntax_errors", s.syntax_error_files);
  get_to(f, "unsupported", s.unsupported);
  get_to(f, "ignored", s.ignored);
  const auto& parsed = member(j, "parsed");
  get_to(parsed, "loc", s.loc_parsed);
  get_to(parsed, "bytes", s.bytes_parsed);
  if (const auto& by = member(parsed, "by_language"); by.is_array())
    for (const auto& l : by) {
      language_tally t;
      std::string name;
      get_to(l, "language", name);
      if (auto lang = parse_language(name)) t.lang = *lang;
      get_to(l, "files", t.files);
      get_to(l, "loc", t.loc);
      get_to(l, "bytes", t.bytes);
      s.parsed.push_back(t);
    }
  const auto& nc = member(j, "nodes_changed");
  get_to(nc, "created", s.nodes_created);
  get_to(nc, "updated", s.nodes_updated);
  get_to(nc, "deleted", s.nodes_deleted);
  if (const auto& by = member(member(j, "resolution"), "by_kind"); by.is_object())
    for (const auto& [name, c] : by.items()) {
      auto k = parse_edge_kind(name);
      if (!k) continue;
      auto i = static_cast<size_t>(*k);
      get_to(c, "resolved", s.resolution.resolved[i]);
      get_to(c, "external", s.resolution.external[i]);
      get_to(c, "unresolved", s.resolution.unresolved[i]);
    }
  get_to(j, "files_resolved", s.files_resolved);
  if (j.contains("version")) get_to(j, "version", s.version);
  if (j.contains("based_on")) {
    get_to(member(j, "based_on"), "version", s.based_on);
    get_to(member(j, "based_on"), "keys", s.rewound_keys);
  }
  const auto& t = member(j, "timing");
  get_to(t, "total_seconds", s.seconds_total);
  get_to(t, "walk_seconds", s.seconds_walk);
  get_to(t, "parse_seconds", s.seconds_parse);
  get_to(t, "resolve_seconds", s.seconds_resolve);
  get_to(t, "parse_cpu_seconds", s.parse_cpu_seconds);
  s.skipped = entries_of(member(j, "skipped"));
  s.failures = entries_of(member(j, "failures"));
  const auto& v = member(j, "vectors");
  get_to(v, "synced", s.vectors.synced);
  get_to(v, "documents", s.vectors.documents);
  get_to(v, "added", s.vectors.added);
  get_to(v, "updated", s.vectors.updated);
  get_to(v, "removed", s.vectors.removed);
  get_to(v, "seconds", s.vectors.seconds);
  get_to(v, "error", s.vectors.error);
  return s;
}

index_progress progress_from_json(const nlohmann::json& j) {
  index_progress p;
  get_to(j, "task", p.task);
  get_to(j, "project", p.project);
  p.phase = phase_of(j, "phase");
  get_to(j, "files_done", p.files_done);
  get_to(j, "files_total", p.files_total);
  get_to(j, "bytes_done", p.bytes_done);
  get_to(j, "bytes_total", p.bytes_total);
  get_to(j, "lines_done", p.lines_done);
  get_to(j, "errors", p.errors);
  get_to(j, "resolve_done", p.resolve_done);
  get_to(j, "resolve_total", p.resolve_total);
  get_to(j, "elapsed_seconds", p.elapsed_seconds);
  get_to(j, "eta_seconds", p.eta_seconds);
  get_to(j, "current", p.current);
  return p;
}

nlohmann::json hit_json(const search_hit& h) {
  return {{"id", format_id(h.id)},
          {"kind", to_string(h.kind)},
          {"language", to_string(h.lang)},
          {"name", h.name},
          {"qualified_name", h.qualified_name},
          {"file", h.file},
          {"line", h.line},
          {"score", h.score},
          {"bm25_rank", h.bm25_rank},
          {"bm25_score", h.bm25_score},
          {"vector_rank", h.vector_rank},
          {"vector_score", h.vector_score},
          {"graph_boost", h.graph_boost},
          {"reasons", h.reasons}};
}

void append_hit_json(std::string& out, const search_hit& h) {
  // dump()'s order: keys sorted.
  auto key = [&out](const char* k, bool first = false) {
    if (!first) out.push_back(',');
    out.push_back('"');
    out += k;
    out += "\":";
  };
  auto integer = [&out](int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<size_t>(end - buf));
  };
  out.push_back('{');
  key("bm25_rank", true);
  integer(h.bm25_rank);
  key("bm25_score");
  append_json_number(out, h.bm25_score);
  key("file");
  append_json_string(out, h.file);
  key("graph_boost");
  append_json_number(out, h.graph_boost);
  key("id");
  append_json_string(out, format_id(h.id));
  key("kind");
  append_json_string(out, to_string(h.kind));
  key("language");
  append_json_string(out, to_string(h.lang));
  key("line");
  integer(h.line);
  key("name");
  append_json_string(out, h.name);
  key("qualified_name");
  append_json_string(out, h.qualified_name);
  key("reasons");
  out.push_back('[');
  for (size_t i = 0; i < h.reasons.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, h.reasons[i]);
  }
  out.push_back(']');
  key("score");
  append_json_number(out, h.score);
  key("vector_rank");
  integer(h.vector_rank);
  key("vector_score");
  append_json_number(out, h.vector_score);
  out.push_back('}');
}

nlohmann::json progress_json(const index_progress& p) {
  nlohmann::json j = {{"task", p.task},
                      {"project", p.project},
                      {"phase", to_string(p.phase)},
                      {"files_done", p.files_done},
                      {"files_total", p.files_total},
                      {"bytes_done", p.bytes_done},
                      {"bytes_total", p.bytes_total},
                      {"lines_done", p.lines_done},
                      {"errors", p.errors},
                      {"resolve_done", p.resolve_done},
                      {"resolve_total", p.resolve_total},
                      {"elapsed_seconds", p.elapsed_seconds}};
  if (p.eta_seconds >= 0) j["eta_seconds"] = p.eta_seconds;
  if (!p.current.empty()) j["current"] = p.current;
  return j;
}

nlohmann::json batch_json(const search_batch& b) {
  nlohmann::json hits = nlohmann::json::array();
  for (const auto& h : b.hits) hits.push_back(hit_json(h));
  return {{"batch", b.index}, {"last", b.last}, {"total", b.total}, {"elapsed_ms", b.elapsed_ms}, {"hits", hits}};
}

nlohmann::json changes_json(const node_changes& c) {
  nlohmann::json files = nlohmann::json::array();
  auto ids = [](const std::vector<node_id>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (auto id : v) a.push_back(format_id(id));
    return a;
  };
  static constexpr const char* what[] = {"added", "changed", "removed", "unchanged"};
  for (const auto& f : c.files)
    files.push_back({{"path", f.path},
                     {"change", what[static_cast<int>(f.kind)]},
                     {"created", ids(f.created)},
                     {"updated", ids(f.updated)},
                     {"deleted", ids(f.deleted)}});
  return {{"project", c.project}, {"files", files}};
}

nlohmann::json event_json(const event& e) {
  nlohmann::json j = {{"topic", e.topic}};
  if (auto* p = std::get_if<index_progress>(&e.payload)) {
    j["type"] = "progress";
    j["data"] = progress_json(*p);
  } else if (auto* c = std::get_if<node_changes>(&e.payload)) {
    j["type"] = "changes";
    j["data"] = changes_json(*c);
  } else if (auto* s = std::get_if<index_summary>(&e.payload)) {
    j["type"] = "index_done";
    j["data"] = summary_json(*s);
  } else if (auto* v = std::get_if<version_created>(&e.payload)) {
    j["type"] = "version";
    j["data"] = to_json(v->version);
    j["data"]["project"] = v->project;
  }
  return j;
}

}  // namespace cg
