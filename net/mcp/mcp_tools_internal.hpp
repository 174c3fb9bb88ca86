#pragma once
// Shared by the tool implementations (mcp_tools*.cpp): arguments, the project a call
// is about, compact node encodings, paging and freshness.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/read_api.hpp"
#include "net/app/policy.hpp"
#include "net/mcp/mcp_catalog.hpp"

namespace cg::mcp::catalog {

// A tool failure the agent can act on (an isError result).
error tool_error(std::string message);

// Arguments, checked against what the input schema says.
result<std::string> string_arg(const json& args, const char* key, bool required, std::string fallback = {});
result<int64_t> int_arg(const json& args, const char* key, int64_t fallback, int64_t lo, int64_t hi);
result<bool> bool_arg(const json& args, const char* key, bool fallback);
result<std::vector<std::string>> strings_arg(const json& args, const char* key);
result<std::vector<node_kind>> kinds_arg(const json& args);
result<std::vector<language>> languages_arg(const json& args);

struct picked {
  std::string name;
  uint32_t id = 0;
  std::string root;
  uint64_t version = 0;  // the read's version (0: the newest state)
  std::unique_ptr<graph_query> query;
};
// The project named by args.project, or the only one the principal sees; checked
// against the operation's rule. With allow_at, args.at picks a version to read.
result<picked> pick_project(const call_context& cx, const json& args, net::operation op, bool allow_at = false);
// How fresh the answer is: the store's write serial, the head version, files saved
// and not re-indexed yet.
json freshness(const call_context& cx, const picked& p);

// Resolutions an answer names (the others are certain, and left out to save tokens).
inline bool uncertain(resolution r) {
  return r == resolution::possible || r == resolution::heuristic || r == resolution::unresolved ||
         r == resolution::external;
}

// {id, name, kind, file, line}: what an agent needs to name and find a definition.
json brief(const node& n);
// A target argument resolved, or a tool error naming near matches.
result<graph_target> target_arg(const picked& p, const json& args, const char* key, bool allow_file);

// Paging: the offset a cursor stands for (0 without one); a tool error for a bad one.
result<size_t> cursor_arg(const json& args);
// A page of an answer: args.cursor's offset and args.limit (default dflt, at most max).
struct window {
  size_t offset = 0, limit = 0;
  size_t want() const { return offset + limit + 1; }  // items to produce to know whether more remain
};
result<window> window_arg(const json& args, int64_t dflt, int64_t max);
// Keeps the window of items in out[key] and sets out["next"] when more remain.
void page(json& out, const char* key, json items, const window& w);
// An answer of one paged list: {key: the window of items, next?, fresh}.
json paged(const call_context& cx, const picked& p, const char* key, json items, const window& w);

// The tools, by group.
result<json> search_code(const call_context& cx, const json& args);
result<json> find_symbol(const call_context& cx, const json& args);
result<json> get_symbol(const call_context& cx, const json& args);
result<json> walk_calls(const call_context& cx, const json& args, bool callers);
result<json> walk_deps(const call_context& cx, const json& args, bool dependents);
result<json> trace_path(const call_context& cx, const json& args);
result<json> outline(const call_context& cx, const json& args);
result<json> list_projects(const call_context& cx, const json& args);
result<json> project_stats(const call_context& cx, const json& args);
result<json> index_project(const call_context& cx, const json& args);
result<json> index_status(const call_context& cx, const json& args);
result<json> review_changes(const call_context& cx, const json& args);
result<json> diff_versions(const call_context& cx, const json& args);
result<json> symbol_history(const call_context& cx, const json& args);

}  // namespace cg::mcp::catalog
