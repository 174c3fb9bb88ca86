#pragma once
// Every REST route of the server, as data: method, pattern, the operation it
// performs (its role and scope come from net/app/policy.hpp) and whether its handler
// blocks. The handlers are bound to these in net/api_*.cpp; the server refuses to
// start when a declared route has no handler or a handler no declaration. Plain C++,
// so that tests and the fuzzers see the very table the server routes with.
#include <string_view>
#include <vector>

#include "net/app/policy.hpp"

namespace cg::net {

struct route_decl {
  std::string_view method;
  std::string_view pattern;  // "{x}" captures a segment; {name} names a project
  operation op = operation::graph_read;
  bool blocking = true;  // false only for quick reads (a point lookup, health)
  // The handler authenticates itself (GET /graphql: a query authenticates, a
  // WebSocket upgrade sends its token in connection_init).
  bool auth_in_handler = false;
};

const std::vector<route_decl>& rest_routes();

}  // namespace cg::net
