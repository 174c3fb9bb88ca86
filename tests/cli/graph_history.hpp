#pragma once
// Helpers of the end-to-end tests of versions and layers: scripted git histories of
// a real tree (the standard library's json package), exports through the codegraph
// binary and their comparison with a fresh index.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support/support.hpp"

namespace cg::test {

// An edge as the export and the diff write it: source, kind, target (or the name as
// written when the reference is unresolved or external).
std::string edge_identity(const nlohmann::json& e);

struct graph_export {
  std::set<std::string> lines;                  // every node and edge, as exported
  std::map<std::string, nlohmann::json> nodes;  // id -> node
  std::set<std::string> edges;                  // "source kind target"
};

// `codegraph export` of a project (at a version, if named).
graph_export export_of(const std::string& data, const std::string& at = "", const std::string& project = "hist");
// `codegraph index TREE --json --no-vectors`: its report.
nlohmann::json index_json(const fs::path& tree, const std::string& data, const std::string& project = "hist");
void replace_all(const fs::path& file, const std::string& from, const std::string& to);
// The files `codegraph search` finds for a query (what the search index holds).
std::set<std::string> search_files(const std::string& data, const std::string& query,
                                   const std::string& project = "hist");
// Equal exports, or a failure naming the first line only one of them holds.
void expect_same(const graph_export& at, const graph_export& fresh, const std::string& what);

// git in a repository (a test failure when it fails), and its output, trailing
// newlines taken off.
void git(const fs::path& repo, const std::string& args);
std::string git_out(const fs::path& repo, const std::string& args);
// A new repository on branch main holding the standard library's json package
// (uncommitted).
void json_repo(const fs::path& repo);
// A branch `feature` from HEAD adding json/extra.py (`extra`), then back on main a
// commit that moves json/tool.py to json/cli_tool.py.
void branch_and_move(const fs::path& repo, const std::string& extra);

}  // namespace cg::test
