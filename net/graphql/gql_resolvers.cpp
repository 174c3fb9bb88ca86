// The CodeGraph resolvers: graph reads from one store snapshot per call, batched over
// every parent of a level; search, similarity and writes through the engine's
// actors; subscriptions fed by the server's event hub.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>

#include "actors/engine.hpp"
#include "actors/engine_json.hpp"
#include "actors/read_api.hpp"
#include "net/app/app.hpp"
#include "net/app/manual_edits_json.hpp"
#include "net/app/policy.hpp"
#include "net/graphql/gql_service.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"
#include "schema/node_input.hpp"
#include "schema/resolution_filter.hpp"
#include "schema/value_text.hpp"

namespace cg::net {
namespace {

using gql::batch_resolver;
using gql::context;
using gql::each;
using gql::field_value;
using gql::json;

gql_request_ctx& rctx(context& c) { return *std::any_cast<std::shared_ptr<gql_request_ctx>>(c.user); }

std::string upper(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}
std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

json node_gql(const std::string& project, const node& n) {
  return json{{"id", format_id(n.id)},
              {"project", project},
              {"nodeType", upper(to_string(n.kind))},
              {"name", n.name},
              {"qualifiedName", n.qualified_name},
              {"filePath", n.file},
              {"lineNumber", n.line()},
              {"column", n.name_pos.column},
              {"endLine", n.span.end.line},
              {"language", upper(to_string(n.lang))},
              {"signature", n.signature.empty() ? json(nullptr) : json(n.signature)},
              {"typeName", n.type_name.empty() || is_value_text(n.type_name) ? json(nullptr) : json(n.type_name)},
              {"docstring", n.docstring.empty() ? json(nullptr) : json(n.docstring)},
              {"manual", n.has(modifier::manual)},
              {"__parent", format_id(n.parent)}};
}

// Node.metadata: what the parser knew beyond the typed fields.
json node_metadata(const node& n) {
  json j = {{"span",
             {{"startLine", n.span.start.line},
              {"startColumn", n.span.start.column},
              {"endLine", n.span.end.line},
              {"endColumn", n.span.end.column},
              {"startByte", n.span.start_byte},
              {"endByte", n.span.end_byte}}},
            {"modifiers", modifiers_json(n)},
            {"contentHash", format_id(n.content_hash)},
            {"parentId", n.parent ? json(format_id(n.parent)) : json(nullptr)}};
  if (n.vis != visibility::none) j["visibility"] = std::string(to_string(n.vis));
  return j;
}

json edge_gql(const std::string& project, const edge& e, const std::optional<node>& src,
              const std::optional<node>& dst) {
  json sites = json::array();
  for (const auto& s : e.sites) sites.push_back({{"line", s.line}, {"column", s.column}});
  json meta = {{"resolved", e.resolved()},
               {"siteCount", e.sites.size()},
               {"firstSite", e.sites.empty() ? json(nullptr) : sites.front()}};
  return json{{"id", format_id(e.source) + "-" + std::string(to_string(e.kind)) + "-" + format_id(e.target)},
              {"type", upper(to_string(e.kind))},
              {"source", src ? node_gql(project, *src) : json(nullptr)},
              {"target", dst ? node_gql(project, *dst) : json(nullptr)},
              {"targetName", e.target_name},
              {"resolution", std::string(to_string(e.how))},
              {"sites", sites},
              {"metadata", std::move(meta)}};
}

// The project, if it exists and the caller may see it; else the error to answer.
struct opened {
  std::optional<graph_query> q;
  std::string error, code;
};
opened open(context& c, const std::string& project, const std::string& at = {}) {
  auto& r = rctx(c);
  opened o;
  if (!r.who.may_project(project)) {
    o.error = "the token is scoped to project " + r.who.project;
    o.code = "FORBIDDEN";
    return o;
  }
  auto id = r.a->eng().storage().project_id(project);
  if (!id.ok()) {
    o.error = "no project " + project;
    o.code = "NOT_FOUND";
    return o;
  }
  if (!at.empty()) {
    // The graph at a version (3, head, head~1).
    auto& db = r.a->eng().storage();
    auto v = resolve_version(db, *id, at);
    auto view = v.ok() ? db.as_of(*id, *v) : result<read_view>(v.err());
    if (!view.ok()) {
      o.error = "at: " + view.err().message;
      o.code = view.err().code == errc::not_found ? "NOT_FOUND" : "BAD_USER_INPUT";
      return o;
    }
    o.q.emplace(*view, *id);
    return o;
  }
  o.q.emplace(r.a->eng().storage().latest(), *id);
  return o;
}

// Nodes read at a version carry it (a key the schema does not show), so that their
// own fields (callers, children, ...) answer at that version too.
void mark_version(json& v, const std::string& at) {
  if (v.is_array()) {
    for (auto& x : v) mark_version(x, at);
  } else if (v.is_object()) {
    if (v.contains("nodeType") && v.contains("project")) v["at"] = at;
    for (auto& [k, x] : v.items())
      if (x.is_structured()) mark_version(x, at);
  }
}

std::optional<node_id> id_arg(const json& args, const char* name) {
  node_id id = 0;
  if (!args.contains(name) || !args[name].is_string() || !parse_id(args[name].get<std::string>(), id))
    return std::nullopt;
  return id;
}

int int_arg(const json& args, const char* name, int lo, int hi, int fallback) {
  if (!args.contains(name) || !args[name].is_number_integer()) return fallback;
  return std::clamp(static_cast<int>(args[name].get<int64_t>()), lo, hi);
}

result<resolution_filter> resolution_arg(const json& args) {
  if (!args.contains("resolution") || !args["resolution"].is_string()) return resolution_filter{};
  return resolution_filter::parse(args["resolution"].get<std::string>());
}

// Callers and callees: C() calls C.__init__ and instantiates C.
std::vector<edge_kind> call_kinds() { return {edge_kind::calls, edge_kind::instantiates}; }

std::vector<edge_kind> edge_kinds(const json& args, const char* name) {
  std::vector<edge_kind> out;
  if (args.contains(name) && args[name].is_array())
    for (const auto& k : args[name])
      if (auto e = parse_edge_kind(lower(k.get<std::string>()))) out.push_back(*e);
  return out;
}

// Versions: the store's records, as the schema's Version.
json version_gql(const version_record& v) {
  char iso[32] = "";
  std::time_t t = static_cast<std::time_t>(v.created);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  auto opt = [](const std::string& x) { return x.empty() ? json(nullptr) : json(x); };
  return json{{"id", v.id},
              {"parent", v.parent ? json(v.parent) : json(nullptr)},
              {"gitParents", v.git_parents},
              {"source", v.source},
              {"created", iso},
              {"message", opt(v.message)},
              {"commit", opt(v.commit)},
              {"author", opt(v.author)},
              {"files", v.files},
              {"nodes", v.nodes},
              {"edges", v.edges},
              {"changedKeys", v.changed_keys}};
}

field_value fail(const error& e) {
  const char* code = e.code == errc::not_found ? "NOT_FOUND"
                     : e.code == errc::invalid_argument || e.code == errc::unsupported || e.code == errc::too_large
                         ? "BAD_USER_INPUT"
                     : e.code == errc::conflict          ? "CONFLICT"
                     : e.code == errc::permission_denied ? "FORBIDDEN"
                     : e.code == errc::overloaded        ? "OVERLOADED"
                                                         : "INTERNAL_SERVER_ERROR";
  return field_value::fail(e.message, code);
}

// Per parent node: groups parents by project and opens each project once. Nodes of
// parseFile are not stored ("__transient"): they answer `field` from what they carry
// (parent, children) or with an empty list.
template <class Fn>
batch_resolver per_project(Fn fn, const char* field = nullptr) {
  return [fn, field](const std::vector<const json*>& parents, const json& args, context& c) {
    std::vector<field_value> out(parents.size());
    std::map<std::pair<std::string, std::string>, std::vector<size_t>> groups;  // (project, version)
    for (size_t i = 0; i < parents.size(); ++i) {
      if (field && parents[i]->contains("__transient")) {
        auto it = parents[i]->find(field);
        out[i] = it != parents[i]->end()               ? field_value(*it)
                 : std::string_view(field) == "parent" ? field_value(json(nullptr))
                                                       : field_value(json::array());
        continue;
      }
      groups[{parents[i]->value("project", std::string()), parents[i]->value("at", std::string())}].push_back(i);
    }
    for (const auto& [key, idx] : groups) {
      const auto& [project, at] = key;
      auto o = open(c, project, at);
      for (auto i : idx) {
        // A spent budget or a cancelled operation: the executor reports it once.
        if (c.stopped()) return std::vector<field_value>(parents.size(), field_value::fail("stopped", "STOPPED"));
        if (!o.q)
          out[i] = field_value::fail(o.error, o.code);
        else
          out[i] = fn(*o.q, project, *parents[i], args);
        if (!at.empty()) mark_version(out[i].value, at);
      }
    }
    return out;
  };
}

json neighbors_nodes(const std::string& project, const std::vector<neighbor>& ns) {
  json arr = json::array();
  std::set<node_id> seen;
  for (const auto& n : ns)
    if (n.n && seen.insert(n.n->id).second) arr.push_back(node_gql(project, *n.n));
  return arr;
}

search_filters filters_from(const json& o) {
  search_filters f;
  if (o.contains("language") && o["language"].is_array())
    for (const auto& l : o["language"])
      if (auto x = parse_language(lower(l.get<std::string>()))) f.languages.push_back(*x);
  if (o.contains("nodeType") && o["nodeType"].is_array())
    for (const auto& k : o["nodeType"])
      if (auto x = parse_node_kind(lower(k.get<std::string>()))) f.kinds.push_back(*x);
  if (o.contains("path") && o["path"].is_string()) f.path_glob = o["path"].get<std::string>();
  return f;
}

search_mode mode_from(const json& o) {
  auto m = o.contains("mode") && o["mode"].is_string() ? o["mode"].get<std::string>() : "BALANCED";
  return m == "EXACT" ? search_mode::exact : m == "FAST" ? search_mode::fast : search_mode::balanced;
}

json hit_gql(const std::string& project, const search_hit& h) {
  json reasons = json::array();
  for (const auto& r : h.reasons) reasons.push_back(r);
  return json{{"id", format_id(h.id)}, {"name", h.name},     {"filePath", h.file}, {"lineNumber", h.line},
              {"score", h.score},      {"reasons", reasons}, {"project", project}, {"__node", format_id(h.id)}};
}

search_request search_from(const json& args) {
  search_request sr;
  sr.project = args.value("project", std::string());
  sr.query = args.value("query", std::string());
  json o = args.contains("options") && args["options"].is_object() ? args["options"] : json::object();
  sr.mode = mode_from(o);
  sr.k = static_cast<size_t>(int_arg(o, "k", 1, 1000, 10));
  sr.batch_size = static_cast<size_t>(int_arg(o, "batchSize", 1, 1000, 10));
  sr.filters = filters_from(o);
  if (o.contains("contextFile") && o["contextFile"].is_string()) sr.context_file = o["contextFile"].get<std::string>();
  if (args.contains("at") && args["at"].is_string()) sr.at = args["at"].get<std::string>();
  return sr;
}

}  // namespace

status wire_query_resolvers(gql::schema& s);
status wire_live_resolvers(gql::schema& s);

const std::vector<std::pair<std::string_view, operation>>& graphql_root_operations() {
  using o = operation;
  static const std::vector<std::pair<std::string_view, operation>> table = {
      {"Query.projects", o::project_list},
      {"Query.project", o::project_read},
      {"Query.node", o::graph_read},
      {"Query.nodes", o::graph_read},
      {"Query.search", o::search},
      {"Query.similarNodes", o::search},
      {"Query.dependencies", o::graph_read},
      {"Query.dependents", o::graph_read},
      {"Query.callers", o::graph_read},
      {"Query.callees", o::graph_read},
      {"Query.path", o::graph_read},
      {"Query.files", o::graph_read},
      {"Query.outline", o::graph_read},
      {"Query.versions", o::graph_read},
      {"Query.version", o::graph_read},
      {"Query.diff", o::graph_read},
      {"Query.blame", o::graph_read},
      {"Query.refs", o::graph_read},
      {"Query.review", o::graph_read},
      {"Mutation.createNode", o::node_write},
      {"Mutation.updateNode", o::node_write},
      {"Mutation.deleteNode", o::node_write},
      {"Mutation.applyEdits", o::node_write},
      {"Mutation.setRef", o::version_write},
      {"Mutation.deleteRef", o::version_write},
      // A file of a project needs parse_file on it too (checked by parse_for_api).
      {"Mutation.parseFile", o::parse_snippet},
      // A new project needs project_create, another root project_reroot (checked inside).
      {"Mutation.parseProject", o::project_index},
      {"Mutation.rebuildIndex", o::vectors_rebuild},
      {"Subscription.nodeCreated", o::events_subscribe},
      {"Subscription.nodeUpdated", o::events_subscribe},
      {"Subscription.nodeDeleted", o::events_subscribe},
      {"Subscription.parseProgress", o::events_subscribe},
      {"Subscription.versionCreated", o::events_subscribe},
      {"Subscription.reviewImpact", o::events_subscribe},
      {"Subscription.searchStream", o::search},
  };
  return table;
}

namespace {

// The project a root field's arguments name ("" when none).
std::string project_of(const json& args) {
  if (args.contains("project") && args["project"].is_string()) return args["project"].get<std::string>();
  if (args.contains("input") && args["input"].is_object() && args["input"].contains("project") &&
      args["input"]["project"].is_string())
    return args["input"]["project"].get<std::string>();
  return {};
}

// authorize() for a root field: a field without a project argument is checked for its
// role only (what it reaches is checked by project inside, e.g. a task's project).
decision authorize_field(const principal& who, operation op, const json& args) {
  auto project = project_of(args);
  return authorize(who, op, project.empty() && rule_of(op).scope == scope_rule::project ? who.project : project);
}

// Root fields whose project argument may be left out when the answer is unambiguous:
// the caller's scope, else the server's only project. (The node subscriptions
// without it cover every project the caller may see; parseProgress takes a task.)
bool takes_default_project(const std::string& key) {
  static const std::set<std::string> fields = {
      "Query.node",          "Query.nodes",         "Query.search",          "Query.similarNodes",
      "Query.dependencies",  "Query.dependents",    "Query.callers",         "Query.callees",
      "Query.path",          "Query.files",         "Query.outline",         "Mutation.createNode",
      "Mutation.updateNode", "Mutation.deleteNode", "Mutation.rebuildIndex", "Subscription.searchStream",
      "Mutation.applyEdits", "Mutation.setRef",     "Mutation.deleteRef"};
  return fields.contains(key);
}

result<std::string> default_project(context& c) {
  auto& r = rctx(c);
  if (!r.who.project.empty()) return r.who.project;
  auto all = r.a->eng().storage().projects();
  if (!all.ok()) return all.err();
  if (all->size() == 1) return all->front().first;
  if (all->empty()) return make_error(errc::not_found, "no projects yet: index one first");
  std::string names;
  for (const auto& [n, id] : *all) names += (names.empty() ? "" : ", ") + n;
  return make_error(errc::invalid_argument, "project is required: this server holds " + std::to_string(all->size()) +
                                                " projects (" + names + ")");
}

// The arguments with the project filled in when left out (a copy only then).
result<const json*> with_project(const json& args, context& c, json& filled) {
  if (args.contains("project") && args["project"].is_string()) return &args;
  auto p = default_project(c);
  if (!p.ok()) return p.err();
  filled = args;
  filled["project"] = *p;
  return &filled;
}

// Every root field gets its operation's check before its resolver or event source
// runs; a root field missing from the table is a wiring bug (the service does not start).
status guard_root_fields(gql::schema& s) {
  for (const char* root : {"Query", "Mutation", "Subscription"}) {
    const auto* t = s.type(root);
    if (!t) continue;
    for (const auto& f : t->fields) {
      auto key = std::string(root) + "." + f.name;
      auto it = std::find_if(graphql_root_operations().begin(), graphql_root_operations().end(),
                             [&](const auto& e) { return e.first == key; });
      if (it == graphql_root_operations().end())
        return make_error(errc::internal,
                          "GraphQL root field " + key + " has no operation in graphql_root_operations()");
      auto op = it->second;
      bool fill = takes_default_project(key);
      auto* mf = s.mutable_field(root, f.name);
      if (mf->subscribe) {
        mf->subscribe = [op, fill, inner = mf->subscribe](
                            const json& given, context& c, gql::emit_fn emit,
                            std::function<void(std::string)> end) -> result<std::unique_ptr<gql::stream_handle>> {
          json filled;
          const json* args = &given;
          if (fill) {
            auto a = with_project(given, c, filled);
            if (!a.ok()) return a.err();
            args = *a;
          }
          auto d = authorize_field(rctx(c).who, op, *args);
          if (!d.allowed) return make_error(errc::permission_denied, d.message);
          return inner(*args, c, std::move(emit), std::move(end));
        };
      }
      if (mf->resolve) {
        mf->resolve = [op, fill, inner = mf->resolve](const std::vector<const json*>& parents, const json& given,
                                                      context& c) -> std::vector<field_value> {
          json filled;
          const json* args = &given;
          if (fill) {
            auto a = with_project(given, c, filled);
            if (!a.ok()) return std::vector<field_value>(parents.size(), fail(a.err()));
            args = *a;
          }
          auto d = authorize_field(rctx(c).who, op, *args);
          if (!d.allowed)
            return std::vector<field_value>(
                parents.size(), field_value::fail(d.message, d.status == 401 ? "UNAUTHENTICATED" : "FORBIDDEN"));
          return inner(parents, *args, c);
        };
      }
    }
  }
  return {};
}

}  // namespace

status wire_resolvers(gql::schema& s) {
  if (auto st = wire_query_resolvers(s); !st.ok()) return st;
  if (auto st = wire_live_resolvers(s); !st.ok()) return st;
  return guard_root_fields(s);
}

// Shared with gql_live.cpp.
json gql_node(const std::string& project, const node& n) { return node_gql(project, n); }
json gql_hit(const std::string& project, const search_hit& h) { return hit_gql(project, h); }
json gql_version(const version_record& v) { return version_gql(v); }
search_request gql_search_request(const json& args) { return search_from(args); }
bool gql_may(context& c, const std::string& project, std::string& err) {
  auto o = open(c, project);
  err = o.error;
  return o.q.has_value();
}

namespace {

// Node fields: per parent, batched by project.
void wire_node_fields(gql::schema& s, std::vector<status>& st) {
  st.push_back(s.resolve("Node", "parent",
                         per_project(
                             [](graph_query& q, const std::string& project, const json& p, const json&) -> field_value {
                               node_id id = 0;
                               if (!parse_id(p.value("__parent", std::string()), id) || id == 0) return json(nullptr);
                               auto n = q.get(id);
                               if (!n.ok()) return fail(n.err());
                               return *n ? node_gql(project, **n) : json(nullptr);
                             },
                             "parent")));
  st.push_back(s.resolve(
      "Node", "children",
      per_project(
          [](graph_query& q, const std::string& project, const json& p, const json& args) -> field_value {
            node_id id = 0;
            parse_id(p.value("id", std::string()), id);
            auto ns =
                q.outgoing(id, {edge_kind::contains}, 1, static_cast<size_t>(int_arg(args, "limit", 1, 10000, 200)));
            if (!ns.ok()) return fail(ns.err());
            return neighbors_nodes(project, *ns);
          },
          "children"),
      true));
  st.push_back(
      s.resolve("Node", "relationships",
                per_project(
                    [](graph_query& q, const std::string& project, const json& p, const json& args) -> field_value {
                      node_id id = 0;
                      parse_id(p.value("id", std::string()), id);
                      bool incoming = args.value("direction", std::string("OUTGOING")) == "INCOMING";
                      auto limit = static_cast<size_t>(int_arg(args, "limit", 1, 10000, 100));
                      auto kinds = edge_kinds(args, "types");
                      auto filter = resolution_arg(args);
                      if (!filter.ok()) return field_value::fail(filter.err().message, "BAD_USER_INPUT");
                      auto ns = incoming ? q.incoming(id, kinds, 1, limit) : q.outgoing(id, kinds, 1, limit);
                      if (!ns.ok()) return fail(ns.err());
                      std::erase_if(*ns, [&](const auto& n) { return !filter->admits(n.via.how); });
                      auto self = q.get(id);
                      std::optional<node> me = self.ok() ? *self : std::nullopt;
                      json arr = json::array();
                      for (const auto& n : *ns)
                        arr.push_back(incoming ? edge_gql(project, n.via, n.n, me) : edge_gql(project, n.via, me, n.n));
                      return arr;
                    },
                    "relationships"),
                true));
  for (const char* which : {"callers", "callees"}) {
    bool callers = std::string_view(which) == "callers";
    st.push_back(s.resolve(
        "Node", which,
        per_project(
            [callers](graph_query& q, const std::string& project, const json& p, const json& args) -> field_value {
              node_id id = 0;
              parse_id(p.value("id", std::string()), id);
              int depth = int_arg(args, "depth", 1, 10, 1);
              auto limit = static_cast<size_t>(int_arg(args, "limit", 1, 10000, 100));
              auto filter = resolution_arg(args);
              if (!filter.ok()) return field_value::fail(filter.err().message, "BAD_USER_INPUT");
              auto ns =
                  callers ? q.incoming(id, call_kinds(), depth, limit) : q.outgoing(id, call_kinds(), depth, limit);
              if (!ns.ok()) return fail(ns.err());
              std::erase_if(*ns, [&](const auto& n) { return !filter->admits(n.via.how); });
              return neighbors_nodes(project, *ns);
            },
            which),
        true));
  }
  st.push_back(s.resolve("Node", "metadata",
                         per_project(
                             [](graph_query& q, const std::string&, const json& p, const json&) -> field_value {
                               node_id id = 0;
                               parse_id(p.value("id", std::string()), id);
                               auto n = q.get(id);
                               if (!n.ok()) return fail(n.err());
                               return *n ? node_metadata(**n) : json(nullptr);
                             },
                             "metadata")));
  // One call to the search index per project for all the nodes asking.
  st.push_back(
      s.resolve("Node", "embeddings",
                [](const std::vector<const json*>& parents, const json&, context& c) -> std::vector<field_value> {
                  std::vector<field_value> out(parents.size(), field_value(json(nullptr)));
                  std::map<std::string, std::vector<size_t>> groups;
                  for (size_t i = 0; i < parents.size(); ++i)
                    if (!parents[i]->contains("__transient"))
                      groups[parents[i]->value("project", std::string())].push_back(i);
                  for (const auto& [project, idx] : groups) {
                    if (!rctx(c).who.may_project(project)) continue;
                    std::vector<node_id> ids;
                    for (auto i : idx) {
                      node_id id = 0;
                      parse_id(parents[i]->value("id", std::string()), id);
                      ids.push_back(id);
                    }
                    auto vs = rctx(c).a->eng().embeddings(project, ids);
                    for (size_t k = 0; k < idx.size(); ++k) {
                      if (!vs.ok())
                        out[idx[k]] = fail(vs.err());
                      else if ((*vs)[k])
                        out[idx[k]] = field_value(json(*(*vs)[k]));
                    }
                  }
                  return out;
                }));
}

// Query and the Project and File types it returns.
void wire_query_fields(gql::schema& s, std::vector<status>& st) {
  st.push_back(s.resolve("Query", "projects", each([](const json&, const json&, context& c) -> field_value {
                           auto& r = rctx(c);
                           auto all = r.a->eng().storage().projects();
                           if (!all.ok()) return fail(all.err());
                           json arr = json::array();
                           for (const auto& [name, id] : *all)
                             if (r.who.may_project(name)) arr.push_back({{"name", name}});
                           return arr;
                         })));
  st.push_back(s.resolve("Query", "project", each([](const json&, const json& args, context& c) -> field_value {
                           auto name = args.value("name", std::string());
                           auto o = open(c, name);
                           if (!o.q)
                             return o.code == "NOT_FOUND" ? field_value(json(nullptr))
                                                          : field_value::fail(o.error, o.code);
                           return json{{"name", name}};
                         })));
  auto project_field = [&](const char* f, std::function<field_value(graph_query&, const std::string&)> fn) {
    st.push_back(s.resolve("Project", f, each([fn](const json& p, const json&, context& c) -> field_value {
                             auto name = p.value("name", std::string());
                             auto o = open(c, name);
                             if (!o.q) return field_value::fail(o.error, o.code);
                             return fn(*o.q, name);
                           })));
  };
  st.push_back(s.resolve("Project", "root", each([](const json& p, const json&, context& c) -> field_value {
                           auto info = rctx(c).a->eng().storage().project_info(p.value("name", std::string()));
                           if (!info.ok() || !*info) return json(nullptr);
                           auto root = nlohmann::json::parse(**info, nullptr, false).value("root", std::string());
                           return root.empty() ? json(nullptr) : json(root);
                         })));
  st.push_back(s.resolve("Project", "layer", each([](const json& p, const json&, context& c) -> field_value {
                           auto& db = rctx(c).a->eng().storage();
                           auto id = db.project_id(p.value("name", std::string()));
                           if (!id.ok()) return json(nullptr);
                           auto l = describe_layer(db, *id);
                           if (!l) return json(nullptr);
                           return json{{"over", l->over}, {"version", l->version}, {"commit", l->commit}};
                         })));
  project_field("nodeCount",
                [](graph_query& q, const std::string&) -> field_value { return json(q.stats().total_nodes()); });
  project_field("fileCount", [](graph_query& q, const std::string&) -> field_value {
    auto f = q.files();
    return f.ok() ? field_value(json(f->size())) : fail(f.err());
  });
  auto files_json = [](graph_query& q) -> field_value {
    auto f = q.files();
    if (!f.ok()) return fail(f.err());
    json arr = json::array();
    for (const auto& r : *f)
      arr.push_back({{"path", r.path},
                     {"language", upper(to_string(r.lang))},
                     {"lines", r.loc},
                     {"nodeCount", r.node_count},
                     {"status", std::string(to_string(r.status))}});
    return arr;
  };
  project_field("files", [files_json](graph_query& q, const std::string&) { return files_json(q); });
  auto query_field = [&](const char* f,
                         std::function<field_value(graph_query&, const std::string&, const json&, context&)> fn,
                         bool concurrent = true) {
    st.push_back(s.resolve("Query", f, each([fn](const json&, const json& args, context& c) -> field_value {
                             auto project = args.value("project", std::string());
                             auto at = args.contains("at") && args["at"].is_string() ? args["at"].get<std::string>()
                                                                                     : std::string();
                             auto o = open(c, project, at);
                             if (!o.q) return field_value::fail(o.error, o.code);
                             auto v = fn(*o.q, project, args, c);
                             if (!at.empty()) mark_version(v.value, at);
                             return v;
                           }),
                           concurrent));
  };
  query_field("files",
              [files_json](graph_query& q, const std::string&, const json&, context&) { return files_json(q); });
  query_field("node", [](graph_query& q, const std::string& project, const json& args, context&) -> field_value {
    auto id = id_arg(args, "id");
    if (!id) return field_value::fail("a node id is 16 hex digits", "BAD_USER_INPUT");
    auto n = q.get(*id);
    if (!n.ok()) return fail(n.err());
    return *n ? node_gql(project, **n) : json(nullptr);
  });
  query_field("outline", [](graph_query& q, const std::string& project, const json& args, context&) -> field_value {
    auto ns = q.outline(args.value("filePath", std::string()));
    if (!ns.ok()) return fail(ns.err());
    json arr = json::array();
    for (const auto& n : *ns) arr.push_back(node_gql(project, n));
    return arr;
  });
  // The project's id (open() checked that it exists and the caller may see it).
  auto pid_of = [](context& c, const std::string& project) {
    auto id = rctx(c).a->eng().storage().project_id(project);
    return id.ok() ? *id : uint32_t{0};
  };
  query_field("versions", [pid_of](graph_query&, const std::string& project, const json&, context& c) -> field_value {
    auto all = rctx(c).a->eng().storage().versions(pid_of(c, project));
    if (!all.ok()) return fail(all.err());
    json arr = json::array();
    for (const auto& v : *all) arr.push_back(version_gql(v));
    return arr;
  });
  query_field("version",
              [pid_of](graph_query&, const std::string& project, const json& args, context& c) -> field_value {
                auto& db = rctx(c).a->eng().storage();
                auto pid = pid_of(c, project);
                auto id = resolve_version(db, pid, args.value("ref", std::string()));
                if (!id.ok()) return id.err().code == errc::not_found ? field_value(json(nullptr)) : fail(id.err());
                auto v = db.version(pid, *id);
                if (!v.ok()) return fail(v.err());
                return version_gql(*v);
              });
  query_field("blame", [pid_of](graph_query&, const std::string& project, const json& args, context& c) -> field_value {
    auto id = id_arg(args, "id");
    if (!id) return field_value::fail("a node id is 16 hex digits", "BAD_USER_INPUT");
    auto& db = rctx(c).a->eng().storage();
    auto pid = pid_of(c, project);
    auto b = blame_node(db, pid, *id);
    if (!b.ok()) return b.err().code == errc::not_found ? field_value(json(nullptr)) : fail(b.err());
    auto version_of = [&](uint64_t v) -> json {
      if (!v) return nullptr;
      auto rec = db.version(pid, v);
      return rec.ok() ? version_gql(*rec) : json(nullptr);
    };
    json renames = json::array();
    for (const auto& r : b->renames)
      renames.push_back({{"version", version_of(r.version)},
                         {"fromId", format_id(r.from)},
                         {"fromFile", r.file},
                         {"fromName", r.name}});
    return json{{"id", format_id(b->id)},
                {"createdIn", version_of(b->created_in)},
                {"changedIn", version_of(b->changed_in)},
                {"oldestVersion", b->oldest},
                {"uncommittedChange", b->uncommitted},
                {"renames", std::move(renames)}};
  });
  query_field("refs", [pid_of](graph_query&, const std::string& project, const json&, context& c) -> field_value {
    auto refs = named_refs_json(rctx(c).a->eng().storage(), pid_of(c, project));
    if (!refs.ok()) return fail(refs.err());
    return json::parse(refs->dump());  // the engine's JSON type keeps key order
  });
  query_field("review",
              [pid_of](graph_query&, const std::string& project, const json& args, context& c) -> field_value {
                auto& a = *rctx(c).a;
                auto& db = a.eng().storage();
                auto pid = pid_of(c, project);
                review_request req;
                req.root = project_root(db, project);
                auto base = resolve_version(db, pid, args.value("base", std::string()));
                if (!base.ok()) return fail(base.err());
                req.base = *base;
                if (args.contains("target") && args["target"].is_string() && args["target"] != "working") {
                  auto t = resolve_version(db, pid, args["target"].get<std::string>());
                  if (!t.ok()) return fail(t.err());
                  req.target = *t;
                }
                if (args.contains("depth") && args["depth"].is_number_integer()) req.depth = args["depth"].get<int>();
                if (req.depth < 1 || req.depth > 10)
                  return field_value::fail("depth must be 1 to 10", "BAD_USER_INPUT");
                auto r = a.reviews().get(db, pid, req);
                if (!r.ok()) return fail(r.err());
                auto j = to_json(**r);
                j["project"] = project;
                return json::parse(j.dump(-1, ' ', false, json::error_handler_t::replace));
              });
  query_field("diff", [pid_of](graph_query&, const std::string& project, const json& args, context& c) -> field_value {
    auto& db = rctx(c).a->eng().storage();
    auto pid = pid_of(c, project);
    auto from = resolve_version(db, pid, args.value("from", std::string()));
    if (!from.ok()) return fail(from.err());
    uint64_t to = 0;
    if (args.contains("to") && args["to"].is_string() && args["to"] != "working") {
      auto t = resolve_version(db, pid, args["to"].get<std::string>());
      if (!t.ok()) return fail(t.err());
      to = *t;
    }
    auto d = diff_versions(db, pid, *from, to);
    if (!d.ok()) return fail(d.err());
    auto totals = [](const version_diff::file_totals& t, json j) {
      j["nodesAdded"] = t.nodes_added;
      j["nodesRemoved"] = t.nodes_removed;
      j["nodesChanged"] = t.nodes_changed;
      j["nodesRenamed"] = t.nodes_renamed;
      j["edgesAdded"] = t.edges_added;
      j["edgesRemoved"] = t.edges_removed;
      return j;
    };
    json files = json::array(), nodes = json::array(), edges = json::array();
    for (const auto& [path, t] : d->files) files.push_back(totals(t, {{"path", path}}));
    // Each side of a change answers its own fields at its own version.
    // (A layer's diff from its base: the before side is the project under it.)
    auto side = [&](const node& n, uint64_t v, const std::string& in) {
      auto j = node_gql(in, n);
      if (v) mark_version(j, std::to_string(v));
      return j;
    };
    const std::string before_in = d->over.empty() ? project : d->over;
    for (const auto& nc : d->nodes)
      nodes.push_back(
          {{"change", nc.change},
           {"before", nc.change == "added" ? json(nullptr) : side(nc.before, d->from, before_in)},
           {"after", nc.change == "removed" ? json(nullptr) : side(nc.after, d->to, project)},
           {"signatureChanged", nc.signature_changed},
           {"moved", nc.moved},
           {"renamedFrom", nc.renamed && nc.change == "added" ? json(format_id(nc.renamed)) : json(nullptr)},
           {"renamedTo", nc.renamed && nc.change == "removed" ? json(format_id(nc.renamed)) : json(nullptr)}});
    for (const auto& ec : d->edges) {
      edge e;
      e.how = ec.how;
      edges.push_back({{"change", ec.change},
                       {"type", upper(to_string(ec.kind))},
                       {"source", format_id(ec.from)},
                       {"target", e.resolved() ? json(format_id(ec.to)) : json(nullptr)},
                       {"targetName", ec.target_name.empty() ? json(nullptr) : json(ec.target_name)},
                       {"resolution", std::string(to_string(ec.how))},
                       {"filePath", ec.file}});
    }
    return totals(d->total, {{"from", d->from},
                             {"to", d->to ? json(d->to) : json(nullptr)},
                             {"files", files},
                             {"nodes", nodes},
                             {"edges", edges}});
  });
  query_field("nodes", [](graph_query& q, const std::string& project, const json& args, context&) -> field_value {
    json f = args.contains("filter") && args["filter"].is_object() ? args["filter"] : json::object();
    json pg = args.contains("pagination") && args["pagination"].is_object() ? args["pagination"] : json::object();
    auto sf = filters_from(f);
    std::string name = f.contains("name") && f["name"].is_string() ? lower(f["name"].get<std::string>()) : "";
    std::string glob = f.contains("filePath") && f["filePath"].is_string() ? f["filePath"].get<std::string>() : "";
    std::optional<bool> manual;
    if (f.contains("manual") && f["manual"].is_boolean()) manual = f["manual"].get<bool>();
    node_id after = 0;
    if (pg.contains("after") && pg["after"].is_string() && !parse_id(pg["after"].get<std::string>(), after))
      return field_value::fail("after: a cursor from pageInfo.endCursor", "BAD_USER_INPUT");
    auto first = static_cast<size_t>(int_arg(pg, "first", 1, 1000, 50));
    node_id next = 0;
    auto ns = q.list_nodes(
        after, first,
        [&](const node& n) {
          if (!sf.kinds.empty() && std::find(sf.kinds.begin(), sf.kinds.end(), n.kind) == sf.kinds.end()) return false;
          if (!sf.languages.empty() &&
              std::find(sf.languages.begin(), sf.languages.end(), n.lang) == sf.languages.end())
            return false;
          if (!name.empty() && lower(n.name) != name) return false;
          if (!glob.empty() && !glob_match(glob, n.file)) return false;
          if (manual && n.has(modifier::manual) != *manual) return false;
          return true;
        },
        &next);
    if (!ns.ok()) return fail(ns.err());
    json arr = json::array();
    for (const auto& n : *ns) arr.push_back(node_gql(project, n));
    return json{
        {"nodes", arr},
        {"pageInfo", {{"hasNextPage", next != 0}, {"endCursor", next ? json(format_id(next)) : json(nullptr)}}}};
  });
  struct walk_spec {
    const char* name;
    bool reverse;
    std::vector<edge_kind> kinds;
  };
  for (const auto& w : {walk_spec{"dependencies", false, {}}, walk_spec{"dependents", true, {}},
                        walk_spec{"callers", true, call_kinds()}, walk_spec{"callees", false, call_kinds()}}) {
    query_field(w.name, [w](graph_query& q, const std::string& project, const json& args, context&) -> field_value {
      auto id = id_arg(args, "nodeId");
      if (!id) return field_value::fail("a node id is 16 hex digits", "BAD_USER_INPUT");
      int depth = int_arg(args, "depth", 1, 10, 1);
      auto filter = resolution_arg(args);
      if (!filter.ok()) return field_value::fail(filter.err().message, "BAD_USER_INPUT");
      auto ns = w.reverse ? q.incoming(*id, w.kinds, depth, 1000) : q.outgoing(*id, w.kinds, depth, 1000);
      if (!ns.ok()) return fail(ns.err());
      std::erase_if(*ns, [&](const auto& n) { return !filter->admits(n.via.how); });
      return neighbors_nodes(project, *ns);
    });
  }
  query_field("path", [](graph_query& q, const std::string& project, const json& args, context&) -> field_value {
    auto from = id_arg(args, "from"), to = id_arg(args, "to");
    if (!from || !to) return field_value::fail("from and to are node ids (16 hex digits)", "BAD_USER_INPUT");
    auto es = q.path(*from, *to, edge_kinds(args, "types"), int_arg(args, "maxDepth", 1, 20, 6));
    if (!es.ok()) return fail(es.err());
    if (es->empty() && *from != *to) return json(nullptr);
    std::vector<node_id> ids;
    for (const auto& e : *es) ids.push_back(e.source), ids.push_back(e.target);
    auto ns = q.get_many(ids);
    std::map<node_id, node> by;
    if (ns.ok())
      for (auto& n : *ns) by.emplace(n.id, n);
    auto find = [&](node_id id) -> std::optional<node> {
      auto it = by.find(id);
      return it == by.end() ? std::nullopt : std::optional<node>(it->second);
    };
    json arr = json::array();
    for (const auto& e : *es) arr.push_back(edge_gql(project, e, find(e.source), find(e.target)));
    return arr;
  });
  query_field("search", [](graph_query&, const std::string& project, const json& args, context& c) -> field_value {
    auto sr = search_from(args);
    json hits = json::array();
    size_t total = 0;
    double ms = 0;
    auto st = rctx(c).a->eng().search(sr, [&](const search_batch& b) {
      for (const auto& h : b.hits) {
        hits.push_back(hit_gql(project, h));
        if (!sr.at.empty()) hits.back()["at"] = sr.at;  // its node answers at that version
      }
      total = b.total;
      ms = b.elapsed_ms;
    });
    if (!st.ok()) return fail(st.err());
    return json{{"hits", hits}, {"total", total}, {"elapsedMs", ms}};
  });
  query_field(
      "similarNodes", [](graph_query& q, const std::string& project, const json& args, context& c) -> field_value {
        auto id = id_arg(args, "nodeId");
        if (!id) return field_value::fail("a node id is 16 hex digits", "BAD_USER_INPUT");
        float th = args.contains("threshold") && args["threshold"].is_number() ? args["threshold"].get<float>() : 0.f;
        auto hits = rctx(c).a->eng().similar(project, *id, static_cast<size_t>(int_arg(args, "k", 1, 1000, 10)), th,
                                             search_mode::balanced, {});
        if (!hits.ok()) return fail(hits.err());
        std::vector<node_id> ids;
        for (const auto& h : *hits) ids.push_back(h.id);
        auto ns = q.get_many(ids);
        if (!ns.ok()) return fail(ns.err());
        std::map<node_id, const node*> by;
        for (const auto& n : *ns) by[n.id] = &n;
        json arr = json::array();
        for (const auto& h : *hits)
          if (by.count(h.id)) arr.push_back({{"node", node_gql(project, *by[h.id])}, {"score", h.score}});
        return arr;
      });
  // A search hit's node: one batch read per level.
  st.push_back(
      s.resolve("SearchHit", "node",
                per_project([](graph_query& q, const std::string& project, const json& p, const json&) -> field_value {
                  node_id id = 0;
                  parse_id(p.value("__node", std::string()), id);
                  auto n = q.get(id);
                  if (!n.ok()) return fail(n.err());
                  return *n ? node_gql(project, **n) : json(nullptr);
                })));
}

// Mutations: writes through the engine; parseFile stores nothing.
void wire_mutation_fields(gql::schema& s, std::vector<status>& st) {
  auto mutation = [&](const char* f, std::function<field_value(app&, const std::string&, const json&, context&)> fn) {
    // The role and scope were checked by guard_root_fields (graphql_root_operations).
    st.push_back(s.resolve("Mutation", f, each([fn, f](const json&, const json& args, context& c) -> field_value {
                             std::string project = project_of(args);
                             auto& r = rctx(c);
                             auto out = fn(*r.a, project, args, c);
                             if (out.error.empty()) r.a->audit(r.origin, std::string("graphql.") + f, project);
                             return out;
                           })));
  };
  auto input_of = [](const json& args, bool create) -> result<node_input> {
    nlohmann::json in = nlohmann::json::parse(args["input"].dump());
    for (auto k : {"nodeType", "language"})
      if (in.contains(k) && in[k].is_string()) in[k] = lower(in[k].get<std::string>());
    return node_input_from_json(in, create);
  };
  mutation("createNode", [input_of](app& a, const std::string& project, const json& args, context&) -> field_value {
    auto in = input_of(args, true);
    if (!in.ok()) return fail(in.err());
    node n;
    in->apply_to(n);
    auto made = a.eng().create_node(project, n);
    if (!made.ok()) return fail(made.err());
    return node_gql(project, *made);
  });
  mutation("updateNode", [input_of](app& a, const std::string& project, const json& args, context&) -> field_value {
    auto id = id_arg(args, "id");
    if (!id) return field_value::fail("a node id is 16 hex digits", "BAD_USER_INPUT");
    auto in = input_of(args, false);
    if (!in.ok()) return fail(in.err());
    auto patch = *in;
    auto done = a.eng().update_node(project, *id, [patch](node& n) -> status {
      patch.apply_to(n);
      return {};
    });
    if (!done.ok()) return fail(done.err());
    return node_gql(project, *done);
  });
  mutation("deleteNode", [](app& a, const std::string& project, const json& args, context&) -> field_value {
    auto id = id_arg(args, "id");
    if (!id) return field_value::fail("a node id is 16 hex digits", "BAD_USER_INPUT");
    if (auto st2 = a.eng().delete_node(project, *id); !st2.ok()) return fail(st2.err());
    return json(true);
  });
  // A transaction: every edit or none, committed as one version of a versioned project.
  mutation("applyEdits", [](app& a, const std::string& project, const json& args, context&) -> field_value {
    // GraphQL enums arrive upper-case; node_input reads the lower-case names.
    auto list = nlohmann::json::parse(args["edits"].dump());
    if (list.is_array())
      for (auto& e : list)
        for (auto part : {"create", "update"})
          if (e.is_object() && e.contains(part) && e[part].is_object())
            for (auto k : {"nodeType", "language"})
              if (e[part].contains(k) && e[part][k].is_string()) e[part][k] = lower(e[part][k].get<std::string>());
    auto parsed = manual_edits_from_json(list);
    if (!parsed.ok()) return field_value::fail(parsed.err().message, "BAD_USER_INPUT");
    manual_edits edits = std::move(*parsed);
    if (args.contains("message") && args["message"].is_string()) edits.message = args["message"].get<std::string>();
    std::vector<bool> removed;
    for (const auto& op : edits.ops) removed.push_back(op.op == manual_op::what::remove);
    auto done = a.eng().apply_edits(project, std::move(edits));
    if (!done.ok()) return fail(done.err());
    json nodes = json::array(), deleted = json::array();
    for (size_t i = 0; i < done->nodes.size(); ++i) {
      if (removed[i]) {
        nodes.push_back(nullptr);
        deleted.push_back(format_id(done->nodes[i].id));
      } else {
        nodes.push_back(node_gql(project, done->nodes[i]));
      }
    }
    json version = nullptr;
    if (done->version) {
      auto pid = a.eng().storage().project_id(project);
      auto rec = pid.ok() ? a.eng().storage().version(*pid, done->version) : result<version_record>(pid.err());
      if (rec.ok()) version = version_gql(*rec);
    }
    return json{{"nodes", nodes}, {"deleted", deleted}, {"version", version}};
  });
  // Tags and branches (the same rules as REST PUT/DELETE .../refs/{kind}/{name}).
  auto ref_kind = [](const json& args) { return lower(args.value("kind", std::string())); };
  mutation("setRef", [ref_kind](app& a, const std::string& project, const json& args, context&) -> field_value {
    auto pid = a.eng().storage().project_id(project);
    if (!pid.ok()) return fail(pid.err());
    auto kind = ref_kind(args);
    auto name = args.value("name", std::string());
    auto v = set_named_ref(a.eng().storage(), *pid, kind, name, args.value("version", std::string("head")),
                           args.value("force", false));
    if (!v.ok()) return fail(v.err());
    return json{{"kind", kind}, {"name", name}, {"version", *v}};
  });
  mutation("deleteRef", [ref_kind](app& a, const std::string& project, const json& args, context&) -> field_value {
    auto pid = a.eng().storage().project_id(project);
    if (!pid.ok()) return fail(pid.err());
    auto was = delete_named_ref(a.eng().storage(), *pid, ref_kind(args), args.value("name", std::string()));
    if (!was.ok() && was.err().code == errc::not_found) return json(false);
    if (!was.ok()) return fail(was.err());
    return json(true);
  });
  mutation("parseProject", [](app& a, const std::string& project, const json& args, context& c) -> field_value {
    // Re-indexing a project from its registered root is a writer's; registering a new
    // project or moving one to another root is an admin's, as over REST.
    std::string given = args["input"].value("root", std::string());
    std::string registered;
    bool exists = a.eng().storage().project_id(project).ok();
    if (exists) {
      auto info = a.eng().storage().project_info(project);
      if (info.ok() && *info) {
        auto pj = nlohmann::json::parse(**info, nullptr, false);
        if (pj.is_object()) registered = pj.value("root", std::string());
      }
    }
    std::string root = given.empty() ? registered : given;
    if (root.empty())
      return field_value::fail("no root registered for project " + project + "; give input.root", "BAD_USER_INPUT");
    operation op = operation::project_index;
    if (!exists)
      op = operation::project_create;
    else if (!given.empty()) {
      auto canon = a.check_root(given);
      if (!canon.ok()) return fail(canon.err());
      if (*canon != registered) op = operation::project_reroot;
    }
    if (auto d = authorize(rctx(c).who, op, project); !d.allowed) return field_value::fail(d.message, "FORBIDDEN");
    if (op == operation::project_create && !valid_project_name(project))
      return field_value::fail("project: 1-64 letters, digits, '.', '-' or '_'", "BAD_USER_INPUT");
    if (args["input"].contains("over") && args["input"]["over"].is_string()) {
      auto over = args["input"]["over"].get<std::string>();
      if (!rctx(c).who.may_project(over)) return field_value::fail("no access to project " + over, "FORBIDDEN");
      auto started = a.start_layer(project, root, over, op == operation::project_index);
      if (!started.ok()) return fail(started.err());
      return json{{"taskId", std::to_string(started->first)}, {"project", project}};
    }
    auto task = a.start_index(project, root, {}, op == operation::project_index);
    if (!task.ok()) return fail(task.err());
    return json{{"taskId", std::to_string(*task)}, {"project", project}};
  });
  // parseFile stores nothing: the reader role is enough.
  st.push_back(s.resolve("Mutation", "parseFile", each([](const json&, const json& args, context& c) -> field_value {
                           auto& r = rctx(c);
                           const auto& in = args["input"];
                           nlohmann::json body = nlohmann::json::object();
                           if (in.contains("project") && in["project"].is_string())
                             body["project"] = in["project"].get<std::string>();
                           if (in.contains("filePath") && in["filePath"].is_string())
                             body["path"] = in["filePath"].get<std::string>();
                           if (in.contains("content") && in["content"].is_string())
                             body["source"] = in["content"].get<std::string>();
                           if (in.contains("language") && in["language"].is_string())
                             body["language"] = lower(in["language"].get<std::string>());
                           auto out = parse_for_api(*r.a, r.who, body);
                           if (!out.ok()) return fail(out.err());
                           const auto& fx = out->extract;
                           std::string project = body.value("project", std::string());
                           std::map<node_id, const node*> by;
                           for (const auto& n : fx.nodes) by[n.id] = &n;
                           auto opt = [&](node_id id) -> std::optional<node> {
                             auto it = by.find(id);
                             return it == by.end() ? std::nullopt : std::optional<node>(*it->second);
                           };
                           json nodes = json::array(), rels = json::array();
                           std::map<node_id, json> shallow;
                           for (const auto& n : fx.nodes) {
                             auto j = node_gql(project, n);
                             j["__transient"] = true;
                             j["metadata"] = node_metadata(n);
                             j["embeddings"] = nullptr;  // not in any search index
                             shallow[n.id] = j;
                           }
                           std::map<node_id, json> kids;
                           for (const auto& n : fx.nodes)
                             if (n.parent) kids[n.parent].push_back(shallow[n.id]);
                           for (const auto& n : fx.nodes) {
                             auto j = shallow[n.id];
                             j["parent"] = n.parent && shallow.count(n.parent) ? shallow[n.parent] : json(nullptr);
                             j["children"] = kids.count(n.id) ? kids[n.id] : json::array();
                             nodes.push_back(std::move(j));
                           }

                           for (const auto& e : fx.contains)
                             rels.push_back(edge_gql(project, e, opt(e.source), opt(e.target)));
                           for (const auto& ref : fx.refs.refs) {
                             edge e;
                             e.source = ref.source;
                             e.kind = ref.kind;
                             e.how = resolution::unresolved;
                             e.target_name = ref.qualifier.empty() ? ref.name : ref.qualifier + "." + ref.name;
                             e.sites.push_back(ref.site);
                             rels.push_back(edge_gql(project, e, opt(e.source), std::nullopt));
                           }
                           for (auto& r2 : rels)
                             for (const char* end : {"source", "target"})
                               if (r2[end].is_object()) r2[end]["__transient"] = true;
                           return json{{"filePath", fx.record.path},
                                       {"language", upper(to_string(fx.record.lang))},
                                       {"nodes", nodes},
                                       {"relationships", rels},
                                       {"syntaxErrors", fx.record.error_count},
                                       {"parseMs", out->parse_seconds * 1e3}};
                         })));
  mutation("rebuildIndex", [](app& a, const std::string& project, const json&, context&) -> field_value {
    auto r = a.eng().sync_vectors(project, true);
    if (!r.ok()) return fail(r.err());
    return json{{"project", project}, {"documents", r->documents}, {"seconds", r->seconds}};
  });
}

}  // namespace

status wire_query_resolvers(gql::schema& s) {
  std::vector<status> st;
  wire_node_fields(s, st);
  wire_query_fields(s, st);
  wire_mutation_fields(s, st);
  for (auto& x : st)
    if (!x.ok()) return x;
  return {};
}

}  // namespace cg::net
