#include "actors/search/ann/hnsw_walk.hpp"

#include <xmmintrin.h>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "actors/search/ann/vector_index.hpp"  // l2_squared

namespace cg {
namespace {

using node = std::pair<float, int32_t>;

// Visited marks: one 16-bit stamp per node; a query bumps the epoch, and the table is
// zeroed only when the epoch wraps (every 65,535 queries) or the graph grows.
struct visit_marks {
  std::vector<uint16_t> mark;
  uint16_t epoch = 0;
  void start(size_t n) {
    if (mark.size() < n) {
      mark.assign(n + n / 4, 0);
      epoch = 0;
    }
    if (++epoch == 0) {
      std::fill(mark.begin(), mark.end(), 0);
      epoch = 1;
    }
  }
  bool seen(int32_t i) {  // marks i; true when it already was
    auto& m = mark[static_cast<size_t>(i)];
    if (m == epoch) return true;
    m = epoch;
    return false;
  }
};

struct scratch {
  visit_marks visited;
  std::vector<node> candidates, results;  // min-heap and max-heap by distance
  std::vector<int32_t> fresh;
};

inline void prefetch_vector(const void* v, size_t lines) {
  const char* p = reinterpret_cast<const char*>(v);
  for (size_t i = 0; i < lines; ++i) _mm_prefetch(p + 64 * i, _MM_HINT_T0);
}

// Rows of floats, or of half floats (with the float rows for the final ranking).
struct float_rows {
  const float* base;
  size_t dim;
  const float* row(int32_t v) const { return base + static_cast<size_t>(v) * dim; }
  float distance(const float* q, int32_t v) const { return l2_squared(q, row(v), dim); }
  size_t lines() const { return (dim * sizeof(float) + 63) / 64; }
};
struct half_rows {
  const uint16_t* base;
  size_t dim;
  const uint16_t* row(int32_t v) const { return base + static_cast<size_t>(v) * dim; }
  float distance(const float* q, int32_t v) const { return l2_squared_half(q, row(v), dim); }
  size_t lines() const { return (dim * sizeof(uint16_t) + 63) / 64; }
};

// Gathers the unvisited neighbours of c on layer (marking them), prefetching the head
// of each vector as it goes.
template <class Rows>
void gather(const faiss::HNSW& g, int32_t c, int layer, scratch& s, const Rows& rows) {
  size_t b = 0, e = 0;
  g.neighbor_range(c, layer, &b, &e);
  s.fresh.clear();
  const int32_t* nb = g.neighbors.data();
  for (size_t i = b; i < e; ++i) {
    int32_t v = nb[i];
    if (v < 0) break;
    if (s.visited.seen(v)) continue;
    s.fresh.push_back(v);
    prefetch_vector(rows.row(v), 2);
  }
}

// The walk; leaves the (up to) width nearest in s.results, ascending.
template <class Rows>
void walk(const faiss::HNSW& g, const Rows& rows, const float* query, size_t width, scratch& s) {
  const size_t lines = rows.lines();
  s.visited.start(g.levels.size());

  // Greedy descent through the upper layers (no visited marks: a layer's walk is short).
  int32_t cur = g.entry_point;
  float d_cur = rows.distance(query, cur);
  for (int layer = g.max_level; layer > 0; --layer) {
    for (bool moved = true; moved;) {
      moved = false;
      size_t b = 0, e = 0;
      g.neighbor_range(cur, layer, &b, &e);
      for (size_t i = b; i < e; ++i) {
        int32_t v = g.neighbors[i];
        if (v < 0) break;
        if (i + 1 < e && g.neighbors[i + 1] >= 0) prefetch_vector(rows.row(g.neighbors[i + 1]), lines);
        float d = rows.distance(query, v);
        if (d < d_cur) {
          d_cur = d;
          cur = v;
          moved = true;
        }
      }
    }
  }

  // Layer 0: a beam of width ef.
  auto& cand = s.candidates;
  auto& res = s.results;
  cand.clear();
  res.clear();
  auto by_near = [](const node& a, const node& b) { return a.first > b.first; };  // min-heap
  auto by_far = [](const node& a, const node& b) { return a.first < b.first; };   // max-heap
  s.visited.seen(cur);
  cand.push_back({d_cur, cur});
  res.push_back({d_cur, cur});
  while (!cand.empty()) {
    node c = cand.front();
    if (res.size() >= width && c.first > res.front().first) break;
    std::pop_heap(cand.begin(), cand.end(), by_near);
    cand.pop_back();
    gather(g, c.second, 0, s, rows);
    const size_t n = s.fresh.size();
    for (size_t j = 0; j < n; ++j) {
      if (j + 1 < n) prefetch_vector(rows.row(s.fresh[j + 1]), lines);
      int32_t v = s.fresh[j];
      float d = rows.distance(query, v);
      if (res.size() < width || d < res.front().first) {
        cand.push_back({d, v});
        std::push_heap(cand.begin(), cand.end(), by_near);
        res.push_back({d, v});
        std::push_heap(res.begin(), res.end(), by_far);
        if (res.size() > width) {
          std::pop_heap(res.begin(), res.end(), by_far);
          res.pop_back();
        }
      }
    }
  }
  std::sort_heap(res.begin(), res.end(), by_far);  // ascending by distance
}

}  // namespace

void hnsw_walk(const faiss::HNSW& g, const float* base, size_t dim, const float* query, size_t k, int ef,
               float* distances, int64_t* labels, const uint16_t* half) {
  for (size_t i = 0; i < k; ++i) {
    distances[i] = std::numeric_limits<float>::infinity();
    labels[i] = -1;
  }
  if (g.entry_point < 0) return;
  thread_local scratch s;
  const size_t width = std::max<size_t>(static_cast<size_t>(std::max(ef, 1)), k);
  auto& res = s.results;
  if (half) {
    walk(g, half_rows{half, dim}, query, width, s);
    // The float distances of what the walk ends with decide the order and the scores.
    float_rows exact{base, dim};
    for (size_t i = 0; i < res.size(); ++i) {
      if (i + 1 < res.size()) prefetch_vector(exact.row(res[i + 1].second), exact.lines());
      res[i].first = exact.distance(query, res[i].second);
    }
    std::sort(res.begin(), res.end());
  } else {
    walk(g, float_rows{base, dim}, query, width, s);
  }
  for (size_t i = 0; i < k && i < res.size(); ++i) {
    distances[i] = res[i].first;
    labels[i] = res[i].second;
  }
}

}  // namespace cg
