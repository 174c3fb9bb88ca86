#pragma once
// Shared test helpers: temporary directories, running the CLI binary, indexing a
// tree without the actor system (same state classes), checking a store's
// consistency, and a canonical text dump of a project's graph for golden files.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/graph/graph_query.hpp"
#include "actors/graph/graph_state.hpp"
#include "storage/store.hpp"

namespace cg::test {

namespace fs = std::filesystem;

class temp_dir {
 public:
  explicit temp_dir(const std::string& tag = "cg");
  ~temp_dir();
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

void write_file(const fs::path& p, std::string_view content);
std::string read_file(const fs::path& p);

struct cli_result {
  int exit_code = -1;
  std::string out, err;
};
// Runs the codegraph binary (CODEGRAPH_BIN, set by CMake) with args; optional env
// additions ("NAME=value") and a uid to run as (via setpriv) when not -1.
cli_result run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}, int as_uid = -1);
std::string codegraph_binary();
// Runs codegraph with these arguments and SIGKILLs it after `ms` milliseconds (or when
// it ends first); returns its wait status.
int run_cli_and_kill_after(const std::vector<std::string>& args, int ms);

// Walk + parse + apply + resolve with plain state classes (no CAF).
struct plain_index_result {
  size_t files = 0;
  size_t parsed = 0;
  resolve_summary resolution;
};
plain_index_result index_plain(store& s, const std::string& project, const std::string& root);
// The same through a graph writer the caller keeps (its symbol table lives on).
plain_index_result index_plain(graph_state& g, const std::string& project, const std::string& root);

// Consistency of one project's part of a store; returns the problems found.
std::vector<std::string> check_consistency(store& s, uint32_t project);

// Canonical text of a project's graph: one line per node ("node KIND QNAME LINE")
// and per non-contains edge ("edge KIND SRC -> DST (HOW)"), sorted.
std::vector<std::string> graph_lines(store& s, uint32_t project, bool with_contains = false);

// Golden files: tests/golden/NAME. With CODEGRAPH_UPDATE_GOLDEN=1 they are written.
std::string golden_path(const std::string& name);
std::string source_dir();

std::unique_ptr<store> open_store(const std::string& dir, bool read_only = false);

}  // namespace cg::test
