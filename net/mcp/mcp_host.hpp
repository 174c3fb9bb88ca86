#pragma once
// What an MCP session reads from and acts through: the server's app (Streamable HTTP
// at /mcp) or the CLI's read-only engine (`codegraph mcp` over stdio). Plain C++.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/engine.hpp"
#include "actors/search/search_types.hpp"
#include "schema/result.hpp"

namespace cg::mcp {

class host {
 public:
  virtual ~host() = default;
  virtual engine& eng() = 0;
  store& db() { return eng().storage(); }
  // Reads only: index runs are refused (the stdio server on a store it does not own).
  virtual bool read_only() const = 0;
  // An index run of the tree at path as the project (registered when new); the server
  // checks the path against its allowed roots. over: the tree is a work tree of that
  // project's repository, indexed as a layer of its differences (engine::lay_over).
  virtual result<uint64_t> start_index(const std::string& project, const std::string& path,
                                       const std::string& over) = 0;
  virtual bool cancel_task(uint64_t task) = 0;
  // Tasks of the project ("" : every project), newest first:
  // [{task, project, state, progress?, summary?}].
  virtual nlohmann::json tasks(const std::string& project) = 0;
  // Files of the project saved but not re-indexed yet (watch mode).
  virtual std::vector<std::string> pending_files(const std::string& project) = 0;
  // The project's registered root ("" when unknown).
  virtual std::string project_root(const std::string& project) = 0;
  // The configured fusion method and weights onto a search.
  virtual void search_defaults(search_request& req) = 0;
  // A tool call ended (for metrics): its tool, whether it was an error, its time.
  virtual void tool_called(std::string_view tool, bool error, double seconds) {}
};

}  // namespace cg::mcp
