#pragma once
// Versions of a project's graph, on top of the store's (storage/store.hpp, "versions"):
// what an index run commits, what a version reference names, and what changed between
// two versions. Plain functions over a store; the engine and the CLI call them.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "schema/edge.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"
#include "schema/version.hpp"
#include "storage/store.hpp"

namespace cg {

// After a run over the whole tree: what it changed becomes a committed version, with
// the graph's counts. Returns its id; 0 when nothing changed since the last version.
result<uint64_t> commit_after_index(store& db, uint32_t proj, version_record rec);

// What `base` names on a layer (resolve_version): the version it lies over, in the
// project under it. Diffs (stream_diff, diff_versions: base to the newest state, 0)
// and reviews (review_versions) of the layer compare its newest state with it.
inline constexpr uint64_t layer_base_version = UINT64_MAX;

// A version as users name it: "3", "v3", "head" or "latest" (the last committed one),
// "head~2" (two before it), a tag or branch name (NAME~2 too), or an indexed git
// commit's sha or a unique prefix of it.
result<uint64_t> resolve_version(const store& db, uint32_t proj, std::string_view ref);
// The project's tags and branches: [{"kind": "tag"|"branch", "name", "version"}]
// (commit/<sha> refs are listed by the versions themselves).
result<nlohmann::json> named_refs_json(const store& db, uint32_t proj);
// Names a version (`ref` as resolve_version reads it) with a tag or a branch: a branch
// moves, a tag that names another version moves only when forced (conflict). Kind is
// "tag" or "branch"; a name has 1 to 200 characters, no whitespace or '~'. Returns the
// version named.
result<uint64_t> set_named_ref(store& db, uint32_t proj, std::string_view kind, std::string_view name,
                               std::string_view ref, bool force);
// Removes a tag or branch (not_found when there is none); returns the version it named.
result<uint64_t> delete_named_ref(store& db, uint32_t proj, std::string_view kind, std::string_view name);
// A tag, a branch or a git commit's version (0: none by that name).
result<uint64_t> version_named(const store& db, uint32_t proj, std::string_view name);

struct node_change {
  std::string change;  // "added", "removed", "changed"
  node before, after;  // the one that exists for added / removed
  bool signature_changed = false;
  bool moved = false;  // only its place in the file changed
  // A rename (ids derive from file and name, so a moved or renamed definition is a new
  // node): for an added definition, the removed one with the same kind and text; for
  // a removed one, the added one. 0: none.
  node_id renamed = 0;
};

// One definition at both ends (nullopt: absent there): its change, or nullopt when it
// is the same (the comparison every diff makes).
std::optional<node_change> compare_node(std::optional<node> before, std::optional<node> after);
// Pairs removed and added definitions of the same kind and text (content hash): the
// same name first, then in id order; each pair is a rename (or a move to another
// file). Sorts `held` by id.
void pair_renamed(std::vector<node_change>& held);

struct edge_change {
  std::string change;  // "added", "removed"
  edge_kind kind = edge_kind::calls;
  node_id from = 0, to = 0;
  resolution how = resolution::local;
  std::string file;         // the source node's file
  std::string target_name;  // as written at the call or import site
};

struct version_diff {
  uint64_t from = 0, to = 0;  // to 0: the newest state (uncommitted changes included)
  std::string over;           // a layer's diff from its base: the project `from` is a version of
  std::vector<node_change> nodes;
  std::vector<edge_change> edges;
  struct file_totals {
    size_t nodes_added = 0, nodes_removed = 0, nodes_changed = 0, edges_added = 0, edges_removed = 0;
    size_t nodes_renamed = 0;  // pairs of a removed and an added definition (counted at the added one's file)
  };
  std::map<std::string, file_totals> files;
  file_totals total;
};

// What changed from version `from` to version `to` (0: the newest state). Either
// order; from == to is an empty diff. Sorted by file and place.
result<version_diff> diff_versions(const store& db, uint32_t proj, uint64_t from, uint64_t to);

// The same comparison as a stream: the changed keys are read `piece` at a time and
// each change handed over as it is found (definitions by id, then edges by key), so a
// diff of any size needs memory for one piece, not for the whole answer. A sink that
// returns false stops it (stopped in the totals).
struct diff_sink {
  std::function<bool(node_change&&)> node;
  std::function<bool(edge_change&&)> edge;  // empty: edges are not compared (nor counted)
};
struct diff_totals {
  std::map<std::string, version_diff::file_totals> files;
  version_diff::file_totals total;
  bool stopped = false;
};
result<diff_totals> stream_diff(const store& db, uint32_t proj, uint64_t from, uint64_t to, const diff_sink& sink,
                                size_t piece = 1024);

// Blame for one definition: the version that created it and the last that changed
// its text (a move within its file is no change). A run of versions dropped by a
// prune counts as the kept version that ends it. Renames are followed back, as `git
// blame --follow` does: where the definition's id first appears, a removed definition
// of the same kind and text in that version (the diff's rename pairing: a moved file,
// a moved definition) is its earlier self, whose history goes on from there; the move
// changed no text.
struct node_rename {
  uint64_t version = 0;    // the version that moved or renamed it
  node_id from = 0;        // the definition it was before
  std::string file, name;  // of that definition
};
struct node_blame {
  node_id id = 0;
  uint64_t created_in = 0;  // 0: it was there at the oldest version kept (`oldest`)
  uint64_t changed_in = 0;  // 0: unchanged since the oldest version kept
  uint64_t oldest = 0;
  bool uncommitted = false;          // its text changed after the last version (watch-mode saves)
  std::vector<node_rename> renames;  // followed back, newest first
};
// Which definitions each version renamed, found once per version (for the blame of
// every definition of a file, which a move renames together).
class rename_memo {
 public:
  std::map<uint64_t, std::unordered_map<node_id, node>> by_version;  // version -> added id -> removed one
};
result<node_blame> blame_node(const store& db, uint32_t proj, node_id id, rename_memo* memo = nullptr);
nlohmann::json to_json(const node_blame& b, const store& db, uint32_t proj);

nlohmann::json to_json(const version_diff& d);
nlohmann::json to_json(const node_change& c);
nlohmann::json to_json(const edge_change& c);

}  // namespace cg
