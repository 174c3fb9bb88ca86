#pragma once
// The CLI's commands. Each returns an exit code: 0 success, 1 usage, 2 runtime error.
#include <string>
#include <vector>

#include "cli/context.hpp"

namespace cg {
struct index_request;
}

namespace cg::cli {

struct index_args {
  std::string path;
  std::string git;      // a commit or a range A..B to index from the repository at path
  bool follow = false;  // --follow: the branch (--git, default HEAD's) as it moves, until a signal
  std::string over;     // --over PROJECT: a work tree of its repository, as a layer over HEAD's version
};
int run_index(const context& ctx, const index_args& args);
int run_index_git(const context& ctx, const index_args& args);
int run_index_follow(const context& ctx, const index_args& args);
int run_index_layer(const context& ctx, const index_args& args);
// The [index] settings of the configuration onto a request ("" or what is wrong).
std::string apply_index_config(const context& ctx, index_request& req);
// Never index our own store when it lives inside the tree: the data directory excluded.
void exclude_data_dir(const context& ctx, index_request& req);

int run_stats(const context& ctx);
// `codegraph mcp`: MCP over stdio until stdin ends (cli/cmd_mcp.cpp); relayed to the
// server that owns the data directory unless local.
int run_mcp(const context& ctx, bool local);
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
int run_blame(const context& ctx, const std::string& target);

struct walk_args {
  std::string target;
  int depth = 1;
  size_t limit = 200;
  std::vector<std::string> kinds;  // edge kinds (deps/dependents)
  std::string resolution;          // keep only edges resolved so (resolution_filter)
};
enum class walk_kind { callers, callees, deps, dependents };
int run_walk(const context& ctx, walk_kind kind, const walk_args& args);

struct export_args {
  std::string format = "ndjson";  // ndjson | graphml
  std::string output;             // "" or "-": stdout
};
int run_export(const context& ctx, const export_args& args);

struct search_args {
  std::string query;
  std::string mode = "balanced";  // exact | balanced | fast
  size_t k = 10;
  std::vector<std::string> languages, kinds;
  std::string path;          // glob on file paths
  std::string context_file;  // rank definitions near this file higher
  std::string fusion;        // rrf | convex; empty: [search] fusion
  size_t batch = 10;
  bool ndjson = false;  // stream one JSON line per batch
};
int run_search(const context& ctx, const search_args& args);

struct similar_args {
  std::string node;
  size_t k = 10;
  float threshold = 0.5f;
  std::string mode = "balanced";
};
int run_similar(const context& ctx, const similar_args& args);
int run_vectors(const context& ctx, bool rebuild);

struct versions_args {
  std::string show;  // a version to describe; empty: list them
  // versions tag|branch NAME [VERSION] [--delete]; versions refs
  std::string ref_kind, ref_name, ref_version = "head";
  bool remove = false, force = false, list_refs = false;
  // versions prune --keep-last N [--keep-tags] [--dry-run]
  bool prune = false, keep_tags = false, dry_run = false;
  uint64_t keep_last = 0;
};
int run_versions(const context& ctx, const versions_args& args);

struct diff_args {
  std::string from, to;  // to empty or "working": the newest state
  size_t limit = 200;    // node changes listed in text output
};
int run_diff(const context& ctx, const diff_args& args);

// review BASE..TARGET: what a change touches (actors/review/review.hpp).
struct review_args {
  std::string range;  // BASE..TARGET, or BASE (TARGET: the newest state)
  int depth = 3;
  std::string format = "text";  // text, markdown (--json: json)
  std::string fail_on;          // "risk>=N": exit 3 when the score reaches N
  size_t limit = 20;            // rows per section in text and markdown
};
inline constexpr int exit_review_risk = 3;
int run_review(const context& ctx, const review_args& args);

struct serve_args {
  std::string listen;                 // address:port; overrides [server] listen
  std::vector<std::string> projects;  // NAME=PATH to index at start
  std::vector<std::string> follow;    // NAME=REPO[#BRANCH]: git branches to follow
  bool no_auth = false;
  std::string tls_cert, tls_key;
  std::string port_file;  // write the bound port here (for scripts: --listen 127.0.0.1:0)
};
int run_serve(const context& ctx, const serve_args& args);

struct token_args {
  std::string action;  // create | list | revoke
  std::string role = "reader", project, name, id;
};
int run_token(const context& ctx, const token_args& args);

struct backup_args {
  std::string action;  // create | list | verify | restore
  std::string dir, note;
  uint32_t id = 0;  // verify/restore: 0 = every backup / the newest
};
int run_backup(const context& ctx, const backup_args& args);

}  // namespace cg::cli
