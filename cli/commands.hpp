#pragma once
// The CLI's commands. Each returns an exit code: 0 success, 1 usage, 2 runtime error.
#include <string>
#include <vector>

#include "cli/context.hpp"

namespace cg::cli {

struct index_args {
  std::string path;
};
int run_index(const context& ctx, const index_args& args);

int run_stats(const context& ctx);
int run_projects(const context& ctx);
int run_config_show(const context& ctx);

struct symbol_args {
  std::string name;
  bool exact = false;
  std::vector<std::string> kinds, languages;
  size_t limit = 20;
};
int run_symbol(const context& ctx, const symbol_args& args);

int run_node(const context& ctx, const std::string& id);
int run_outline(const context& ctx, const std::string& file);

struct walk_args {
  std::string target;
  int depth = 1;
  size_t limit = 200;
  std::vector<std::string> kinds;  // edge kinds (deps/dependents)
};
enum class walk_kind { callers, callees, deps, dependents };
int run_walk(const context& ctx, walk_kind kind, const walk_args& args);

struct export_args {
  std::string format = "ndjson";  // ndjson | graphml
  std::string output;             // "" or "-": stdout
};
int run_export(const context& ctx, const export_args& args);

}  // namespace cg::cli
