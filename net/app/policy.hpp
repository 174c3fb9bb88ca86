#pragma once
// Who may do what: one rule per operation, shared by every transport (REST routes,
// GraphQL fields, the /ws event channel, graphql-transport-ws, and MCP tools). A
// transport names the operation it performs and asks authorize(); nothing else
// decides roles or project scopes. tests/net/authz_matrix_test.cpp enumerates every
// operation of every transport against this table. Plain C++.
#include <string>
#include <string_view>
#include <vector>

#include "net/app/api_types.hpp"
#include "schema/result.hpp"

namespace cg::net {

enum class operation {
  health,          // liveness and readiness
  web_page,        // static pages (GraphiQL)
  metrics,         // Prometheus text
  project_list,    // the projects the caller may see (filtered by scope)
  project_read,    // one project: info, stats
  project_create,  // register a new project (its root must be an allowed root)
  project_reroot,  // give an existing project another root
  project_delete,
  project_index,  // re-index a project from its registered root
  task_list,      // the tasks the caller may see (filtered by scope)
  task_read,      // one task, its progress stream
  task_cancel,
  graph_read,        // nodes, edges, walks, paths, outlines, files
  search,            // hybrid and vector search, similar nodes
  node_write,        // manual nodes: create, update, delete
  version_write,     // tags and branches of a project's versions
  vectors_rebuild,   // re-embed a project's search index
  parse_snippet,     // parse text sent with the request (stores nothing, reads no file)
  parse_file,        // parse a file of a project (reads under its root)
  events_subscribe,  // progress, changes and index events of a project
  graphql,           // a GraphQL request as such (each field checks its own operation)
  backup_read,       // the server's backups: list, verify
  backup_write,      // create a backup of the server's store, restore one into a new directory
  mcp,               // an MCP session as such (each tool checks its own operation)
};

enum class scope_rule {
  none,      // no project involved
  project,   // names one project: a scoped principal must be scoped to it
  filtered,  // lists several projects: a scoped principal sees its own only
  every,     // holds every project (backups): a scoped principal may not
};

struct rule {
  operation op;
  std::string_view name;  // stable, for logs, audit lines and the matrix test
  role need;
  scope_rule scope;
};

const std::vector<rule>& rules();
const rule& rule_of(operation op);

// The one check. `project` names the project the operation touches when its rule is
// scope_rule::project (ignored otherwise).
struct decision {
  bool allowed = false;
  int status = 200;     // 200 allowed; 401 no credentials for a rule that needs some; 403 refused
  std::string message;  // why not, for the client
};
decision authorize(const principal& who, operation op, std::string_view project = {});

}  // namespace cg::net
