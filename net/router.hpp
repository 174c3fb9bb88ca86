#pragma once
// The route table: method + path pattern ("/api/v1/projects/{name}/nodes/{id}") to a
// handler, with the role a caller needs and whether the handler blocks (then it runs
// on the worker pool, never on a network thread). Plain C++.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/api_types.hpp"

namespace cg::net {

using handler = std::function<api_reply(api_request&)>;

struct route {
  std::string method;
  std::string pattern;
  role need = role::reader;
  bool blocking = true;      // false only for quick reads (a point lookup, health)
  bool project_scoped = false;  // {name} names a project the caller must be scoped to
  handler fn;
  // A blocking route may also answer on the network thread when it can do so without
  // waiting (say, a search on a loaded index); nullopt sends it to the worker pool.
  std::function<std::optional<api_reply>(api_request&)> try_now = {};
};

class router {
 public:
  void add(route r);
  struct match_result {
    const route* found = nullptr;
    bool path_known = false;             // some route has this path (405 rather than 404)
    std::vector<std::string> allowed;    // methods for that path
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
};

api_response json_response(int status, std::string body);
// The one error shape: {"error": {"code", "message", "request_id"}}.
api_response error_response(int status, std::string_view code, std::string_view message,
                            std::string_view request_id);

}  // namespace cg::net
