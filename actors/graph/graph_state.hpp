#pragma once
// The single writer of one project's graph. Plain C++: the graph actor only
// forwards messages here, and tests drive it directly.
//
// Phase 1 (apply/remove/touch): one atomic write batch per file replaces its nodes,
// indexes, contains edges, manifest entry and stored references, and marks it
// "pending resolution". Phase 2 (resolve_pending): resolves every pending file's
// references against the whole project and writes its edges, again one atomic
// batch per group of files that also clears their pending marks. A crash between
// the phases leaves every file whole and its pending mark set, so the next run
// finishes the resolution.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/graph/manual_edit.hpp"
#include "actors/graph/resolver.hpp"
#include "schema/extract.hpp"
#include "schema/result.hpp"
#include "storage/store.hpp"

namespace cg {

struct file_change {
  enum class what : uint8_t { added, changed, removed, unchanged };
  what kind = what::unchanged;
  std::string path;
  std::vector<node_id> created, updated, deleted;
};

struct resolve_summary {
  size_t files = 0;
  resolution_counts counts;
};

inline constexpr std::string_view manual_file = "@manual";
inline bool is_virtual_path(std::string_view path) { return !path.empty() && path[0] == '@'; }

class graph_state {
 public:
  graph_state(store& s, uint32_t project);

  // Phase 1. Several files may go in one write batch: each is still whole.
  result<std::vector<file_change>> apply(std::span<const file_extract> files);
  result<file_change> apply(const file_extract& fx);
  result<file_change> remove(std::string_view path);
  status touch(const file_record& rec);  // same content; new size or mtime

  // Phase 2. progress(done, total) is called as files are resolved.
  result<resolve_summary> resolve_pending(const std::function<void(size_t, size_t)>& progress = {});
  // Puts the project's graph back as version `version` had it (resolving what is
  // pending first): every key a later version or the open one changed gets its value
  // then, in one batch captured by the open version like any write. The resolver's
  // per-file state goes back too, so that an index run from there is incremental from
  // that version. Returns the keys rewritten and, per file, the definitions that came
  // back (created), went (deleted) or changed (updated), for the node subscribers.
  struct rewind_outcome {
    size_t keys = 0;
    std::vector<file_change> files;
  };
  result<rewind_outcome> rewind_to(uint64_t version);
  result<size_t> pending_count() const;

  result<std::vector<file_record>> manifest() const;

  // The symbol table resolution uses, kept across runs (null before the first
  // resolution): loaded once, then each write replaces its files' symbols.
  const symbol_table* symbols() const { return symbols_.get(); }

  // Manual nodes (made through the API, not by a parser) live in the virtual file
  // manual_file; the indexer never removes it. Each call is one atomic write and
  // returns the node as stored with the change to publish. Only manual nodes can be
  // updated or deleted: a parsed node belongs to its file and is rewritten by the
  // next index run (invalid_argument says so).
  // apply_manual applies a set of changes as one write, all or none (the error names
  // the edit that failed); a node created in the set can be changed later in it only
  // by a later set (its id is made on creation).
  result<std::pair<std::vector<node>, file_change>> apply_manual(const std::vector<manual_op>& ops);
  result<std::pair<node, file_change>> create_manual(node n);
  result<file_change> delete_manual(node_id id);
  // Keys the last manual edit read and wrote: what its cost is proportional to.
  struct edit_cost {
    size_t nodes_read = 0, batch_ops = 0;
  };
  edit_cost last_edit_cost() const { return last_edit_cost_; }

