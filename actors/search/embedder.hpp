#pragma once
// Turns documents and queries into L2-normalised vectors of a fixed dimension.
// Implementations: the built-in hashing embedder (no model, no network) and the
// OpenAI-compatible HTTP provider. Errors come back as values; a failed batch
// leaves the caller's index untouched.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "actors/search/document.hpp"
#include "schema/result.hpp"

namespace cg {

struct embed_input {
  std::string_view text;            // for models that read text
  const term_bag* terms = nullptr;  // for the built-in embedder
};

class embedder {
 public:
  virtual ~embedder() = default;
  virtual size_t dimension() const = 0;
  virtual std::string name() const = 0;  // recorded with the index: a different embedder means a rebuild
  // out: inputs.size() * dimension() floats, each row L2-normalised.
  virtual status embed(std::span<const embed_input> inputs, float* out) = 0;
  virtual status embed_query(std::string_view query, float* out) = 0;
};

void l2_normalise(float* v, size_t dim);

}  // namespace cg
