#pragma once
// The engine facade: how the rest of the program (CLI, network front end) reaches
// the actor system. No CAF types here. Callbacks and event sinks run on engine
// threads and must not block; hand their work to a queue or an Asio strand.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/bus/events.hpp"
#include "actors/indexer/index_types.hpp"
#include "actors/search/search_types.hpp"
#include "actors/search/vector_state.hpp"
#include "actors/version/layer_info.hpp"
#include "schema/result.hpp"
#include "storage/backup.hpp"
#include "storage/store.hpp"

namespace cg {

struct engine_options {
  std::string data_dir;
  unsigned parser_workers = 0;                  // 0: one per core
  unsigned threads = 0;                         // actor scheduler threads; 0: one per core
  vector_options vectors;                       // search: embedding dimension, index kind
  size_t store_cache_bytes = size_t{64} << 20;  // RocksDB block cache
  size_t store_write_buffer_bytes = 0;          // memtable per column family; 0: the store's defaults
  // Reads only (the CLI beside a server that owns the store): the store opened without
  // its lock, as of now; the search state restored and brought in step in memory,
  // never saved; index tasks and writes refused.
  bool read_only = false;
  // Manual edits waiting for or being applied by one project's graph writer; past it
  // an edit is refused with errc::overloaded instead of queuing without bound. 0: none.
  size_t edit_queue_limit = 64;
};

class engine {
 public:
  static result<std::unique_ptr<engine>> open(const engine_options& opts);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Starts an index task and returns its id; done runs once, when it ends. graph_done
  // (optional) runs once before it, as soon as the graph is written and resolved: the
  // search index sync that follows does not hold up another task's graph work.
  result<uint64_t> start_index(index_request req, std::function<void(const index_summary&)> done,
                               std::function<void()> graph_done = {});
  bool cancel(uint64_t task);
  // Runs a task to its end; on_progress gets that task's progress events.
  index_summary index(index_request req, std::function<void(const index_progress&)> on_progress = {});

  // Search (the vector actor of the project). Blocking; batches stream to on_batch
  // (on the calling thread or an engine thread) before it returns.
  status search(const search_request& req, const std::function<void(const search_batch&)>& on_batch);
  // The same, only when it cannot wait: the project's search state is loaded and
  // current, queries are embedded in process (no provider on the network), and no
  // brute force over more than brute_force_limit vectors may be needed (exact mode,
  // filters).
  // Else nullopt, and nothing ran. For callers on threads that must not block (the
  // server's network threads): CPU work only, a fraction of a millisecond at CPython's
  // size.
  std::optional<status> try_search_now(const search_request& req,
                                       const std::function<void(const search_batch&)>& on_batch,
                                       size_t brute_force_limit = 50'000);
  result<std::vector<search_hit>> similar(const std::string& project, node_id id, size_t k, float min_score,
                                          search_mode mode, const search_filters& filters);
  // Nearest nodes to a raw query vector (its size must be the index dimension).
  result<std::vector<search_hit>> search_vector(const std::string& project, std::vector<float> vector, size_t k,
                                                search_mode mode, const search_filters& filters);
  result<sync_summary> sync_vectors(const std::string& project, bool rebuild);
  // The embeddings of these nodes as the project's search index holds them (brought
  // in step first when the store has moved on); nullopt for a node it does not hold.
  result<std::vector<std::optional<std::vector<float>>>> embeddings(const std::string& project,
                                                                    const std::vector<node_id>& ids);
  result<vector_stats> vectors_stats(const std::string& project);

  // Stops the project's actors, deletes its search index and every stored key.
  // conflict while an index task of the project runs.
  status remove_project(const std::string& project);
  // Makes the project (created if needed) a layer over `base`: a second work tree of
  // base's repository, at root, stored as its differences from the version of the
  // nearest commit of its HEAD's first-parent history indexed in base (HEAD's own, if
  // it is). A base other than before empties the layer and retires its actors. The
  // next index run of the project brings the layer to the work tree. not_found when
  // no commit of that history is indexed in base.
  result<layer_info> lay_over(const std::string& project, const std::string& root, const std::string& base);
  // Index tasks still running.
  size_t running_tasks() const;
  // Whether an index task of the project runs now.
  bool indexing(const std::string& project) const;

  // Mailbox depth of every actor (parser workers, the bus, each project's graph and
  // vector actors), as each last saw it (see note_depth in actors/caf_types.hpp).
  struct mailbox_depth {
    std::string actor;    // parser, bus, graph, vector
    std::string project;  // "" for shared actors; parser workers: their number
    size_t depth = 0;
  };
  std::vector<mailbox_depth> mailbox_depths() const;
  // Manual edits refused because a project's writer had edit_queue_limit waiting.
  uint64_t edits_refused() const;

  // Each project's search state, read without waiting (for /health/ready):
  // "not_loaded" (restored on first use), "updating" (a sync or load holds it),
  // "current", or "behind" (it catches up on its next use); documents it holds; and
  // whether its ANN index is being built (searches run brute force over what it lacks)
  // or its co-occurrence model is still to be learnt (embeddings without it meanwhile).
  struct search_state {
    std::string project, state;
    size_t documents = 0;
    bool index_building = false;
    bool model_pending = false;  // its co-occurrence model is still to be learnt
  };
  std::vector<search_state> search_states() const;

  // Manual nodes, through the project's graph actor (which publishes the change).
  // update_node's patch runs on the graph actor; it must not block.
  result<node> create_node(const std::string& project, node n);
  result<node> update_node(const std::string& project, node_id id, std::function<status(node&)> patch);
  status delete_node(const std::string& project, node_id id);
  // Each of the three above is a transaction of one. apply_edits applies a set as one
  // write, all or none; with as_version, committed as one version of a versioned
  // project (published on topics::versions).
  result<manual_outcome> apply_edits(const std::string& project, manual_edits edits);

  uint64_t subscribe(std::string topic_prefix, event_sink sink);
  void unsubscribe(uint64_t subscription);

  store& storage();
  unsigned parser_workers() const;
  // Parses these files of the project's root ahead and keeps their trees in the parser
  // worker each one's saves go to (large files only; see tree_cache.hpp), so that their
  // next save is an incremental parse. Returns at once; the parses run in the pool.
  void warm_trees(const std::string& project, const std::vector<std::string>& paths);

  // A backup of the store and of every project's search index into dir, while the
  // engine serves and indexes (storage/backup.hpp); one at a time.
  result<backup_info> backup(const std::string& dir, const std::string& note);

 public:
  struct impl;  // opaque (the actor system and the store)

 private:
  explicit engine(std::unique_ptr<impl> p);
  // Stops the project's actors (waiting for a finishing task) and deletes its search index.
  status retire(const std::string& project, uint32_t proj);
  std::unique_ptr<impl> impl_;
};

}  // namespace cg