 private:
  struct pending_file {
    std::string path;
    bool had_edges = false;  // resolved edges from an earlier run to replace
  };
  // Where resolution's producer hands its write groups (graph_state.cpp).
  struct group_sink {
    virtual ~group_sink() = default;
    // A group's batch, and the edges of files that had none, which the writer puts
    // into the batch (the producer is the slower side). False: stop producing.
    virtual bool push(write_batch b, std::vector<edge> fresh, size_t done) = 0;
    virtual void finish() = 0;
    virtual void fail(error e) = 0;
  };
  result<std::vector<pending_file>> pending_files(const read_view& v) const;
  result<file_references> load_refs(const read_view& v, const std::string& path) const;
  // What each file's edges counted (a file resolved again in a later round replaces its
  // count), and per round the cross-file arguments (callee file -> caller file ->
  // encoded): as pass A previewed them for the round's callers, as pass B wrote them
  // (the snapshot does not see those yet), and what each callee file was resolved with.
  struct round_state {
    std::unordered_map<std::string, resolution_counts> counts;
    std::unordered_set<std::string> in_round;
    std::unordered_map<std::string, std::map<std::string, std::string>> args_preview, args_written;
    std::unordered_map<std::string, std::map<std::string, std::string>> resolved_with;  // callee -> caller -> encoded
    std::unordered_map<std::string, file_references> refs;  // callee files read by arguments_matter
    void next_round() {
      in_round.clear();
      args_preview.clear();
      args_written.clear();
      resolved_with.clear();
      refs.clear();
    }
  };
  result<resolve_summary> resolve_round(const std::function<void(size_t, size_t)>& progress, round_state& rs);
  // Pass A's decoded references, by index into the pending files, for pass B (empty:
  // read again). Kept up to this many entries (imports, references, bindings) in all;
  // callers passing arguments are always kept.
  using kept_references = std::vector<std::optional<file_references>>;
  static constexpr size_t max_kept_ref_entries = size_t{2} << 20;
  void produce_edge_groups(const read_view& v, resolver& r, const std::vector<pending_file>& pending,
                           kept_references& kept, group_sink& sink, round_state& rs, double& t_compute);
  // Cross-file arguments (actors/graph/cross_arguments.cpp). preview_outgoing keeps what
  // pass A found a caller passing; incoming_arguments gives a file what its callers pass
  // (the round's callers as written or previewed, the others as stored); record_outgoing
  // stores what a caller passes and marks each callee file pending that was resolved
  // this round with other arguments, or is not in the round.
  void preview_outgoing(const std::string& path, std::vector<resolver::cross_argument> out, round_state& rs) const;
  static bool passes_arguments(const file_references& refs);  // has argument bindings ("()CALLEE#SLOT")
  result<std::vector<resolver::cross_argument>> incoming_arguments(
      const read_view& v, const std::string& path, const round_state& rs,
      std::map<std::string, std::string>* by_caller = nullptr) const;
  // Whether one of `changed` (arguments that came or went) lands in a parameter that its
  // function in `path` reads at all: the others cannot change the file's edges.
  result<bool> arguments_matter(const read_view& v, const std::string& path,
                                const std::vector<resolver::cross_argument>& changed, round_state& rs);
  status record_outgoing(write_batch& b, const read_view& v, const std::string& path,
                         std::vector<resolver::cross_argument> out, round_state& rs);
  status retract_outgoing(write_batch& b, const read_view& v, std::string_view path);  // a removed caller

  // Manual edits (graph_manual.cpp): each node as stored before the set and after it.
  result<file_change> write_manual(const read_view& v, const node& file,
                                   const std::unordered_map<node_id, std::optional<node>>& before,
                                   const std::unordered_map<node_id, std::optional<node>>& after,
                                   const std::vector<node_id>& order);  // the edits' nodes, in order
  void stage_manual_node(write_batch& b, const node& n, int sign);      // its record and indexes: +1 put, -1 delete
  result<file_change> stage(write_batch& b, const read_view& v, const file_extract& fx, bool unresolved_exist);
  status delete_out_edges(write_batch& b, const read_view& v, node_id from);
  status read_out_edges(const read_view& v, node_id from, std::unordered_map<std::string, std::string>& out);
  // A file's resolved edges in place of its old ones: only the keys that differ written.
  void replace_edges(write_batch& b, std::unordered_map<std::string, std::string> old_edges,
                     const std::vector<edge>& edges);
  status mark_dependents(write_batch& b, const read_view& v, node_id target, std::string_view own_path);
  // Python functions whose returns may pass a changed value on (def g(): return f()):
  // the files with edges into them are resolved again too, up to 3 calls deep.
  status mark_return_chain(write_batch& b, const read_view& v, node_id changed);
  void put_edge(write_batch& b, const edge& e);

  void symbols_replace(std::string_view path, std::span<const node> nodes);

  store& store_;
  uint32_t proj_;
  std::unique_ptr<symbol_table> symbols_;
  bool symbols_probed_ = false;  // whether apply looked for a project without definitions
  edit_cost last_edit_cost_;
};

}  // namespace cg
