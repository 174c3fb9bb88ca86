#pragma once
// The search state of one project: a document per searchable definition (its term
// bag and where it is), the BM25 index, the raw embeddings, the ANN index over them
// and the learnt co-occurrence model. Plain C++: the vector actor wraps it.
//
// Slots: each document has a dense slot (row of the embedding matrix, BM25 doc,
// ANN label). A removed document leaves a dead slot; compaction renumbers when dead
// slots pass a quarter of all.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/search/ann/vector_index.hpp"
#include "actors/search/bm25.hpp"
#include "actors/search/cooccurrence.hpp"
#include "actors/search/embedder.hpp"
#include "actors/search/float_rows.hpp"
#include "actors/search/hash_embedder.hpp"
#include "actors/search/search_types.hpp"
#include "storage/store.hpp"

namespace cg {

struct vector_options {
  size_t dimension = 384;
  std::optional<index_kind> kind;  // none: chosen by collection size
  bool learn_cooccurrence = true;  // the built-in embedder learns from the corpus
  // A sync that would learn (or relearn) the co-occurrence model leaves it pending and
  // embeds without it: hybrid answers are as good without it (bench/search_bench.sh
  // quality), so a cold index does not wait for it. The owner learns it afterwards
  // (learn_model + install_model; the vector actor between its messages, `vectors
  // rebuild` at once). Off: learnt within the sync.
  bool defer_model = false;
  float neighbour_share = 0.35f;
  float subword_share = 1.0f;      // character trigrams in the built-in embedder (0: off)
  bool include_docstrings = true;  // off only for the retrieval benchmark
  // Whose docstrings the co-occurrence model may learn from when the index leaves them
  // out (the benchmark holds its answers' docstrings out); empty: everyone's.
  std::function<bool(node_id)> learn_docstring_of;
  size_t embed_batch = 256;
  bool hnsw_half_floats = true;  // index_params::half_floats
  // The vector actor saves after a sync at most this often (the first sync of a run and
  // a rebuild always save). A state saved earlier is still correct: on load it catches
  // up from the store's change log, re-embedding only the files changed since.
  std::chrono::milliseconds save_interval{30000};
  // The vector actor builds a pending ANN index in steps between its messages. Off for
  // short-lived processes (the CLI): their searches run brute force meanwhile, and
  // `vectors rebuild` builds it at once.
  bool background_index = true;
  // Makes an external embedder (e.g. the OpenAI-compatible provider); empty: built-in.
  std::function<std::unique_ptr<embedder>()> make_embedder;
};

struct sync_summary {
  size_t documents = 0;  // live after the sync
  size_t added = 0, updated = 0, removed = 0;
  bool incremental = false;  // from the change log (not a full pass over the graph)
  size_t files = 0;          // files looked at when incremental
  bool rebuilt = false;      // the ANN index (and maybe the model) was rebuilt
  double seconds = 0;
};

struct vector_stats {
  std::string embedder;
  size_t dimension = 0;
  size_t documents = 0, slots = 0, vocabulary = 0, model_terms = 0;
  std::string index;            // kind of the ANN index ("flat" when brute force)
  bool index_building = false;  // a (re)build is pending: searches run brute force over what it lacks
  bool model_pending = false;   // the co-occurrence model is to be learnt (embeddings without it meanwhile)
  size_t index_vectors = 0, index_bytes = 0, raw_bytes = 0;
  uint64_t store_sequence = 0;  // the store state the vectors reflect
};

class vector_state {
 public:
  // external: an embedder to use instead of the built-in one (not owned elsewhere).
  explicit vector_state(vector_options o, std::unique_ptr<embedder> external = nullptr);
  ~vector_state();

  // Brings documents, BM25 and embeddings in line with the project's graph: new and
  // changed definitions (by content hash) are embedded, gone ones removed. An
  // embedding failure leaves the state as it was and returns the error.
  result<sync_summary> sync(const read_view& v, uint32_t proj, uint64_t sequence);
  // Relearns the model, re-embeds every document and rebuilds the ANN index.
  result<sync_summary> rebuild(const read_view& v, uint32_t proj, uint64_t sequence);

  // The whole ranked answer; the caller streams it in batches.
  result<std::vector<search_hit>> search(const search_request& req, const read_view& v, uint32_t proj);
  // The node's embedding (a copy of its row); nullopt when the index does not hold it.
  std::optional<std::vector<float>> embedding(node_id id) const;
  result<std::vector<search_hit>> similar(node_id id, size_t k, float min_score, search_mode mode,
                                          const search_filters& f) const;
  // BM25 alone and vectors alone (the retrieval benchmark compares them with the hybrid).
  std::vector<search_hit> search_bm25(const std::string& query, size_t k, const search_filters& f) const;
  result<std::vector<search_hit>> search_vector(const std::string& query, size_t k, search_mode mode,
                                                const search_filters& f);
  // A raw query vector (normalised here).
  result<std::vector<search_hit>> search_raw(std::vector<float> query, size_t k, search_mode mode,
                                             const search_filters& f) const;

  vector_stats stats() const;
  const vector_options& options() const { return opts_; }
  size_t live_documents() const { return live_; }  // cheap (stats() measures the index)
  uint64_t sequence() const { return sequence_; }
  // Queries are embedded in process (the built-in embedder): a search never waits on
  // the network.
  bool embeds_locally() const { return !opts_.make_embedder; }

