#include "cli/blas_threads.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "actors/search/ann/vector_index.hpp"

namespace {

size_t threads_now() {
  size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

// The best `k` labels of each query by a plain loop over the inner products.
std::vector<int64_t> brute_force(const std::vector<float>& base, size_t n, size_t dim, const std::vector<float>& q,
                                 size_t nq, size_t k) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < nq; ++i) {
    std::vector<std::pair<float, int64_t>> all;
    for (size_t j = 0; j < n; ++j) {
      float s = 0;
      for (size_t t = 0; t < dim; ++t) s += q[i * dim + t] * base[j * dim + t];
      all.emplace_back(-s, static_cast<int64_t>(j));
    }
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
    for (size_t r = 0; r < k; ++r) out.push_back(all[r].second);
  }
  return out;
}

}  // namespace

// OpenBLAS starts its pool when it loads; parked, its threads are gone, and a matrix
// product large enough to be threaded (it starts the pool again) still answers right.
TEST(blas_threads, parking_the_pool_stops_its_threads_and_blas_still_answers) {
  const bool pool_expected = ::dlsym(RTLD_DEFAULT, "blas_thread_shutdown_") != nullptr &&
                             std::thread::hardware_concurrency() > 1 && !std::getenv("OPENBLAS_NUM_THREADS") &&
                             !std::getenv("OMP_NUM_THREADS");
  size_t before = threads_now();
  cg::cli::park_blas_threads();
  size_t after = threads_now();
  if (pool_expected)
    EXPECT_LT(after, before);
  else
    EXPECT_LE(after, before);
  cg::cli::park_blas_threads();  // again: nothing left to stop
  EXPECT_EQ(threads_now(), after);

  const size_t n = 20000, dim = 64, nq = 32, k = 3;
  std::mt19937 rng(7);
  std::normal_distribution<float> g;
  std::vector<float> base(n * dim), q(nq * dim);
  for (auto& x : base) x = g(rng);
  for (auto& x : q) x = g(rng);
  std::vector<float> scores(nq * k);
  std::vector<int64_t> labels(nq * k);
  ASSERT_TRUE(cg::exact_search(base.data(), n, dim, q.data(), nq, k, {}, scores.data(), labels.data()).ok());
  EXPECT_EQ(labels, brute_force(base, n, dim, q, nq, k));
}
