#include "net/app/policy.hpp"

#include <array>

namespace cg::net {

const std::vector<rule>& rules() {
  using o = operation;
  using s = scope_rule;
  static const std::vector<rule> table = {
      {o::health, "health", role::none, s::none},
      {o::web_page, "web_page", role::none, s::none},
      {o::metrics, "metrics", role::reader, s::none},
      {o::project_list, "project.list", role::reader, s::filtered},
      {o::project_read, "project.read", role::reader, s::project},
      {o::project_create, "project.create", role::admin, s::project},
      {o::project_reroot, "project.reroot", role::admin, s::project},
      {o::project_delete, "project.delete", role::admin, s::project},
      {o::project_index, "project.index", role::writer, s::project},
      {o::task_list, "task.list", role::reader, s::filtered},
      {o::task_read, "task.read", role::reader, s::project},
      {o::task_cancel, "task.cancel", role::writer, s::project},
      {o::graph_read, "graph.read", role::reader, s::project},
      {o::search, "search", role::reader, s::project},
      {o::node_write, "node.write", role::writer, s::project},
      {o::version_write, "version.write", role::writer, s::project},
      {o::vectors_rebuild, "vectors.rebuild", role::writer, s::project},
      {o::parse_snippet, "parse.snippet", role::reader, s::none},
      {o::parse_file, "parse.file", role::reader, s::project},
      {o::events_subscribe, "events.subscribe", role::reader, s::project},
      {o::graphql, "graphql", role::reader, s::none},
      {o::backup_read, "backup.read", role::admin, s::every},
      {o::backup_write, "backup.write", role::admin, s::every},
      {o::mcp, "mcp", role::reader, s::none},
  };
  return table;
}

const rule& rule_of(operation op) {
  // The table lists the operations in their enum order (checked by policy_test).
  return rules()[static_cast<size_t>(op)];
}

decision authorize(const principal& who, operation op, std::string_view project) {
  const auto& r = rule_of(op);
  decision d;
  if (r.need == role::none) {
    d.allowed = true;
    return d;
  }
  if (who.granted == role::none) {
    d.status = 401;
    d.message = "no credentials: send Authorization: Bearer <token>";
    return d;
  }
  if (!who.may(r.need)) {
    d.status = 403;
    d.message = std::string(r.name) + " needs the " + std::string(to_string(r.need)) + " role; the token has " +
                std::string(to_string(who.granted));
    return d;
  }
  if (r.scope == scope_rule::every && !who.project.empty()) {
    d.status = 403;
    d.message = std::string(r.name) + " covers every project; the token is scoped to " + who.project;
    return d;
  }
  if (r.scope == scope_rule::project && !who.may_project(project)) {
    d.status = 403;
    d.message = "the token is scoped to project " + who.project;
    return d;
  }
  d.allowed = true;
  return d;
}

}  // namespace cg::net
