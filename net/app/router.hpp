#pragma once
// The route table: method + path pattern ("/api/v1/projects/{name}/nodes/{id}") to a
// handler. What a route does (its operation, hence the role and scope a caller
// needs) and whether its handler blocks (then it runs on the worker pool, never on a
// network thread) come from its declaration in net/app/routes.cpp. Plain C++.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/app/api_types.hpp"
#include "net/app/routes.hpp"

namespace cg::net {

using handler = std::function<api_reply(api_request&)>;

using try_now_fn = std::function<std::optional<api_reply>(api_request&)>;

struct route {
  std::string method;
  std::string pattern;
  operation op = operation::graph_read;  // its rule (net/app/policy.hpp): role and scope
  bool blocking = true;                  // false only for quick reads (a point lookup, health)
  bool auth_in_handler = false;          // see route_decl
  handler fn;
  // A blocking route may also answer on the network thread when it can do so without
  // waiting (say, a search on a loaded index); nullopt sends it to the worker pool.
  try_now_fn try_now = {};
};

class router {
 public:
  void add(route r);
  // The declared route (net/app/routes.cpp) with this method and pattern gets this
  // handler; false when there is no such declaration.
  bool bind(std::string_view method, std::string_view pattern, handler fn, try_now_fn try_now = {});
  // Declarations without a handler and handlers without a declaration (the server
  // refuses to start with any).
  std::vector<std::string> problems() const;
  struct match_result {
    const route* found = nullptr;
    bool path_known = false;           // some route has this path (405 rather than 404)
    std::vector<std::string> allowed;  // methods for that path
  };
  // Fills req.params on a match.
  match_result match(api_request& req) const;
  const std::vector<route>& routes() const { return routes_; }

 private:
  struct compiled {
    std::vector<std::string> segments;  // "{x}" marks a capture
  };
  static bool match_one(const compiled& c, const std::vector<std::string_view>& parts,
                        std::unordered_map<std::string, std::string>* params);
  std::vector<route> routes_;
  std::vector<compiled> compiled_;
  std::vector<std::string> undeclared_;
};

api_response json_response(int status, std::string body);
// The one error shape: {"error": {"code", "message", "request_id"}}.
api_response error_response(int status, std::string_view code, std::string_view message, std::string_view request_id);

}  // namespace cg::net
