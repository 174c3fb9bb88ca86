#include "actors/search/hash_embedder.hpp"

#include <cmath>
#include <cstring>

#include "schema/hash.hpp"

namespace cg {

void l2_normalise(float* v, size_t dim) {
  double sum = 0;
  for (size_t i = 0; i < dim; ++i) sum += static_cast<double>(v[i]) * v[i];
  if (sum <= 0) return;
  auto inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (size_t i = 0; i < dim; ++i) v[i] *= inv;
}

hash_embedder::hash_embedder(hash_embedder_options o, std::shared_ptr<const cooccurrence_model> model)
    : opts_(o), model_(std::move(model)) {}

std::string hash_embedder::name() const {
  return "builtin-hash-v1/" + std::to_string(opts_.dimension) + (model_ && opts_.neighbour_share > 0 ? "+cooc" : "") +
         (opts_.subword_share > 0 ? "+sub" : "");
}

void hash_embedder::add_term(std::string_view term, float weight, float* out) const {
  uint64_t h = hash64(term);
  const size_t d = opts_.dimension;
  out[h % d] += (h >> 63) ? -weight : weight;
  uint64_t h2 = (h >> 17) ^ (h * 0x9e3779b97f4a7c15ULL);
  out[h2 % d] += (h2 >> 63) ? -weight : weight;
}

// Character trigrams of "<term>", sharing `weight` between them: "serialize" and
// "serialization", "config" and "configure" meet where the words differ.
void hash_embedder::add_subwords(std::string_view term, float weight, float* out) const {
  if (term.size() < 4) return;
  std::string padded;
  padded.reserve(term.size() + 2);
  padded.append("<").append(term).append(">");
  const size_t grams = padded.size() - 2;
  const float each = weight / std::sqrt(static_cast<float>(grams));
  char key[5] = {'#', 0, 0, 0, 0};  // '#' keeps grams apart from whole terms
  for (size_t i = 0; i < grams; ++i) {
    std::memcpy(key + 1, padded.data() + i, 3);
    add_term(std::string_view(key, 4), each, out);
  }
}

void hash_embedder::embed_bag(const term_bag& bag, float* out) const {
  std::memset(out, 0, opts_.dimension * sizeof(float));
  for (const auto& tw : bag) {
    float w = tw.weight * (model_ ? model_->idf(tw.term) : 1.0f);
    add_term(tw.term, w, out);
    if (opts_.subword_share > 0) add_subwords(tw.term, w * opts_.subword_share, out);
    if (model_ && opts_.neighbour_share > 0)
      if (const auto* nbs = model_->neighbours(tw.term))
        for (const auto& n : *nbs) add_term(n.term, w * opts_.neighbour_share * n.weight, out);
  }
  l2_normalise(out, opts_.dimension);
}

status hash_embedder::embed(std::span<const embed_input> inputs, float* out) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    float* row = out + i * opts_.dimension;
    if (inputs[i].terms) {
      embed_bag(*inputs[i].terms, row);
    } else {
      doc_source src;
      src.docstring = inputs[i].text;
      embed_bag(build_bag(src), row);
    }
  }
  return {};
}

status hash_embedder::embed_query(std::string_view query, float* out) {
  term_bag bag;
  for (auto& t : query_terms(query)) bag.push_back({std::move(t), 1.0f});
  embed_bag(bag, out);
  return {};
}

}  // namespace cg
