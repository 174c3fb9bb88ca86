// Resources (files and nodes of the projects, as codegraph:// URIs), resource
// templates, prompts and the server's instructions.
#include <fstream>
#include <sstream>

#include "net/mcp/mcp_tools_internal.hpp"
#include "schema/hash.hpp"

namespace cg::mcp::catalog {
namespace {

constexpr std::string_view scheme = "codegraph://";
constexpr size_t resources_page = 200;

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

std::string encode_path(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (unreserved(c)) {
      out += c;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    out += '%';
    out += hex[u >> 4];
    out += hex[u & 15];
  }
  return out;
}

std::string mime_of(std::string_view path) {
  auto dot = path.rfind('.');
  auto ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  if (ext == "py") return "text/x-python";
  if (ext == "js" || ext == "mjs" || ext == "cjs") return "text/javascript";
  if (ext == "ts" || ext == "tsx") return "text/x-typescript";
  if (ext == "go") return "text/x-go";
  if (ext == "java") return "text/x-java";
  if (ext == "rs") return "text/x-rust";
  if (ext == "c" || ext == "h") return "text/x-c";
  if (ext == "cc" || ext == "cpp" || ext == "cxx" || ext == "hpp" || ext == "hh") return "text/x-c++";
  return "text/plain";
}

result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::not_found, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct visible_project {
  std::string name;
  uint32_t id;
};

std::vector<visible_project> visible(host& h, const net::principal& who) {
  std::vector<visible_project> out;
  if (auto all = h.db().projects(); all.ok())
    for (auto& [name, id] : *all)
      if (who.may_project(name)) out.push_back({name, id});
  return out;
}

}  // namespace

std::string node_uri(std::string_view project, node_id id) {
  return std::string(scheme) + std::string(project) + "/node/" + format_id(id);
}

std::string file_uri(std::string_view project, std::string_view path) {
  return std::string(scheme) + std::string(project) + "/file/" + encode_path(path);
}

std::optional<resource_uri> parse_uri(std::string_view uri) {
  if (!uri.starts_with(scheme)) return std::nullopt;
  uri.remove_prefix(scheme.size());
  auto slash = uri.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  resource_uri r;
  r.project = std::string(uri.substr(0, slash));
  auto rest = uri.substr(slash + 1);
  if (rest.starts_with("node/")) {
    r.is_node = true;
    if (!parse_id(rest.substr(5), r.id)) return std::nullopt;
    return r;
  }
  if (rest.starts_with("file/") && rest.size() > 5) {
    if (!net::percent_decode(rest.substr(5), r.path, false)) return std::nullopt;
    return r;
  }
  return std::nullopt;
}

json list_resources(host& h, const net::principal& who, const std::string& cursor) {
  size_t offset = 0;
  if (!cursor.empty()) {
    char* end = nullptr;
    offset = std::strtoull(cursor.c_str(), &end, 10);
    if (*end != '\0') return nullptr;
  }
  json list = json::array();
  size_t index = 0;
  json out = json::object();
  for (const auto& p : visible(h, who)) {
    auto files = graph_query(h.db().latest(), p.id).files();
    if (!files.ok()) continue;
    for (const auto& f : *files) {
      if (f.path.starts_with("@")) continue;  // manual nodes' virtual file
      if (index++ < offset) continue;
      if (list.size() == resources_page) {
        out["nextCursor"] = std::to_string(offset + resources_page);
        out["resources"] = std::move(list);
        return out;
      }
      list.push_back({{"uri", file_uri(p.name, f.path)},
                      {"name", p.name + ":" + f.path},
                      {"mimeType", mime_of(f.path)},
                      {"size", f.size}});
    }
  }
  out["resources"] = std::move(list);
  return out;
}

json resource_templates() {
  return {
      {"resourceTemplates",
       json::array({{{"uriTemplate", "codegraph://{project}/node/{id}"},
                     {"name", "node"},
                     {"title", "A definition"},
                     {"description",
                      "A definition of the graph by its 16-hex id: location, signature, docstring and source, as JSON"},
                     {"mimeType", "application/json"}},
                    {{"uriTemplate", "codegraph://{project}/file/{+path}"},
                     {"name", "file"},
                     {"title", "A source file"},
                     {"description", "A file of a project by its path relative to the project root: its text"},
                     {"mimeType", "text/plain"}}})}};
}

result<json> read_resource(host& h, const net::principal& who, const std::string& uri) {
  auto r = parse_uri(uri);
  if (!r) return make_error(errc::invalid_argument, "not a codegraph:// resource URI: " + uri);
  auto id = h.db().project_id(r->project);
  if (!id.ok() || !who.may_project(r->project)) return make_error(errc::not_found, "no project " + r->project);
  graph_query q(h.db().latest(), *id);
  auto root = h.project_root(r->project);
  if (!r->is_node) {
    auto f = q.file(r->path);
    if (!f.ok()) return f.err();
    if (!f->has_value()) return make_error(errc::not_found, "no file " + r->path + " in " + r->project);
    auto text = read_text(root + "/" + r->path);
    if (!text.ok()) return make_error(errc::not_found, text.err().message);
    return json{
        {"contents", json::array({{{"uri", uri}, {"mimeType", mime_of(r->path)}, {"text", std::move(*text)}}})}};
  }
  auto n = q.get(r->id);
  if (!n.ok()) return n.err();
  if (!n->has_value()) return make_error(errc::not_found, "no node " + format_id(r->id) + " in " + r->project);
  const auto& nd = **n;
  auto j = brief(nd);
  j["lang"] = to_string(nd.lang);
  j["lines"] = {nd.span.start.line, nd.span.end.line};
  if (!nd.signature.empty()) j["signature"] = nd.signature;
  if (!nd.docstring.empty()) j["doc"] = nd.docstring;
  if (nd.kind != node_kind::file)
    if (auto text = read_text(root + "/" + nd.file);
        text.ok() && nd.span.end_byte <= text->size() && nd.span.start_byte < nd.span.end_byte)
      j["source"] = text->substr(nd.span.start_byte, nd.span.end_byte - nd.span.start_byte);
  return json{{"contents", json::array({{{"uri", uri}, {"mimeType", "application/json"}, {"text", j.dump()}}})}};
}

json list_prompts() {
  return {
      {"prompts",
       json::array(
           {{{"name", "review_working_tree"},
             {"title", "Review my working tree"},
             {"description", "Review the uncommitted changes: what they touch, the tests that cover them, the risk"},
             {"arguments", json::array({{{"name", "project"},
                                         {"description", "the project (optional with one project)"},
                                         {"required", false}},
                                        {{"name", "base"},
                                         {"description", "the version to compare with (default: head)"},
                                         {"required", false}}})}},
            {{"name", "explain_symbol"},
             {"title", "Explain a symbol"},
             {"description", "Explain what a symbol does, who calls it and what it calls"},
             {"arguments", json::array({{{"name", "symbol"}, {"description", "a name or node id"}, {"required", true}},
                                        {{"name", "project"},
                                         {"description", "the project (optional with one project)"},
                                         {"required", false}}})}},
            {{"name", "impact_of_change"},
             {"title", "Impact of changing a symbol"},
             {"description", "Before changing a symbol: everything that depends on it, and the tests to run"},
             {"arguments", json::array({{{"name", "symbol"}, {"description", "a name or node id"}, {"required", true}},
                                        {{"name", "project"},
                                         {"description", "the project (optional with one project)"},
                                         {"required", false}}})}}})}};
}

result<json> get_prompt(const std::string& name, const json& args) {
  auto arg = [&](const char* k, const char* fallback) {
    return args.is_object() && args.contains(k) && args[k].is_string() ? args[k].get<std::string>()
                                                                       : std::string(fallback);
  };
  auto in_project = [&] {
    auto p = arg("project", "");
    return p.empty() ? std::string() : " (project \"" + p + "\")";
  };
  std::string text, description;
  if (name == "review_working_tree") {
    description = "Review the working tree against " + arg("base", "head");
    text = "Review my uncommitted changes" + in_project() + ". Call review_changes with base \"" + arg("base", "head") +
           "\" and no target. Summarise: the changed definitions (signature changes first), what they reach and how "
           "far, the tests that reach them and the changed functions no test reaches, the API changes with their "
           "users, and the risk score with its reasons. Then list what I should check or test before committing.";
  } else if (name == "explain_symbol" || name == "impact_of_change") {
    auto sym = arg("symbol", "");
    if (sym.empty()) return make_error(errc::invalid_argument, "the argument 'symbol' is required");
    if (name == "explain_symbol") {
      description = "Explain " + sym;
      text = "Explain `" + sym + "`" + in_project() +
             ". Call get_symbol for its signature, docstring and source, callers with depth 2 and callees with depth "
             "1. Describe what it does, its inputs and outputs, who relies on it and what it relies on.";
    } else {
      description = "The impact of changing " + sym;
      text = "I am about to change `" + sym + "`" + in_project() +
             ". Call get_symbol, then callers with depth 3 and dependents with depth 2. List every definition that "
             "would be affected, grouped by file, the tests among them, and the call sites whose arguments would "
             "need to change if its signature changed.";
    }
  } else {
    return make_error(errc::invalid_argument, "no prompt '" + name + "'");
  }
  return json{{"description", description},
              {"messages", json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}})}};
}

std::string instructions() {
  return "CodeGraph answers questions about indexed code from its live graph of definitions, calls, imports, "
         "inheritance and references. Start with search_code or find_symbol to find definitions, then get_symbol, "
         "callers/callees, dependencies/dependents and trace_path. Symbols may be named by qualified name "
         "(pkg.mod.Class.method), simple name or the 16-hex id from a previous answer. Lists are paged: pass `next` "
         "back as `cursor`. Every answer carries `fresh` (seq: the store's write serial it was read at; pending: "
         "files saved but not re-indexed yet). Subscribe to codegraph://{project}/file/{path} resources to hear when "
         "a file's graph changes.";
}

}  // namespace cg::mcp::catalog
