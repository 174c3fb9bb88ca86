// Recall-tier calibration of an approximate index on its own data (vector_index.hpp).
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "actors/search/ann/vector_index.hpp"
#include "actors/search/embedder.hpp"  // l2_normalise

namespace cg {
namespace {

constexpr size_t k = 10;
constexpr double balanced_target = 0.965, fast_target = 0.875;  // over 0.95 / 0.85: sampling noise, other queries

// Tie-aware recall@k: a hit counts when it is as close as the k-th true neighbour
// (built-in embeddings of real code hold exact duplicates; which k of 50 equal
// vectors come back is not a miss, and counting it as one sent efSearch to 512).
double recall_of(const std::vector<float>& kth, const std::vector<int64_t>& got, const float* queries,
                 const float* data, size_t n, size_t dim, int64_t first_label, size_t nq) {
  size_t hit = 0;
  for (size_t q = 0; q < nq; ++q)
    for (size_t i = 0; i < k; ++i) {
      int64_t row = got[q * k + i] - first_label;
      if (got[q * k + i] < 0 || row < 0 || static_cast<size_t>(row) >= n) continue;
      float ip = 0;
      for (size_t j = 0; j < dim; ++j) ip += queries[q * dim + j] * data[static_cast<size_t>(row) * dim + j];
      if (ip >= kth[q] - 1e-5f) ++hit;
    }
  return static_cast<double>(hit) / static_cast<double>(nq * k);
}

}  // namespace

search_tiers calibrate_tiers(vector_index& idx, const float* data, size_t n, int64_t first_label) {
  search_tiers tiers = idx.tiers();
  const size_t dim = idx.dimension();
  if (idx.kind() == index_kind::flat || n < 2 * k) return tiers;
  const size_t nq = std::min<size_t>(256, n / 2);

  // Queries near the data, as a new sample of it would be: sampled rows moved, in a
  // random direction, by their distance to their nearest other row. (Moved by the
  // 10th-neighbour distance they came out harder than fresh samples: at 1M clustered
  // vectors HNSW was calibrated to efSearch 320 where 96 gave fresh queries 0.95.)
  std::vector<float> queries(nq * dim), sc((k + 1) * nq);
  std::vector<int64_t> lb((k + 1) * nq);
  std::vector<float> rows(nq * dim);
  for (size_t q = 0; q < nq; ++q) {
    size_t row = (q * 2654435761u) % n;
    std::copy_n(data + row * dim, dim, rows.data() + q * dim);
  }
  if (!exact_search(data, n, dim, rows.data(), nq, k + 1, {}, sc.data(), lb.data()).ok()) return tiers;
  std::mt19937 rng(12345);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (size_t q = 0; q < nq; ++q) {
    float ip = std::clamp(sc[q * (k + 1) + 1], -1.0f, 1.0f);  // unit vectors: |a-b|^2 = 2 - 2 ip
    float step = std::sqrt(std::max(0.0f, 2 - 2 * ip)) / std::sqrt(static_cast<float>(dim));
    for (size_t j = 0; j < dim; ++j) queries[q * dim + j] = rows[q * dim + j] + step * g(rng);
    l2_normalise(queries.data() + q * dim, dim);
  }
  std::vector<int64_t> truth(nq * k);
  sc.resize(nq * k);
  if (!exact_search(data, n, dim, queries.data(), nq, k, {}, sc.data(), truth.data()).ok()) return tiers;
  std::vector<float> kth(nq);
  for (size_t q = 0; q < nq; ++q) kth[q] = sc[q * k + k - 1];

  // Walk a ladder of settings upwards; stop at the first that reaches the target.
  const bool hnsw = idx.kind() == index_kind::hnsw;
  std::vector<size_t> ladder =
      hnsw ? std::vector<size_t>{10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512}
           : std::vector<size_t>{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512};
  if (!hnsw) {
    size_t lists = std::max<size_t>(1, idx.lists());
    std::erase_if(ladder, [&](size_t v) { return v > lists; });
    if (ladder.empty() || ladder.back() < std::min<size_t>(lists, 512)) ladder.push_back(std::min<size_t>(lists, 512));
  }
  std::vector<int64_t> got(nq * k);
  auto measure = [&](size_t setting) {
    search_tiers t = tiers;
    if (hnsw)
      t.hnsw_ef_balanced = static_cast<int>(setting);
    else
      t.ivf_nprobe_balanced = setting;
    idx.set_tiers(t);
    if (!idx.search(queries.data(), nq, k, search_mode::balanced, sc.data(), got.data()).ok()) return 0.0;
    return recall_of(kth, got, queries.data(), data, n, dim, first_label, nq);
  };
  std::vector<double> recalls;
  size_t fast = 0, balanced = 0;
  double fast_r = 0, balanced_r = 0;
  for (size_t i = 0; i < ladder.size(); ++i) {
    double r = measure(ladder[i]);
    recalls.push_back(r);
    if (!fast && r >= fast_target) fast = ladder[i], fast_r = r;
    if (r >= balanced_target) {
      balanced = ladder[i], balanced_r = r;
      break;
    }
  }
  // Targets out of reach (a compressed index tops out lower): the best setting tried.
  if (!balanced) balanced = ladder.back(), balanced_r = recalls.back();
  if (!fast) fast = balanced, fast_r = balanced_r;
  if (hnsw) {
    tiers.hnsw_ef_balanced = static_cast<int>(balanced);
    tiers.hnsw_ef_fast = static_cast<int>(fast);
  } else {
    tiers.ivf_nprobe_balanced = balanced;
    tiers.ivf_nprobe_fast = fast;
  }
  tiers.calibrated = true;
  tiers.balanced_recall = balanced_r;
  tiers.fast_recall = fast_r;
  idx.set_tiers(tiers);
  return tiers;
}

}  // namespace cg
