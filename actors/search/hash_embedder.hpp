#pragma once
// The built-in embedder: each term of a bag becomes a sparse ±1 pattern (two hashed
// positions), scaled by its field weight and IDF, optionally blended with its learnt
// co-occurrence neighbours; the sum is L2-normalised. Needs nothing from outside.
#include <memory>

#include "actors/search/cooccurrence.hpp"
#include "actors/search/embedder.hpp"

namespace cg {

struct hash_embedder_options {
  size_t dimension = 384;
  float neighbour_share = 0.35f;  // weight of learnt neighbours relative to the term itself; 0 turns it off
  float subword_share = 1.0f;     // weight of a term's character trigrams relative to the term; 0: off
};

class hash_embedder final : public embedder {
 public:
  explicit hash_embedder(hash_embedder_options o = {}, std::shared_ptr<const cooccurrence_model> model = {});
  size_t dimension() const override { return opts_.dimension; }
  std::string name() const override;
  status embed(std::span<const embed_input> inputs, float* out) override;
  status embed_query(std::string_view query, float* out) override;

  void set_model(std::shared_ptr<const cooccurrence_model> m) { model_ = std::move(m); }
  const cooccurrence_model* model() const { return model_.get(); }
  void embed_bag(const term_bag& bag, float* out) const;

 private:
  void add_term(std::string_view term, float weight, float* out) const;
  void add_subwords(std::string_view term, float weight, float* out) const;

  hash_embedder_options opts_;
  std::shared_ptr<const cooccurrence_model> model_;
};

}  // namespace cg
