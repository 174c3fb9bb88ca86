#pragma once
// A version: an immutable state of one project's graph (docs/ARCHITECTURE.md,
// "Versions"). The store keeps the newest state and, per later version, the earlier
// values of the keys it changed; a version is read by laying those over the newest.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "schema/result.hpp"

namespace cg {

struct version_record {
  uint64_t id = 0;      // 1, 2, ... per project, in the order they were committed
  uint64_t parent = 0;  // the version before it (0 for the first)
  // A git commit's: the versions its parents are indexed as (per parent, the nearest
  // first-parent ancestor indexed; a merge has two), oldest parent first.
  std::vector<uint64_t> git_parents;
  // What made it: "index" (a run over the working tree), "git" (a commit), "edit"
  // (manual node edits), "existing" (the graph as found when versions began).
  std::string source = "index";
  int64_t created = 0;  // unix seconds
  std::string message;
  // A git commit's: sha, author ("Name <mail>") and its commit time (unix seconds).
  std::string commit, author;
  int64_t committed = 0;
  uint64_t files = 0, nodes = 0, edges = 0;  // the graph at this version
  uint64_t changed_keys = 0;                 // what it changed in the store (0 for the first)
  // Its undo log keeps the resolver's per-file state (references, argument lists), as
  // versions committed since that state is versioned do: the graph may be put back
  // across it (a branch indexed from its ancestor). The store's own; not shown.
  bool resolver_state = false;

  bool operator==(const version_record&) const = default;
};

nlohmann::json to_json(const version_record& v);
std::string encode_version(const version_record& v);
result<version_record> decode_version(std::string_view text);

}  // namespace cg
