#include "net/app/routes.hpp"

namespace cg::net {

const std::vector<route_decl>& rest_routes() {
  using o = operation;
  static const std::vector<route_decl> table = {
      {.method = "GET", .pattern = "/health/live", .op = o::health, .blocking = false},
      {.method = "GET", .pattern = "/health/ready", .op = o::health, .blocking = false},
      {.method = "GET", .pattern = "/health", .op = o::health, .blocking = false},
      {.method = "GET", .pattern = "/metrics", .op = o::metrics, .blocking = false},
      {.method = "POST", .pattern = "/api/v1/parse", .op = o::parse_snippet},  // a file: parse_file, checked inside
      {.method = "GET", .pattern = "/ws", .op = o::events_subscribe, .blocking = false},
      {.method = "GET", .pattern = "/graphiql", .op = o::web_page},
      {.method = "GET", .pattern = "/graphiql/{file}", .op = o::web_page},
      // The dashboard: its page at every deep link, its built files.
      {.method = "GET", .pattern = "/", .op = o::web_page},
      {.method = "GET", .pattern = "/activity", .op = o::web_page},
      {.method = "GET", .pattern = "/p/{project}", .op = o::web_page},
      {.method = "GET", .pattern = "/p/{project}/{view}", .op = o::web_page},
      {.method = "GET", .pattern = "/p/{project}/node/{id}", .op = o::web_page},
      {.method = "GET", .pattern = "/app/{file}", .op = o::web_page},
      {.method = "POST", .pattern = "/graphql", .op = o::graphql},
      {.method = "GET", .pattern = "/graphql", .op = o::graphql, .auth_in_handler = true},
      // MCP over Streamable HTTP: each tool call checks its own operation.
      {.method = "POST", .pattern = "/mcp", .op = o::mcp},
      {.method = "GET", .pattern = "/mcp", .op = o::mcp, .blocking = false},
      {.method = "DELETE", .pattern = "/mcp", .op = o::mcp, .blocking = false},

      {.method = "GET", .pattern = "/api/v1/projects", .op = o::project_list},
      {.method = "POST", .pattern = "/api/v1/projects", .op = o::project_create},
      {.method = "GET", .pattern = "/api/v1/projects/{name}", .op = o::project_read},
      {.method = "DELETE", .pattern = "/api/v1/projects/{name}", .op = o::project_delete},
      {.method = "POST", .pattern = "/api/v1/projects/{name}/index", .op = o::project_index},
      {.method = "GET", .pattern = "/api/v1/tasks", .op = o::task_list, .blocking = false},
      {.method = "GET", .pattern = "/api/v1/tasks/{id}", .op = o::task_read, .blocking = false},
      {.method = "DELETE", .pattern = "/api/v1/tasks/{id}", .op = o::task_cancel, .blocking = false},
      {.method = "GET", .pattern = "/api/v1/tasks/{id}/events", .op = o::task_read, .blocking = false},

      // A point lookup answers on the network thread; at a version (?at=: an overlay to
      // build) it goes to the workers.
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}/callers", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}/callees", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}/dependencies", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}/dependents", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/path", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/outline", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/files", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/file-dependencies", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/file-dependents", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/stats", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/versions", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/versions/{version}", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/versions/{version}/diff/{to}", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}/blame", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/review", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/source", .op = o::graph_read},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/refs", .op = o::graph_read},
      {.method = "PUT", .pattern = "/api/v1/projects/{name}/refs/{kind}/{ref}", .op = o::version_write},
      {.method = "DELETE", .pattern = "/api/v1/projects/{name}/refs/{kind}/{ref}", .op = o::version_write},

      {.method = "POST", .pattern = "/api/v1/projects/{name}/nodes", .op = o::node_write},
      {.method = "POST", .pattern = "/api/v1/projects/{name}/nodes/batch", .op = o::node_write},
      {.method = "PUT", .pattern = "/api/v1/projects/{name}/nodes/{id}", .op = o::node_write},
      {.method = "PATCH", .pattern = "/api/v1/projects/{name}/nodes/{id}", .op = o::node_write},
      {.method = "DELETE", .pattern = "/api/v1/projects/{name}/nodes/{id}", .op = o::node_write},

      {.method = "GET", .pattern = "/api/v1/projects/{name}/search", .op = o::search},
      {.method = "POST", .pattern = "/api/v1/projects/{name}/search", .op = o::search},
      {.method = "GET", .pattern = "/api/v1/projects/{name}/nodes/{id}/similar", .op = o::search},
      {.method = "POST", .pattern = "/api/v1/projects/{name}/vector/search", .op = o::search},

      {.method = "GET", .pattern = "/api/v1/admin/backups", .op = o::backup_read},
      {.method = "POST", .pattern = "/api/v1/admin/backups", .op = o::backup_write},
      {.method = "POST", .pattern = "/api/v1/admin/backups/{id}/verify", .op = o::backup_read},
      {.method = "POST", .pattern = "/api/v1/admin/backups/{id}/restore", .op = o::backup_write},
  };
  return table;
}

}  // namespace cg::net
