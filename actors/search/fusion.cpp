#include "actors/search/fusion.hpp"

#include <algorithm>

namespace cg {

std::string_view to_string(fusion_method f) { return f == fusion_method::convex ? "convex" : "rrf"; }

std::optional<fusion_method> parse_fusion_method(std::string_view s) {
  if (s == "rrf") return fusion_method::rrf;
  if (s == "convex") return fusion_method::convex;
  return std::nullopt;
}

double rrf_score(const fusion_signals& s, double bm25_weight, double vector_weight, double k) {
  double score = 0;
  if (s.bm25_rank > 0) score += bm25_weight / (k + s.bm25_rank);
  if (s.vector_rank > 0) score += vector_weight / (k + s.vector_rank);
  return score;
}

double convex_score(const fusion_signals& s, const convex_scale& c, double bm25_weight, double vector_weight) {
  double text = c.bm25_max > 0 ? std::clamp<double>(s.bm25 / c.bm25_max, 0, 1) : 0;
  double span = c.cos_hi - c.cos_lo;
  double meaning =
      span > 1e-6 ? std::clamp<double>((s.cosine - c.cos_lo) / span, 0, 1) : (s.cosine >= c.cos_hi ? 1 : 0);
  return bm25_weight * text + vector_weight * meaning;
}

}  // namespace cg
