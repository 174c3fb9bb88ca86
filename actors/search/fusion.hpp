#pragma once
// How the hybrid search merges its two ranked lists (BM25 and vectors).
//   rrf:    reciprocal rank fusion, sum of w / (k + rank) over the lists a hit is in.
//           Only ranks count, so a confident first place weighs what a narrow one does.
//   convex: a weighted sum of the two scores, each scaled to [0, 1] over the candidates
//           (BM25 by the best score; cosine between the weakest and the best vector
//           candidate), with both scores known for every candidate (the cosine of a
//           text-only hit is computed, the BM25 score of a vector-only hit looked up).
// bench/search_bench measures both on CPython (docs/ARCHITECTURE.md has the numbers).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cg {

enum class fusion_method : uint8_t { rrf, convex };

std::string_view to_string(fusion_method f);
std::optional<fusion_method> parse_fusion_method(std::string_view s);

struct fusion_signals {
  int bm25_rank = 0;  // 1-based within the candidate depth; 0: not among them
  float bm25 = 0;     // 0 when the text does not match at all
  int vector_rank = 0;
  float cosine = 0;
};

struct convex_scale {
  float bm25_max = 0;            // best BM25 score among the candidates
  float cos_hi = 1, cos_lo = 0;  // best and weakest cosine of the vector candidates
};

double rrf_score(const fusion_signals& s, double bm25_weight, double vector_weight, double k);
double convex_score(const fusion_signals& s, const convex_scale& c, double bm25_weight, double vector_weight);

}  // namespace cg
