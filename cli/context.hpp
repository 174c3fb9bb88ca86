#pragma once
// What every command gets: the effective config, output mode, and helpers to open
// the store and pick the project and the definitions a command is about.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/read_api.hpp"
#include "cli/config.hpp"
#include "storage/store.hpp"

namespace cg {
struct engine_options;
}

namespace cg::cli {

struct context {
  config cfg;
  bool json = false;
  bool quiet = false;
  std::string project;  // --project, or "" to infer
  std::string at;       // --at: read this version (a version reference), not the newest state
};

struct open_project {
  std::unique_ptr<store> db;
  uint32_t id = 0;
  std::string name;
  std::string root;
  std::unique_ptr<graph_query> query;  // at ctx.at's version when given
  uint64_t version = 0;                // that version (0: the newest state)
};

// Opens the store read-only (works while another process indexes) and picks the
// project: --project, else the only one, else the one whose root holds the cwd.
result<open_project> open_for_query(const context& ctx, bool writable = false);

// What a user names: a 16-hex node id, a file path of the project, or a symbol
// (simple or qualified name). Several definitions may match a name.
struct target {
  std::vector<node> nodes;
  std::optional<std::string> file;  // set when the argument names an indexed file
};
// Engine options from the config (data dir, search settings).
struct engine_options engine_options_for(const context& ctx);

result<target> resolve_target(const open_project& p, const std::string& arg, bool allow_file);

}  // namespace cg::cli
