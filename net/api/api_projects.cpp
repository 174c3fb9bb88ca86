// Projects and index tasks: /api/v1/projects, /api/v1/tasks.
#include <nlohmann/json.hpp>

#include "actors/engine_json.hpp"
#include "net/app/app.hpp"
#include "schema/client_json.hpp"

namespace cg::net {

bool valid_project_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return s != "." && s != "..";
}

namespace {

using json = nlohmann::json;

json project_json(app& a, const std::string& name, uint32_t id) {
  json j = {{"name", name}, {"id", id}, {"watching", a.watching(name)}};
  auto info = a.eng().storage().project_info(name);
  if (info.ok() && *info) {
    auto pj = json::parse(**info, nullptr, false);
    if (pj.is_object())
      for (auto& [k, v] : pj.items()) j[k] = v;
  }
  // What the store says, whatever the info holds (a plain re-index rewrites it).
  j.erase("layer");
  if (auto l = describe_layer(a.eng().storage(), id))
    j["layer"] = {{"over", l->over}, {"version", l->version}, {"commit", l->commit}};
  return j;
}

json task_json(const task_info& t) {
  json j = {
      {"id", t.id}, {"project", t.project}, {"root", t.root}, {"state", t.state}, {"started_unix", t.started_unix}};
  if (!t.last_progress.empty()) j["progress"] = json::parse(t.last_progress, nullptr, false);
  if (!t.summary.empty()) j["summary"] = json::parse(t.summary, nullptr, false);
  return j;
}

std::optional<uint64_t> parse_task_id(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// The task, if the caller may see it (scoped tokens see their project's tasks only).
std::optional<task_info> visible_task(app& a, const api_request& req, operation op = operation::task_read) {
  auto id = parse_task_id(req.params.at("id"));
  if (!id) return std::nullopt;
  auto t = a.task(*id);
  if (!t || !authorize(req.who, op, t->project).allowed) return std::nullopt;
  return t;
}

api_reply list_projects(app& a, api_request& req) {
  auto all = a.eng().storage().projects();
  if (!all.ok()) return error_of(req, all.err());
  json arr = json::array();
  for (const auto& [name, id] : *all)
    if (req.who.may_project(name)) arr.push_back(project_json(a, name, id));
  return ok_json(json({{"projects", arr}}).dump());
}

// "walk": the local CLI's walk settings ({include, exclude, languages, max_file_bytes,
// follow_symlinks, gitignore}), so a run handed to the server indexes what the same
// run without a server would. Only for the local token: following symlinks reaches
// outside a root.
result<std::optional<walk_options>> walk_of(const json& body, const principal& who) {
  if (!body.contains("walk")) return std::optional<walk_options>{};
  if (who.via != "local") return make_error(errc::permission_denied, "walk settings are for the local CLI only");
  const auto& w = body["walk"];
  if (!w.is_object()) return make_error(errc::invalid_argument, "walk must be an object");
  walk_options o;
  auto strings = [&](const char* key, std::vector<std::string>& out) -> status {
    if (!w.contains(key)) return {};
    if (!w[key].is_array())
      return make_error(errc::invalid_argument, std::string("walk.") + key + " must be a list of strings");
    for (const auto& v : w[key]) {
      if (!v.is_string())
        return make_error(errc::invalid_argument, std::string("walk.") + key + " must be a list of strings");
      out.push_back(v.get<std::string>());
    }
    return {};
  };
  std::vector<std::string> langs;
  if (auto s = strings("include", o.include); !s.ok()) return s.err();
  if (auto s = strings("exclude", o.exclude); !s.ok()) return s.err();
  if (auto s = strings("languages", langs); !s.ok()) return s.err();
  for (const auto& l : langs) {
    auto lang = parse_language(l);
    if (!lang) return make_error(errc::invalid_argument, "unknown language '" + l + "'");
    o.languages.push_back(*lang);
    if (*lang == language::typescript) o.languages.push_back(language::tsx);
    if (*lang == language::javascript) o.languages.push_back(language::jsx);
  }
  if (w.contains("max_file_bytes")) {
    if (!w["max_file_bytes"].is_number_unsigned())
      return make_error(errc::invalid_argument, "walk.max_file_bytes must be a byte count");
    o.max_file_bytes = w["max_file_bytes"].get<uint64_t>();
  }
  if (w.contains("follow_symlinks"))
    o.follow_symlinks = w["follow_symlinks"].is_boolean() && w["follow_symlinks"].get<bool>();
  if (w.contains("gitignore")) o.respect_gitignore = !w["gitignore"].is_boolean() || w["gitignore"].get<bool>();
  return std::optional<walk_options>(std::move(o));
}

api_reply create_project(app& a, api_request& req) {
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return bad_request(req, parsed.err().message);
  auto& body = *parsed;
  if (!body.is_object()) return bad_request(req, "the body must be a JSON object with name and root");
  auto name = body.value("name", std::string());
  auto root = body.value("root", std::string());
  if (!valid_project_name(name)) return bad_request(req, "name: 1-64 letters, digits, '.', '-' or '_'");
  if (auto d = authorize(req.who, operation::project_create, name); !d.allowed)
    return error_response(d.status, "forbidden", d.message, req.request_id);
  bool index = body.value("index", true);
  auto walk = walk_of(body, req.who);
  if (!walk.ok()) return error_of(req, walk.err());
  auto exists = a.eng().storage().project_id(name);
  if (body.contains("over")) {
    // A second work tree of another project's repository: a layer of its differences.
    if (!body["over"].is_string() || !valid_project_name(body["over"].get<std::string>()))
      return bad_request(req, "over: the name of the project whose repository root is a work tree of");
    auto over = body["over"].get<std::string>();
    if (!req.who.may_project(over))
      return error_response(403, "forbidden", "no access to project " + over, req.request_id);
    auto started = a.start_layer(name, root, over, req.who.via == "local", *walk ? &**walk : nullptr);
    if (!started.ok()) return error_of(req, started.err());
    const auto& [task, layer] = *started;
    a.audit(req, "project.create", name + " " + root + " over " + over);
    json lj = {{"over", layer.over},
               {"version", layer.version},
               {"commit", layer.commit},
               {"head", layer.head},
               {"rebased", layer.rebased}};
    return ok_json(json({{"name", name}, {"task", task}, {"created", !exists.ok()}, {"layer", lj}}).dump(),
                   exists.ok() ? 200 : 201);
  }
  if (index) {
    // The local CLI (the data directory's own token) indexes what its user may read,
    // as `codegraph index` without a server would.
    auto task = a.start_index(name, root, {}, req.who.via == "local", *walk ? &**walk : nullptr);
    if (!task.ok()) return error_of(req, task.err());
    a.audit(req, "project.create", name + " " + root);
    return ok_json(json({{"name", name}, {"task", *task}, {"created", !exists.ok()}}).dump(), exists.ok() ? 200 : 201);
  }
  auto abs = a.check_root(root);
  if (!abs.ok()) return error_of(req, abs.err());
  if (auto p = a.eng().storage().ensure_project(name); !p.ok()) return error_of(req, p.err());
  if (auto s = a.eng().storage().set_project_info(name, json({{"root", *abs}}).dump()); !s.ok())
    return error_of(req, s.err());
  a.audit(req, "project.create", name + " " + *abs);
  return ok_json(json({{"name", name}, {"root", *abs}, {"created", !exists.ok()}}).dump(), exists.ok() ? 200 : 201);
}

api_reply get_project(app& a, api_request& req) {
  const auto& name = req.params.at("name");
  auto id = a.eng().storage().project_id(name);
  if (!id.ok()) return error_response(404, "not_found", "no project " + name, req.request_id);
  auto j = project_json(a, name, *id);
  j["stats"] = stats_json(graph_query(a.eng().storage().latest(), *id).stats());
  return ok_json(j.dump());
}

api_reply delete_project(app& a, api_request& req) {
  const auto& name = req.params.at("name");
  a.unwatch(name);
  if (auto s = a.eng().remove_project(name); !s.ok()) return error_of(req, s.err());
  a.cache().invalidate(name);
  a.audit(req, "project.delete", name);
  return ok_json(json({{"deleted", name}}).dump());
}

api_reply index_project(app& a, api_request& req) {
  const auto& name = req.params.at("name");
  auto info = a.eng().storage().project_info(name);
  if (!info.ok()) return error_of(req, info.err());
  if (!*info) return error_response(404, "not_found", "no project " + name, req.request_id);
  auto root = json::parse(**info, nullptr, false).value("root", std::string());
  auto task = a.start_index(name, root, {}, true);  // its registered root
  if (!task.ok()) return error_of(req, task.err());
  a.audit(req, "project.index", name);
  return ok_json(json({{"task", *task}, {"project", name}}).dump(), 202);
}

api_reply list_tasks(app& a, api_request& req) {
  json arr = json::array();
  for (const auto& t : a.tasks())
    if (req.who.may_project(t.project)) arr.push_back(task_json(t));
  return ok_json(json({{"tasks", arr}}).dump());
}

api_reply get_task(app& a, api_request& req) {
  auto t = visible_task(a, req);
  if (!t) return error_response(404, "not_found", "no task " + req.params.at("id"), req.request_id);
  return ok_json(task_json(*t).dump());
}

api_reply cancel_task(app& a, api_request& req) {
  auto t = visible_task(a, req, operation::task_cancel);
  if (!t) return error_response(404, "not_found", "no task " + req.params.at("id"), req.request_id);
  bool cancelled = t->state == "running" && a.eng().cancel(t->id);
  a.audit(req, "task.cancel", std::to_string(t->id));
  return ok_json(
      json({{"task", t->id}, {"cancelled", cancelled}, {"state", cancelled ? "cancelling" : t->state}}).dump(),
      cancelled ? 202 : 409);
}

api_reply task_events(app& a, api_request& req) {
  auto t = visible_task(a, req);
  if (!t) return error_response(404, "not_found", "no task " + req.params.at("id"), req.request_id);
  bool sse = stream_format(req) == "sse";
  stream_reply s;
  s.content_type = sse ? "text/event-stream" : "application/x-ndjson";
  s.headers = {{"Cache-Control", "no-cache"}};
  uint64_t id = t->id;
  s.produce = [&a, id, sse](std::shared_ptr<stream_sink> sink) { a.watch_task(id, std::move(sink), sse); };
  return s;
}

}  // namespace

void register_project_routes(app& a, router& r) {
  auto bind = [&a](api_reply (*fn)(app&, api_request&)) { return [&a, fn](api_request& req) { return fn(a, req); }; };
  r.bind("GET", "/api/v1/projects", bind(list_projects));
  r.bind("POST", "/api/v1/projects", bind(create_project));
  r.bind("GET", "/api/v1/projects/{name}", bind(get_project));
  r.bind("DELETE", "/api/v1/projects/{name}", bind(delete_project));
  r.bind("POST", "/api/v1/projects/{name}/index", bind(index_project));
  r.bind("GET", "/api/v1/tasks", bind(list_tasks));
  r.bind("GET", "/api/v1/tasks/{id}", bind(get_task));
  r.bind("DELETE", "/api/v1/tasks/{id}", bind(cancel_task));
  r.bind("GET", "/api/v1/tasks/{id}/events", bind(task_events));
}

}  // namespace cg::net
