// Manual nodes over REST: POST /projects/{name}/nodes, PUT|PATCH|DELETE
// /projects/{name}/nodes/{id}, POST /projects/{name}/nodes/batch (a transaction). Writes go through the project's graph
// actor, which publishes the change (so /ws clients, subscriptions and the cache hear of it).
#include <nlohmann/json.hpp>

#include "net/app/app.hpp"
#include "net/app/manual_edits_json.hpp"
#include "schema/client_json.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"
#include "schema/node_input.hpp"
#include "schema/version.hpp"

namespace cg::net {
namespace {

using json = nlohmann::json;

api_reply create_node(app& a, api_request& req) {
  const auto& project = req.params.at("name");
  if (!a.eng().storage().project_id(project).ok())
    return error_response(404, "not_found", "no project " + project, req.request_id);
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return bad_request(req, parsed.err().message);
  auto in = node_input_from_json(*parsed, true);
  if (!in.ok()) return error_of(req, in.err());
  node n;
  in->apply_to(n);
  auto made = a.eng().create_node(project, std::move(n));
  if (!made.ok()) return error_of(req, made.err());
  a.audit(req, "node.create", project + " " + format_id(made->id));
  return ok_json(to_json(*made).dump(), 201);
}

api_reply update_node(app& a, api_request& req) {
  const auto& project = req.params.at("name");
  node_id id = 0;
  if (!parse_id(req.params.at("id"), id)) return bad_request(req, "a node id is 16 hex digits");
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return bad_request(req, parsed.err().message);
  auto in = node_input_from_json(*parsed, false);
  if (!in.ok()) return error_of(req, in.err());
  if (!a.eng().storage().project_id(project).ok())
    return error_response(404, "not_found", "no project " + project, req.request_id);
  auto patch = *in;
  auto done = a.eng().update_node(project, id, [patch](node& n) -> status {
    patch.apply_to(n);
    return {};
  });
  if (!done.ok()) return error_of(req, done.err());
  a.audit(req, "node.update", project + " " + format_id(id));
  return ok_json(to_json(*done).dump());
}

api_reply delete_node(app& a, api_request& req) {
  const auto& project = req.params.at("name");
  node_id id = 0;
  if (!parse_id(req.params.at("id"), id)) return bad_request(req, "a node id is 16 hex digits");
  if (!a.eng().storage().project_id(project).ok())
    return error_response(404, "not_found", "no project " + project, req.request_id);
  if (auto s = a.eng().delete_node(project, id); !s.ok()) return error_of(req, s.err());
  a.audit(req, "node.delete", project + " " + format_id(id));
  return ok_json(json({{"deleted", format_id(id)}}).dump());
}

// A transaction: {"edits": [{"create": {...}} | {"id": ID, "update": {...}} |
// {"delete": ID}, ...], "message": "..."}; all or none, and one version of a
// project that keeps versions.
api_reply apply_batch(app& a, api_request& req) {
  const auto& project = req.params.at("name");
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return bad_request(req, parsed.err().message);
  const json& body = *parsed;
  if (!body.is_object() || !body.contains("edits"))
    return bad_request(req, "give {\"edits\": [...]} with at least one edit");
  auto edits = manual_edits_from_json(body["edits"]);
  if (!edits.ok()) return error_of(req, edits.err());
  if (body.contains("message")) {
    if (!body["message"].is_string()) return bad_request(req, "message is a string");
    edits->message = body["message"].get<std::string>();
  }
  if (!a.eng().storage().project_id(project).ok())
    return error_response(404, "not_found", "no project " + project, req.request_id);
  std::vector<bool> removed;
  for (const auto& op : edits->ops) removed.push_back(op.op == manual_op::what::remove);
  auto done = a.eng().apply_edits(project, std::move(*edits));
  if (!done.ok()) return error_of(req, done.err());
  json nodes = json::array(), deleted = json::array();
  for (size_t i = 0; i < done->nodes.size(); ++i) {
    if (removed[i]) {
      nodes.push_back(nullptr);
      deleted.push_back(format_id(done->nodes[i].id));
    } else {
      nodes.push_back(to_json(done->nodes[i]));
    }
  }
  json version = nullptr;
  if (done->version) {
    auto pid = a.eng().storage().project_id(project);
    if (pid.ok())
      if (auto rec = a.eng().storage().version(*pid, done->version); rec.ok()) version = to_json(*rec);
  }
  a.audit(req, "node.batch", project + " " + std::to_string(done->nodes.size()) + " edits");
  return ok_json(json({{"nodes", nodes}, {"deleted", deleted}, {"version", version}}).dump());
}

}  // namespace

void register_node_routes(app& a, router& r) {
  const std::string p = "/api/v1/projects/{name}/nodes";
  auto bind = [&a](api_reply (*fn)(app&, api_request&)) { return [&a, fn](api_request& req) { return fn(a, req); }; };
  r.bind("POST", p, bind(create_node));
  r.bind("POST", p + "/batch", bind(apply_batch));
  r.bind("PUT", p + "/{id}", bind(update_node));
  r.bind("PATCH", p + "/{id}", bind(update_node));
  r.bind("DELETE", p + "/{id}", bind(delete_node));
}

}  // namespace cg::net
