#pragma once
// Review impact: what a change from one version of a project's graph to another
// touches (docs/ARCHITECTURE.md, "Review impact"). A plain analysis over a store: the
// changed definitions (from the versions' diff), the definitions that reach them
// through calls, instantiations, references, inheritance and overrides up to a depth
// (each with its distance and the path that reaches it), the tests that reach them,
// the public definitions whose signature changed or that went away, and a small
// documented risk score. The CLI, the REST route and GraphQL all serve this report.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "schema/edge.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"
#include "schema/version.hpp"
#include "storage/store.hpp"

namespace cg {

// Where the texts of both sides come from, for the changed lines outside definitions:
// a file's text by path (empty when the side has no such file; nullopt: unknown).
struct review_sources {
  std::function<std::optional<std::string>(const std::string&path)> base, target;
};
// Git blobs of versions indexed from commits of the repository at `root`, and the
// files under `root` for the newest state (target 0); an index-run version's text is
// not kept, so its side stays unknown.
review_sources review_sources_for(const std::string& root, uint64_t base, const version_record& base_version,
                                  uint64_t target, const version_record& target_version);

struct review_request {
  uint64_t base = 0;         // a committed version
  uint64_t target = 0;       // a committed version; 0: the newest state (the working tree as last indexed or saved)
  int depth = 3;             // radius: callers and dependents up to this many hops (1..10)
  int test_depth = 6;        // tests: how far a test may be from a changed definition (at least depth)
  size_t max_reach = 20000;  // nodes one changed definition's walk may visit; past it the report says so
  // The texts, for changed lines outside definitions; review_versions fills them from
  // `root` when left empty (root empty too: those lines are not looked for).
  review_sources sources;
  std::string root;
};

// One hop of a path: `from` reaches `to` (a use of it) by an edge of this kind;
// exact unless the resolver only found it as one of several candidates.
struct review_hop {
  node_id from = 0, to = 0;
  edge_kind kind = edge_kind::calls;
  bool exact = true;
};

struct changed_symbol {
  node n;              // as the target has it (as the base had it, for removed)
  std::string change;  // added, removed, modified, moved (place only), renamed
  bool signature_changed = false;
  std::string signature_before;
  node before;  // renamed: the definition it was; modified: as the base had it
  // A type or scope whose text changed only because members of it changed: listed,
  // but its own users are not walked (its changed members are).
  bool via_members = false;
  bool is_public = false;
  bool is_test = false;
  size_t direct_users = 0;     // definitions one hop away
  size_t reached = 0;          // definitions within the depth
  std::vector<node_id> tests;  // test definitions that reach it (within test_depth)
};

struct impacted_symbol {
  node n;
  int distance = 0;
  node_id from_change = 0;       // the changed definition it is nearest to
  std::vector<review_hop> path;  // from it to that changed definition, hop by hop
  bool exact = true;             // every hop exact
  bool is_test = false;
  size_t changes_reached = 0;  // changed definitions it reaches within the depth
};

struct api_change {
  node n;              // the public definition (before, when removed)
  std::string change;  // signature, removed
  std::string signature_before, signature_after;
  std::vector<node> users;  // definitions in other files that use it directly
};

struct review_line_range {
  uint32_t start = 0, end = 0;  // inclusive
};
// Changed lines of a file that no definition holds (imports, module-level code,
// comments between definitions; blank lines left out): added or changed at the
// target, removed at the base.
struct review_unowned {
  std::string file;
  std::vector<review_line_range> added, removed;
};

struct review_risk {
  int score = 0;      // 0..100
  std::string level;  // low (< 20), medium (< 50), high
  struct reason {
    int points = 0;
    std::string text;
  };
  std::vector<reason> reasons;
};

struct review_report {
  uint64_t base = 0, target = 0;
  version_record base_version, target_version;  // target_version.id 0: the newest state
  int depth = 3, test_depth = 6;
  std::vector<changed_symbol> changed;  // by file, then line
  std::vector<impacted_symbol> radius;  // by distance, file, line; changed definitions are not repeated
  std::map<int, size_t> by_depth;
  std::map<std::string, size_t> by_file, by_package;  // package: the file's directory
  std::vector<impacted_symbol> tests;                 // test definitions reaching a change, nearest first
  std::vector<node_id> untested;                      // changed callables no test reaches
  std::vector<api_change> api;
  std::vector<review_unowned> unowned;
  review_risk risk;
  // How far to trust it: references of the changed definitions left unresolved, changed
  // files that did not parse cleanly, and whether a walk stopped at max_reach.
  struct trust_info {
    size_t unresolved_in_changes = 0;
    std::vector<std::string> parse_errors;
    bool truncated = false;
    bool lines_checked = false;              // changed lines outside definitions were looked for
    std::vector<std::string> lines_unknown;  // changed files whose text a side does not have
  } trust;
  size_t changed_files = 0;
};

result<review_report> review_versions(const store& db, uint32_t proj, const review_request& req);
// The project's root as its info records it ("" when none).
std::string project_root(const store& db, std::string_view project);

class graph_query;
status note_unowned_lines(review_report& r, const std::set<std::string>& files, const review_sources& src,
                          const graph_query& base, const graph_query& target);

// Test conventions by language: test_*.py, *_test.py, tests/ folders, *_test.go,
// *Test.java, *.test.ts, *.spec.js, __tests__/, Rust tests/ and `mod tests`, gtest
// *_test.cc and TEST macros.
bool is_test_file(std::string_view path);
bool is_test_definition(const node& n);
// Part of the project's surface: not private or internal by the language's rules.
bool is_public_definition(const node& n);

// The documented score (docs/API.md, "Review impact").
review_risk score_review(const review_report& r);
// "1 file", "2 files": a count and its noun, plural past one (the report's texts).
std::string count_of(size_t n, std::string_view noun);

nlohmann::json to_json(const review_report& r);
// Its parts as the report writes them (the live subscription sends them one by one).
nlohmann::json to_json(const changed_symbol& c);
nlohmann::json to_json(const impacted_symbol& s);
nlohmann::json risk_json(const review_risk& k);
nlohmann::json totals_json(const review_report& r);
// A compact pull-request comment: headline, changed definitions, radius by depth,
// tests, API changes, risk. At most `limit` rows per table.
std::string to_markdown(const review_report& r, const std::string& project, size_t limit = 20);

}  // namespace cg