  // The ANN index is built off the sync's path. A sync that needs it (re)built leaves
  // it pending: searches meanwhile run the ANN over the slots it holds (if any) and
  // brute force over the rest, or brute force over everything. The owner (the vector
  // actor) builds it in steps between its messages: index_step adds up to `chunk`
  // vectors to an index no search reads, and says when it holds every slot; then
  // install_index swaps it in (under the lock searches take shared). one_core: the
  // step keeps FAISS to the calling thread (a build in the background leaves the other
  // cores to saves, their resolution and live reviews); else OpenMP uses every core.
  bool index_pending() const { return index_pending_.load(std::memory_order_relaxed); }
  result<bool> index_step(size_t chunk, bool one_core = false);
  void install_index();
  // For tests and benchmarks: steps until the index is built and installed.
  status finish_index();

  // The co-occurrence model a sync left pending (defer_model). learn_model only reads
  // (the owner runs it under the shared lock: searches go on): it learns the model
  // from the live documents and embeds them all with it, aside; install_model swaps
  // both in (alone) and leaves the ANN index to be rebuilt over the new vectors. A
  // model learnt before the state changed is dropped (still pending).
  struct learnt_model {
    std::shared_ptr<cooccurrence_model> model;
    std::vector<uint32_t> slots;  // the live slots, in the order of the rows
    float_rows vectors;
    size_t slot_count = 0;  // docs_.size() when learnt
    uint64_t sequence = 0;
  };
  bool model_pending() const { return model_pending_.load(std::memory_order_relaxed); }
  learnt_model learn_model() const;
  bool install_model(learnt_model&& m);
  void finish_model();  // both at once (tests, rebuild)

  // Files under dir (written to dir.new, then swapped in).
  status save(const std::string& dir) const;
  // Restores a saved state; not_found when there is none. A saved state made by a
  // different embedder or dimension is refused (invalid_argument): rebuild.
  status load(const std::string& dir);

  struct doc;
  struct change_set;

 private:
  // Full: every node and edge of the project. Incremental: the files the change log
  // names since the last sync (and the in-degree of what their edges touch).
  status collect_all(const read_view& v, uint32_t proj, change_set& cs) const;
  status collect_files(const read_view& v, uint32_t proj, const std::vector<std::string>& files, change_set& cs) const;
  result<sync_summary> apply_changes(change_set& cs);
  void index_files();  // file_slots_ from docs_
  embedder& active_embedder();
  bool keep(uint32_t slot, const search_filters& f) const;
  search_hit hit_of(uint32_t slot) const;
  status embed_slots(const std::vector<uint32_t>& slots, float_rows& out);
  status embed_slots_with(embedder& e, const std::vector<uint32_t>& slots, float_rows& out) const;
  hash_embedder_options builtin_options() const;
  // Keeps the ANN index in step after a sync: small additions inline, else a build
  // left pending. force_rebuild: the slots were renumbered or re-embedded.
  void ensure_index(bool force_rebuild);
  bool compact();  // true when slots were renumbered
  result<std::vector<std::pair<uint32_t, float>>> vector_candidates(const float* q, size_t k, search_mode mode,
                                                                    const search_filters& f) const;
  // A hybrid search's steps (vector_search.cpp).
  struct candidates {
    std::vector<bm25_hit> lexical;                     // BM25, past the depth (convex fusion reads its tail)
    size_t lexical_depth = 0;                          // the part of it that competes
    std::vector<std::pair<uint32_t, float>> semantic;  // nearest vectors: slot, cosine
    std::vector<float> query;                          // the query's embedding (empty: none)
  };
  result<candidates> gather(const search_request& req);
  std::unordered_map<uint32_t, search_hit> fuse(const search_request& req, const candidates& c) const;
  void rerank_by_graph(const search_request& req, const read_view& v, uint32_t proj,
                       std::vector<std::pair<uint32_t, search_hit*>>& ranked) const;
  void explain(const search_request& req, const candidates& c, bool name_match, search_hit& h) const;

  vector_options opts_;
  std::unique_ptr<embedder> external_;
  std::unique_ptr<embedder> builtin_;
  std::shared_ptr<cooccurrence_model> model_;
  std::vector<doc> docs_;
  std::unordered_map<node_id, uint32_t> slot_of_;
  size_t live_ = 0;
  bm25_index bm25_;
  float_rows vectors_;  // slots x dimension
  std::optional<vector_index> ann_;
  size_t ann_slots_ = 0;  // slots [0, ann_slots_) are in the ANN index
  // The ANN index is to be (re)built (index_step); read by /health/ready without the lock.
  std::atomic<bool> index_pending_{false};
  // A sync left the co-occurrence model to be learnt (read by /health/ready without the lock).
  std::atomic<bool> model_pending_{false};
  bool learn_now_ = false;                // rebuild: learnt within the sync, deferred or not
  std::optional<vector_index> building_;  // the index being built; no search reads it
  size_t building_slots_ = 0;
  uint64_t sequence_ = 0;
  struct {  // when the last apply_changes passed its steps (debug timings)
    std::chrono::steady_clock::time_point documents, model, embedded;
  } phase_;
  int64_t change_serial_ = 0;                                          // the graph's change log is consumed up to here
  bool synced_ = false;                                                // a full pass (or a load) has happened
  std::unordered_map<std::string, std::vector<uint32_t>> file_slots_;  // live slots per file
};

}  // namespace cg
