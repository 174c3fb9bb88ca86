#pragma once
// Sub-token co-occurrence learnt from the indexed corpus itself: for each term, the
// terms that appear with it in the same definitions far more often than chance
// (positive pointwise mutual information). The built-in embedder adds a share of
// those neighbours to each term's features, so "socket" lands near "connect" and
// "recv" in a codebase that uses them together. Also carries document frequencies
// (for IDF weighting). Deterministic: same corpus, same model.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/search/document.hpp"
#include "schema/result.hpp"

namespace cg {

struct cooccurrence_params {
  size_t max_terms_per_doc = 24;  // the heaviest terms of each bag take part
  size_t max_docs = 200000;       // learn from at most this many bags (evenly spaced)
  uint32_t min_count = 3;         // pairs seen fewer times are noise
  float min_pmi = 1.0f;
  size_t neighbours = 8;
};

class cooccurrence_model {
 public:
  struct neighbour {
    std::string term;
    float weight;  // in (0, 1]
  };

  static cooccurrence_model learn(const std::vector<const term_bag*>& bags, const cooccurrence_params& p = {});

  size_t documents() const { return docs_; }
  size_t terms() const { return df_.size(); }
  // Inverse document frequency (1 for unseen terms when the model is empty).
  float idf(std::string_view term) const;
  const std::vector<neighbour>* neighbours(std::string_view term) const;

  std::string save() const;
  static result<cooccurrence_model> load(std::string_view bytes);

 private:
  // Looked up by string_view on every term of every embedding: no std::string made.
  struct term_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using term_map = std::unordered_map<std::string, V, term_hash, std::equal_to<>>;

  size_t docs_ = 0;
  term_map<uint32_t> df_;
  term_map<std::vector<neighbour>> nb_;
};

}  // namespace cg
