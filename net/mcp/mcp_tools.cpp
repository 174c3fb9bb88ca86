// The tool table (names, schemas, annotations, the rule each call is checked by) and
// tools/list and tools/call.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "net/mcp/mcp_tools_internal.hpp"

namespace cg::mcp::catalog {
namespace {

using op = net::operation;
using handler = result<json> (*)(const call_context&, const json&);

struct tool {
  const char* name;
  const char* title;
  const char* description;
  json input;   // JSON Schema of the arguments
  json output;  // JSON Schema of the structured content
  op operation;
  bool read_only = true;
  bool needs_versions = false;
  handler run;
};

json str(const char* d) { return {{"type", "string"}, {"description", d}}; }
json num(const char* d, int lo, int hi, int dflt) {
  return {{"type", "integer"}, {"description", d}, {"minimum", lo}, {"maximum", hi}, {"default", dflt}};
}
json strs(const char* d) { return {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", d}}; }
json project_prop() { return str("project name; may be omitted when only one project is indexed"); }
json cursor_prop() { return str("the `next` cursor of a previous answer, for the following page"); }
json at_prop() { return str("read the graph at this version (3, head~1, a tag, a branch or an indexed git sha)"); }

json input(json props, std::vector<std::string> required = {}) {
  json j = {{"type", "object"}, {"properties", std::move(props)}};
  if (!required.empty()) j["required"] = required;
  return j;
}

json output(json props, std::vector<std::string> required) {
  props["fresh"] = {
      {"type", "object"},
      {"description",
       "seq: the store's write serial read; version: the head version; pending: files saved, not yet re-indexed"}};
  props["next"] = {{"type", "string"}};
  required.push_back("fresh");
  return {{"type", "object"}, {"properties", std::move(props)}, {"required", required}};
}
json arr() { return {{"type", "array"}}; }
json obj() { return {{"type", "object"}}; }

result<json> run_callers(const call_context& cx, const json& a) { return walk_calls(cx, a, true); }
result<json> run_callees(const call_context& cx, const json& a) { return walk_calls(cx, a, false); }
result<json> run_dependencies(const call_context& cx, const json& a) { return walk_deps(cx, a, false); }
result<json> run_dependents(const call_context& cx, const json& a) { return walk_deps(cx, a, true); }

const std::vector<tool>& tools() {
  static const std::vector<tool> all = [] {
    std::vector<tool> t;
    const char* sym = "a symbol: qualified or simple name, or a 16-hex node id";
    t.push_back({"search_code", "Search code",
                 "Hybrid search (BM25 over names, signatures and docstrings, vectors, graph context) over a project's "
                 "definitions. Use it first to find where something is implemented.",
                 input({{"query", str("what to look for: words, an identifier, a phrase")},
                        {"project", project_prop()},
                        {"kinds", strs("definition kinds to keep: function, method, class, ...")},
                        {"languages", strs("languages to keep: python, cpp, go, ...")},
                        {"path", str("gitignore-style glob on file paths, e.g. src/**/*.py")},
                        {"limit", num("hits per page", 1, 100, 10)},
                        {"cursor", cursor_prop()},
                        {"at", at_prop()}},
                       {"query"}),
                 output({{"hits", arr()}, {"total", {{"type", "integer"}}}}, {"hits"}), op::search, true, false,
                 search_code});
    t.push_back({"find_symbol", "Find a symbol",
                 "Definitions by name: exact, qualified (pkg.Class.method) or, unless exact is set, prefix, "
                 "substring and typo-tolerant matches, best first.",
                 input({{"name", str("the name to find")},
                        {"project", project_prop()},
                        {"exact", {{"type", "boolean"}, {"default", false}, {"description", "exact names only"}}},
                        {"kinds", strs("definition kinds to keep")},
                        {"languages", strs("languages to keep")},
                        {"limit", num("matches per page", 1, 200, 20)},
                        {"cursor", cursor_prop()},
                        {"at", at_prop()}},
                       {"name"}),
                 output({{"matches", arr()}}, {"matches"}), op::graph_read, true, false, find_symbol});
    t.push_back(
        {"get_symbol", "Get a symbol",
         "One definition: kind, location, signature, docstring, parent and its source text (up to "
         "max_lines lines).",
         input({{"symbol", str(sym)},
                {"project", project_prop()},
                {"source", {{"type", "boolean"}, {"default", true}, {"description", "include the source text"}}},
                {"max_lines", num("source lines at most", 1, 2000, 80)},
                {"at", at_prop()}},
               {"symbol"}),
         output({{"symbols", arr()}}, {"symbols"}), op::graph_read, true, false, get_symbol});
    for (bool callers : {true, false})
      t.push_back({callers ? "callers" : "callees", callers ? "Callers" : "Callees",
                   callers ? "Who calls (or instantiates) a symbol, transitively up to depth. Each result names "
                             "`via`, the node one hop nearer the symbol, so paths can be followed; `how` is possible "
                             "for calls resolved by type or name only."
                           : "What a symbol calls (or instantiates), transitively up to depth; unresolved and external "
                             "callees are listed by name.",
                   input({{"symbol", str(sym)},
                          {"project", project_prop()},
                          {"depth", num("hops", 1, 10, 1)},
                          {"limit", num("results per page", 1, 500, 50)},
                          {"cursor", cursor_prop()},
                          {"at", at_prop()}},
                         {"symbol"}),
                   output({{"targets", arr()}, {"results", arr()}}, {"targets", "results"}), op::graph_read, true,
                   false, callers ? run_callers : run_callees});
    for (bool dependents : {false, true})
      t.push_back({dependents ? "dependents" : "dependencies", dependents ? "Dependents" : "Dependencies",
                   dependents ? "What depends on a file (files importing or calling into it) or on a symbol (every "
                                "incoming reference: calls, imports, inheritance, type uses), up to depth."
                              : "What a file depends on (the files it imports or calls into) or what a symbol "
                                "references (calls, imports, bases, types), up to depth.",
                   input({{"target", str("a file path of the project, or a symbol")},
                          {"project", project_prop()},
                          {"depth", num("hops", 1, 10, 1)},
                          {"limit", num("results per page", 1, 500, 50)},
                          {"cursor", cursor_prop()},
                          {"at", at_prop()}},
                         {"target"}),
                   output({{"results", arr()}}, {"results"}), op::graph_read, true, false,
                   dependents ? run_dependents : run_dependencies});
    t.push_back({"trace_path", "Trace a path",
                 "A shortest chain of calls and references from one symbol to another (each step: the node reached "
                 "and the edge kind), or found: false.",
                 input({{"from", str(sym)},
                        {"to", str(sym)},
                        {"project", project_prop()},
                        {"max_depth", num("hops at most", 1, 20, 8)},
                        {"kinds", strs("edge kinds to walk (default: every kind but contains)")},
                        {"at", at_prop()}},
                       {"from", "to"}),
                 output({{"found", {{"type", "boolean"}}}, {"path", arr()}}, {"found", "path"}), op::graph_read, true,
                 false, trace_path});
    t.push_back(
        {"outline", "Outline a file",
         "The definitions of a file in source order, nested by depth, with their lines and signatures.",
         input({{"file", str("a file path of the project")}, {"project", project_prop()}, {"at", at_prop()}}, {"file"}),
         output({{"file", {{"type", "string"}}}, {"symbols", arr()}}, {"file", "symbols"}), op::graph_read, true, false,
         outline});
    t.push_back({"list_projects", "List projects", "The indexed projects: name, root, files, definitions, versions.",
                 input(json::object()), output({{"projects", arr()}}, {"projects"}), op::project_list, true, false,
                 list_projects});
    t.push_back({"project_stats", "Project statistics",
                 "A project's files and lines per language, definitions per kind, edges per kind and how many "
                 "references resolved.",
                 input({{"project", project_prop()}}), output({{"project", {{"type", "string"}}}}, {"project"}),
                 op::project_read, true, false, project_stats});
    t.push_back({"index_project", "Index a project",
                 "Indexes (or re-indexes) a directory as a project and waits for the run to end, sending progress "
                 "notifications when asked. Unchanged files are skipped, so a re-index is quick.",
                 input({{"project", str("the project's name (letters, digits, . - _)")},
                        {"path", str("the directory to index; default: the project's registered root")},
                        {"over", str("index path, a work tree of this project's git repository (a linked worktree, "
                                     "another branch), as a layer of its differences over it")}},
                       {"project"}),
                 output({{"task", {{"type", "integer"}}}, {"outcome", {{"type", "string"}}}}, {"task", "outcome"}),
                 op::project_index, false, false, index_project});
    t.push_back({"index_status", "Index status",
                 "Index runs (running and recent) of a project or of every project, with their progress or summary.",
                 input({{"project", str("a project's name; omitted: every project")},
                        {"task", {{"type", "integer"}, {"description", "one task's id"}}}}),
                 output({{"tasks", arr()}}, {"tasks"}), op::task_list, true, false, index_status});
    t.push_back({"review_changes", "Review changes",
                 "What a change touches: changed definitions between two versions (or a version and the working "
                 "tree), everything that reaches them up to depth, the tests that do, API changes and a risk score "
                 "with its reasons.",
                 input({{"base", str("the base version (3, head~1, a tag, a branch or an indexed git sha)")},
                        {"target", str("the target version; omitted: the working tree (the newest state)")},
                        {"project", project_prop()},
                        {"depth", num("hops of the blast radius", 1, 10, 3)},
                        {"limit", num("radius entries per page", 1, 1000, 100)},
                        {"cursor", cursor_prop()}},
                       {"base"}),
                 output({{"changed", arr()}, {"radius", arr()}, {"risk", obj()}}, {"changed", "radius", "risk"}),
                 op::graph_read, true, true, review_changes});
    t.push_back({"diff_versions", "Diff versions",
                 "Definitions added, removed and changed between two versions (signature changed or not, moved), "
                 "with totals per kind of change.",
                 input({{"from", str("the older version")},
                        {"to", str("the newer version; omitted: the newest state")},
                        {"project", project_prop()},
                        {"limit", num("changes per page", 1, 1000, 100)},
                        {"cursor", cursor_prop()}},
                       {"from"}),
                 output({{"totals", obj()}, {"changes", arr()}}, {"totals", "changes"}), op::graph_read, true, true,
                 diff_versions});
    t.push_back({"symbol_history", "Symbol history",
                 "The versions in which a definition was created and changed (and, with git, the commits), "
                 "followed back through file moves and renames (movedFrom).",
                 input({{"symbol", str(sym)}, {"project", project_prop()}}, {"symbol"}),
                 output({{"history", arr()}}, {"history"}), op::graph_read, true, true, symbol_history});
    return t;
  }();
  return all;
}

const tool* find_tool(std::string_view name) {
  for (const auto& t : tools())
    if (name == t.name) return &t;
  return nullptr;
}

bool listed(host& h, const net::principal& who, const tool& t, bool versions) {
  if (!t.read_only && (h.read_only() || !who.may(net::rule_of(t.operation).need))) return false;
  if (t.needs_versions && !versions) return false;
  return who.may(net::rule_of(t.operation).need);
}

json describe(const tool& t, bool modern) {
  json j = {{"name", t.name}, {"description", t.description}, {"inputSchema", t.input}};
  json ann = {{"readOnlyHint", t.read_only}, {"idempotentHint", true}, {"openWorldHint", false}};
  if (!t.read_only) ann["destructiveHint"] = false;
  ann["title"] = t.title;
  j["annotations"] = ann;
  if (modern) {
    j["title"] = t.title;
    j["outputSchema"] = t.output;
  }
  return j;
}

// A compact text rendering: scalars as key: value, arrays of objects as rows of
// tab-separated values under a header naming the columns.
void render_value(std::string& out, const json& v) {
  if (v.is_string())
    out += v.get_ref<const std::string&>();
  else if (!v.is_null())
    out += v.dump(-1, ' ', false, json::error_handler_t::replace);
}

void render_rows(std::string& out, const std::string& key, const json& rows) {
  std::vector<std::string> cols;
  for (const auto& r : rows)
    for (auto it = r.begin(); it != r.end(); ++it)
      if (std::find(cols.begin(), cols.end(), it.key()) == cols.end()) cols.push_back(it.key());
  out += key + " (" + std::to_string(rows.size()) + "):";
  for (auto& c : cols) out += (&c == &cols.front() ? " " : "\t") + c;
  out += "\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out += "\t";
      if (r.contains(cols[i])) render_value(out, r[cols[i]]);
    }
    out += "\n";
  }
}

std::string render(const json& s) {
  std::string out;
  for (auto it = s.begin(); it != s.end(); ++it) {
    const auto& v = it.value();
    if (it.key() == "fresh") continue;
    if (v.is_array() && !v.empty() && v.front().is_object()) {
      render_rows(out, it.key(), v);
      continue;
    }
    out += it.key() + ": ";
    render_value(out, v);
    out += "\n";
  }
  if (s.contains("fresh")) out += "fresh: " + s["fresh"].dump() + "\n";
  return out;
}

json failure(const std::string& message) {
  return {{"content", json::array({{{"type", "text"}, {"text", message}}})}, {"isError", true}};
}

}  // namespace

void call_context::progress(double done, double total, const std::string& message) const {
  if (progress_token.is_null() || !reply) return;
  json p = {{"progressToken", progress_token}, {"progress", done}};
  if (total > 0) p["total"] = total;
  if (!message.empty() && modern) p["message"] = message;
  reply({{"jsonrpc", "2.0"}, {"method", "notifications/progress"}, {"params", p}});
}

json list_tools(host& h, const net::principal& who, bool modern, const std::string& cursor) {
  size_t offset = 0;
  if (!cursor.empty()) {
    char* end = nullptr;
    offset = std::strtoull(cursor.c_str(), &end, 10);
    if (*end != '\0') return nullptr;
  }
  constexpr size_t page_size = 50;
  bool versions = versions_visible(h, who);
  json list = json::array();
  size_t seen = 0;
  json out = json::object();
  for (const auto& t : tools()) {
    if (!listed(h, who, t, versions)) continue;
    if (seen++ < offset) continue;
    if (list.size() == page_size) {
      out["nextCursor"] = std::to_string(offset + page_size);
      break;
    }
    list.push_back(describe(t, modern));
  }
  out["tools"] = std::move(list);
  return out;
}

bool versions_visible(host& h, const net::principal& who) {
  auto all = h.db().projects();
  if (!all.ok()) return false;
  for (auto& [name, id] : *all) {
    if (!who.may_project(name)) continue;
    auto head = h.db().head_version(id);
    if (head.ok() && *head > 0) return true;
  }
  return false;
}

std::optional<json> call_tool(const call_context& cx, std::string_view name, const json& args) {
  const auto* t = find_tool(name);
  if (!t) return std::nullopt;
  if (!args.is_object()) return failure("arguments must be an object");
  auto rule = net::rule_of(t->operation);
  if (!cx.who.may(rule.need))
    return failure(std::string(name) + " needs the " + std::string(net::to_string(rule.need)) + " role");
  if (!t->read_only && cx.h.read_only())
    return failure(std::string(name) +
                   " needs a server: this MCP server reads the data directory only. Run `codegraph serve` and connect "
                   "to its /mcp, or run `codegraph index`.");
  auto start = std::chrono::steady_clock::now();
  auto r = t->run(cx, args);
  cx.h.tool_called(name, !r.ok(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!r.ok()) return failure(r.err().message);
  json out = {{"content", json::array({{{"type", "text"}, {"text", render(*r)}}})}};
  if (cx.modern) out["structuredContent"] = std::move(*r);
  out["isError"] = false;
  return out;
}

}  // namespace cg::mcp::catalog
