#pragma once
// What a user names when asking about the graph (the CLI's arguments, MCP tool
// arguments): a 16-hex node id, a file path of the project, or a symbol by simple or
// qualified name. Several definitions may match a name.
#include <optional>
#include <string>
#include <vector>

#include "actors/graph/graph_query.hpp"

namespace cg {

struct graph_target {
  std::vector<node> nodes;
  std::optional<std::string> file;  // set when the argument names an indexed file
};

// root: the project's root, so that absolute paths inside it name its files.
// not_found, with up to five near names as a hint, when nothing matches.
result<graph_target> resolve_target(const graph_query& q, const std::string& root, const std::string& arg,
                                    bool allow_file);

}  // namespace cg
