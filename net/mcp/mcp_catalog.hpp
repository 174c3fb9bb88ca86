#pragma once
// What an MCP session offers: the tools (their schemas and what they do), the
// resources (nodes and files of the projects) and the prompts. Plain C++ over the
// read API (actors/read_api.hpp) and the engine facade.
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/app/api_types.hpp"
#include "net/mcp/mcp_host.hpp"
#include "schema/node.hpp"

namespace cg::mcp::catalog {

using json = nlohmann::json;

std::string instructions();

// ------------------------------------------------------------------ tools
struct call_context {
  host& h;
  const net::principal& who;
  const std::function<void(const json&)>& reply;  // progress notifications of this call
  std::shared_ptr<std::atomic<bool>> cancelled;
  bool modern = true;   // protocol 2025-06-18 or later: titles, output schemas, structured content
  json progress_token;  // null: the client asked for no progress

  bool stopped() const { return cancelled && cancelled->load(); }
  void progress(double done, double total, const std::string& message) const;
};

// One page of the tools this principal may call on this host; null for a bad cursor.
json list_tools(host& h, const net::principal& who, bool modern, const std::string& cursor);
// Whether the principal sees a versioned project (the version tools are listed then).
bool versions_visible(host& h, const net::principal& who);
// A tools/call result ({content, structuredContent, isError}); nullopt for no such tool.
std::optional<json> call_tool(const call_context& cx, std::string_view name, const json& args);

// ------------------------------------------------------------------ resources
struct resource_uri {
  std::string project;
  bool is_node = false;
  node_id id = 0;
  std::string path;
};
// codegraph://{project}/node/{id} and codegraph://{project}/file/{path}
std::optional<resource_uri> parse_uri(std::string_view uri);
std::string node_uri(std::string_view project, node_id id);
std::string file_uri(std::string_view project, std::string_view path);

json list_resources(host& h, const net::principal& who, const std::string& cursor);  // null: bad cursor
json resource_templates();
result<json> read_resource(host& h, const net::principal& who, const std::string& uri);

// ------------------------------------------------------------------ prompts
json list_prompts();
result<json> get_prompt(const std::string& name, const json& args);

}  // namespace cg::mcp::catalog
