#pragma once
// An in-memory BM25 index over term bags (weights act as term frequencies, so the
// fields of a definition count differently: BM25F-style). Documents are dense slots
// owned by the caller. Query terms missing from the vocabulary are widened to close
// spellings (edit distance 1, or 2 for long words) and the last query term also to
// its prefix completions, so "recieve" and "pars" still find something.
// Persisted as the term bags of its documents (vector_state saves them).
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/search/document.hpp"
#include "schema/result.hpp"

namespace cg {

struct bm25_hit {
  uint32_t doc = 0;
  float score = 0;
  std::vector<std::string> matched;  // the vocabulary terms that contributed
};

struct bm25_params {
  float k1 = 1.2f;
  float b = 0.75f;
  size_t max_typo_expansions = 4;
  size_t max_prefix_expansions = 16;
};

class bm25_index {
 public:
  explicit bm25_index(bm25_params p = {}) : params_(p) {}

  void add(uint32_t doc, const term_bag& bag);  // replaces any earlier bag of that doc
  void remove(uint32_t doc);
  bool contains(uint32_t doc) const { return doc < doc_terms_.size() && doc_len_[doc] > 0; }
  size_t documents() const { return live_docs_; }
  size_t vocabulary() const { return live_terms_; }

  // Top k docs for the query terms, best first; keep (when set) filters documents.
  // With ranked < k, only the first ranked hits are in rank order and list their matched
  // terms; the others follow in no set order (a caller that only needs their scores).
  std::vector<bm25_hit> search(const std::vector<std::string>& query, size_t k,
                               const std::function<bool(uint32_t)>& keep = {},
                               size_t ranked = static_cast<size_t>(-1)) const;
  // The vocabulary terms a query term stands for, each with a weight in (0, 1].
  std::vector<std::pair<std::string, float>> expand(std::string_view term, bool allow_prefix) const;

 private:
  struct posting {
    uint32_t doc;
    float tf;
  };
  uint32_t term_id(const std::string& t);
  // Each document's length normalisation, k1 * (1 - b + b * len / avg), for the index as
  // it is at `generation`. Searches (concurrent, read-only) build it on first use after
  // a change and share it; add and remove bump the generation.
  struct norm_table {
    uint64_t generation = 0;
    std::vector<double> k;
  };
  std::shared_ptr<const norm_table> norms() const;

  bm25_params params_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> terms_;
  // Candidates for expand(), so that a term not in the vocabulary is not compared with
  // every term: ids by length (typos: lengths within the edit limit) and by their first
  // three bytes (prefixes). Terms are never removed, only their postings emptied.
  std::vector<std::vector<uint32_t>> by_length_;
  std::vector<std::vector<uint64_t>> length_masks_;  // beside by_length_: the characters each term uses
  std::unordered_map<uint32_t, std::vector<uint32_t>> by_head_;
  std::vector<std::vector<posting>> postings_;
  std::vector<std::vector<posting>> doc_terms_;  // per doc: (term id, tf)
  std::vector<float> doc_len_;
  size_t live_docs_ = 0, live_terms_ = 0;
  double total_len_ = 0;
  uint64_t generation_ = 0;
  mutable std::shared_ptr<const norm_table> norms_;  // std::atomic_load / atomic_store only
};

}  // namespace cg
