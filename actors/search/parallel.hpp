#pragma once
// Splitting one large, pure step of a search-index build (documents, pair counts,
// embeddings) over the cores: the search index used to be built on one core after
// the graph, while the other sat idle.
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace cg {

// How many parts a step of `n` items gets: one below `min_n`, else one per core (at
// most 4).
inline size_t parallel_parts(size_t n, size_t min_n) {
  if (n < min_n) return 1;
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
}

// Calls f(part, from, to) for `parts` contiguous ranges of [0, n), one thread each
// (the caller's thread takes part 0), and returns when all are done.
template <class F>
void parallel_ranges(size_t n, size_t parts, F&& f) {
  parts = std::max<size_t>(1, parts);
  size_t each = (n + parts - 1) / parts;
  std::vector<std::jthread> helpers;
  for (size_t p = 1; p < parts; ++p)
    helpers.emplace_back([&f, p, each, n] { f(p, std::min(n, p * each), std::min(n, (p + 1) * each)); });
  f(size_t{0}, size_t{0}, std::min(n, each));
}

}  // namespace cg
