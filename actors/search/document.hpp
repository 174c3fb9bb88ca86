#pragma once
// What search knows of one definition: a weighted bag of terms built from its name,
// qualified name (the enclosing module/type), signature, docstring and doc comments,
// and the names it calls. The same bag feeds BM25 (as weighted term frequencies) and
// the built-in embedder (as hashed features); a text rendering feeds external models.
#include <string>
#include <string_view>
#include <vector>

#include "schema/node.hpp"

namespace cg {

struct term_weight {
  std::string term;
  float weight = 0;
};
using term_bag = std::vector<term_weight>;

struct doc_source {
  std::string_view name;
  std::string_view qualified_name;
  std::string_view signature;
  std::string_view docstring;
  std::vector<std::string> callees;  // names as written ("self.save" -> save)
  bool include_docstring = true;     // off for the retrieval benchmark's "docstrings removed" run
};

// Field weights: what a definition is called says most about it.
struct field_weights {
  float name = 3.0f;
  float whole_name = 2.0f;  // the full lowercase name as one term: exact-name hits rank first
  float enclosing = 1.0f;
  float signature = 0.8f;
  float docstring = 1.0f;
  float callee = 0.5f;
};

// Terms are stemmed sub-tokens; the bag is merged (one entry per term, weights summed)
// and sorted by term.
term_bag build_bag(const doc_source& src, const field_weights& w = {});
// The terms of a query, in order (duplicates kept out).
std::vector<std::string> query_terms(std::string_view query);
// A plain-text rendering for external embedding models.
std::string doc_text(const doc_source& src);

}  // namespace cg
