// Each index kind against brute force on a fixed clustered data set: exact mode
// equals brute force, balanced and fast meet their recall tiers (0.95, 0.85), and
// an index saved and loaded answers the same.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include <algorithm>
#include <random>
#include <set>

#include "actors/search/ann/vector_index.hpp"
#include "actors/search/embedder.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

constexpr size_t dim = 64, n = 20000, nq = 200, k = 10;

struct data_set {
  std::vector<float> base, queries;
};

const data_set& data() {
  static const data_set d = [] {
    data_set out;
    std::mt19937 rng(42);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> centres(100 * dim);
    for (auto& c : centres) c = g(rng);
    auto sample = [&](std::vector<float>& into, float noise) {
      size_t c = rng() % 100;
      for (size_t j = 0; j < dim; ++j) into.push_back(centres[c * dim + j] + noise * g(rng));
      l2_normalise(into.data() + into.size() - dim, dim);
    };
    for (size_t i = 0; i < n; ++i) sample(out.base, 0.6f);
    for (size_t i = 0; i < nq; ++i) sample(out.queries, 0.6f);
    return out;
  }();
  return d;
}

std::vector<int64_t> brute_force() {
  std::vector<float> s(nq * k);
  std::vector<int64_t> l(nq * k);
  EXPECT_TRUE(exact_search(data().base.data(), n, dim, data().queries.data(), nq, k, {}, s.data(), l.data()).ok());
  return l;
}

double recall(const std::vector<int64_t>& truth, const std::vector<int64_t>& got) {
  size_t hit = 0;
  for (size_t q = 0; q < nq; ++q) {
    std::set<int64_t> t(truth.begin() + q * k, truth.begin() + (q + 1) * k);
    for (size_t i = 0; i < k; ++i) hit += t.count(got[q * k + i]);
  }
  return double(hit) / double(nq * k);
}

std::vector<int64_t> run(const vector_index& idx, search_mode m) {
  std::vector<float> s(nq * k);
  std::vector<int64_t> l(nq * k);
  EXPECT_TRUE(idx.search(data().queries.data(), nq, k, m, s.data(), l.data()).ok());
  return l;
}

class IndexKinds : public ::testing::TestWithParam<index_kind> {};

TEST_P(IndexKinds, MeetRecallTiersAndRoundTrip) {
  static const auto truth = brute_force();
  auto built = vector_index::build(GetParam(), dim, data().base.data(), n);
  ASSERT_TRUE(built.ok()) << built.err().message;
  EXPECT_EQ(built->size(), n);
  EXPECT_GT(built->memory_bytes(), 0u);
  double exact = recall(truth, run(*built, search_mode::exact));
  double balanced = recall(truth, run(*built, search_mode::balanced));
  double fast = recall(truth, run(*built, search_mode::fast));
  std::printf("%s: recall@10 exact %.3f balanced %.3f fast %.3f, %zu bytes\n",
              std::string(to_string(GetParam())).c_str(), exact, balanced, fast, built->memory_bytes());
  if (GetParam() == index_kind::ivf_sq8) {
    EXPECT_GE(exact, 0.97);  // codes are 8-bit: near but not bit-exact
  } else {
    EXPECT_EQ(exact, 1.0);
  }
  EXPECT_GE(balanced, 0.95);
  EXPECT_GE(fast, 0.85);

  test::temp_dir dir("cg-vindex");
  auto path = (dir / "index.faiss").string();
  ASSERT_TRUE(built->save(path).ok());
  auto loaded = vector_index::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.err().message;
  EXPECT_EQ(loaded->kind(), GetParam());
  EXPECT_EQ(run(*loaded, search_mode::balanced), run(*built, search_mode::balanced));
  // The tiers were calibrated on the data at build time (the recall checks above ran on
  // other queries) and come back with the index.
  EXPECT_EQ(built->tiers().calibrated, GetParam() != index_kind::flat);
  EXPECT_EQ(loaded->tiers().calibrated, built->tiers().calibrated);
  EXPECT_EQ(loaded->tiers().hnsw_ef_balanced, built->tiers().hnsw_ef_balanced);
  EXPECT_EQ(loaded->tiers().ivf_nprobe_fast, built->tiers().ivf_nprobe_fast);
  if (GetParam() != index_kind::flat) {
    std::printf("  calibrated: ef %d/%d, nprobe %zu/%zu, recall %.3f/%.3f\n", built->tiers().hnsw_ef_balanced,
                built->tiers().hnsw_ef_fast, built->tiers().ivf_nprobe_balanced, built->tiers().ivf_nprobe_fast,
                built->tiers().balanced_recall, built->tiers().fast_recall);
    EXPECT_GE(built->tiers().balanced_recall, 0.95);
  }
  // HNSW walks its graph with the SIMD kernel, built and loaded alike.
  EXPECT_EQ(built->uses_fast_kernel(), GetParam() == index_kind::hnsw);
  EXPECT_EQ(loaded->uses_fast_kernel(), GetParam() == index_kind::hnsw);
}

INSTANTIATE_TEST_SUITE_P(All, IndexKinds,
                         ::testing::Values(index_kind::flat, index_kind::ivf_flat, index_kind::hnsw,
                                           index_kind::ivf_sq8),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(VectorIndex, AddsWithLabelsAndHonoursFiltersInExactSearch) {
  auto idx = vector_index::build(index_kind::hnsw, dim, data().base.data(), 1000);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE(idx->add(data().base.data() + 1000 * dim, 10, 5000).ok());
  std::vector<float> s(1);
  std::vector<int64_t> l(1);
  ASSERT_TRUE(idx->search(data().base.data() + 1003 * dim, 1, 1, search_mode::balanced, s.data(), l.data()).ok());
  EXPECT_EQ(l[0], 5003);
  std::vector<float> s2(5);
  std::vector<int64_t> l2(5);
  std::function<bool(int64_t)> even = [](int64_t id) { return id % 2 == 0; };
  ASSERT_TRUE(
      exact_search(data().base.data(), 100, dim, data().base.data() + 7 * dim, 1, 5, even, s2.data(), l2.data()).ok());
  for (auto id : l2) EXPECT_EQ(id % 2, 0);
  EXPECT_FALSE(vector_index::load("/nonexistent/index.faiss").ok());
}

// The size (measured by serialising the index) is kept until vectors are added: a
// search path that asks for stats must not serialise a large index every time.
TEST(VectorIndex, MemoryBytesIsKeptUntilTheIndexGrows) {
  auto idx = vector_index::build(index_kind::hnsw, dim, data().base.data(), 1000);
  ASSERT_TRUE(idx.ok());
  auto first = idx->memory_bytes();
  EXPECT_GT(first, 1000 * dim * sizeof(float));
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(idx->memory_bytes(), first);
  EXPECT_LT(std::chrono::steady_clock::now() - t0,
            std::chrono::milliseconds(200));  // 1,000 serialisations take seconds
  ASSERT_TRUE(idx->add(data().base.data() + 1000 * dim, 100, 5000).ok());
  EXPECT_GT(idx->memory_bytes(), first + 100 * dim * sizeof(float));
}

// The half-float copy is a setting ([search] hnsw_half_floats): without it the index
// holds 2 bytes per dimension per vector less, searches the float rows with the same
// recall, and stays without one through add() and load(); it can be put back.
TEST(VectorIndex, HalfFloatCopyCanBeLeftOut) {
  if (!half_kernels()) GTEST_SKIP() << "no F16C on this CPU: there is never a copy";
  static const auto truth = brute_force();
  index_params with, without;
  without.half_floats = false;
  auto a = vector_index::build(index_kind::hnsw, dim, data().base.data(), n - 1000, with);
  auto b = vector_index::build(index_kind::hnsw, dim, data().base.data(), n - 1000, without);
  ASSERT_TRUE(a.ok() && b.ok());
  for (auto* idx : {&*a, &*b})
    ASSERT_TRUE(idx->add(data().base.data() + (n - 1000) * dim, 1000, static_cast<int64_t>(n - 1000)).ok());
  EXPECT_TRUE(a->has_half_floats());
  EXPECT_FALSE(b->has_half_floats());
  EXPECT_EQ(a->memory_bytes() - b->memory_bytes(), n * dim * 2);
  EXPECT_GE(recall(truth, run(*b, search_mode::balanced)), recall(truth, run(*a, search_mode::balanced)) - 0.01);
  test::temp_dir dir("half");
  auto path = (dir / "index.faiss").string();
  ASSERT_TRUE(a->save(path).ok());
  auto plain = vector_index::load(path, false);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->has_half_floats());
  EXPECT_EQ(run(*plain, search_mode::exact), run(*a, search_mode::exact));
  plain->keep_half_floats(true);
  EXPECT_TRUE(plain->has_half_floats());
  EXPECT_EQ(plain->memory_bytes(), a->memory_bytes());
  EXPECT_EQ(run(*plain, search_mode::balanced), run(*a, search_mode::balanced));
  plain->keep_half_floats(false);
  EXPECT_FALSE(plain->has_half_floats());
  EXPECT_EQ(plain->memory_bytes(), b->memory_bytes());
}

// Our HNSW walk (hnsw_walk.cpp, over the half-float copy) against FAISS's own
// HNSW::search over the same graph and against our walk over the float rows: at every
// ef at least their recall, hits distinct and best first, and each score the true
// (float) cosine of its hit; vectors added after the build are found.
TEST(VectorIndex, OurHnswWalkFindsWhatFaissFindsWithTrueScores) {
  static const auto truth = brute_force();
  auto idx = vector_index::build(index_kind::hnsw, dim, data().base.data(), n - 2000);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE(idx->add(data().base.data() + (n - 2000) * dim, 2000, static_cast<int64_t>(n - 2000)).ok());
  for (int ef : {10, 16, 32, 64}) {
    search_tiers t;
    t.hnsw_ef_balanced = ef;
    idx->set_tiers(t);
    auto ours = run(*idx, search_mode::balanced);
    vector_index::walk_half_floats(false);  // the walk over the float rows
    auto floats = run(*idx, search_mode::balanced);
    vector_index::walk_half_floats(true);
    vector_index::compare_with_faiss_walk(true);
    auto theirs = run(*idx, search_mode::balanced);
    vector_index::compare_with_faiss_walk(false);
    double r_ours = recall(truth, ours), r_theirs = recall(truth, theirs), r_floats = recall(truth, floats);
    EXPECT_GE(r_ours, r_theirs - 0.01) << "ef " << ef;
    EXPECT_GE(r_ours, r_floats - 0.01) << "ef " << ef;  // half floats for the walk lose nothing that shows
    if (ef == 64) {
      EXPECT_GE(r_ours, 0.97);
    }
    std::vector<float> sc(nq * k);
    std::vector<int64_t> lb(nq * k);
    ASSERT_TRUE(idx->search(data().queries.data(), nq, k, search_mode::balanced, sc.data(), lb.data()).ok());
    EXPECT_EQ(lb, ours);
    for (size_t q = 0; q < nq; ++q) {
      std::set<int64_t> distinct(lb.begin() + q * k, lb.begin() + (q + 1) * k);
      EXPECT_EQ(distinct.size(), k);
      for (size_t i = 0; i < k; ++i) {
        auto label = lb[q * k + i];
        ASSERT_GE(label, 0);
        ASSERT_LT(label, static_cast<int64_t>(n));
        const float* v = data().base.data() + static_cast<size_t>(label) * dim;
        const float* x = data().queries.data() + q * dim;
        float dot = 0;
        for (size_t j = 0; j < dim; ++j) dot += v[j] * x[j];
        EXPECT_NEAR(sc[q * k + i], dot, 1e-4);
        if (i) {
          EXPECT_GE(sc[q * k + i - 1], sc[q * k + i]);
        }
      }
    }
  }
}

// Exact duplicates (a third of real definitions share their vector with another) stay
// out of the HNSW graph and come back with the copy that is in it: every label is
// still found, at the same score, recall holds against brute force with ties counted,
// and the lists survive a save and load and grow with add().
TEST(VectorIndex, HnswKeepsExactDuplicatesOutOfTheGraphAndFindsThemAll) {
  // 3,000 distinct vectors, then one group of 400 copies of row 7, and 300 rows that
  // each copy one of rows 100..399; labels are rows.
  const size_t distinct = 3000;
  std::vector<float> base(data().base.begin(), data().base.begin() + distinct * dim);
  auto copy_row = [&](size_t r) { base.insert(base.end(), base.begin() + r * dim, base.begin() + (r + 1) * dim); };
  for (size_t i = 0; i < 400; ++i) copy_row(7);
  for (size_t i = 0; i < 300; ++i) copy_row(100 + i);
  const size_t total = base.size() / dim;
  auto idx = vector_index::build(index_kind::hnsw, dim, base.data(), total);
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(idx->size(), total);
  EXPECT_EQ(idx->duplicates(), 700u);

  // The big group: asking with row 7 itself gives k labels of the group, cosine 1.
  auto group_of_7 = [&](int64_t label) { return label == 7 || (label >= 3000 && label < 3400); };
  auto check = [&](const vector_index& ix) {
    std::vector<float> s(k);
    std::vector<int64_t> l(k);
    ASSERT_TRUE(ix.search(base.data() + 7 * dim, 1, k, search_mode::balanced, s.data(), l.data()).ok());
    std::set<int64_t> seen(l.begin(), l.end());
    EXPECT_EQ(seen.size(), k);
    for (size_t i = 0; i < k; ++i) {
      EXPECT_TRUE(group_of_7(l[i])) << l[i];
      EXPECT_NEAR(s[i], 1.0f, 1e-5);
    }
    // Each copied row, queried with its vector: both copies in the top 2 (a pair of
    // duplicates has no third member).
    size_t both = 0;
    for (size_t r = 100; r < 400; ++r) {
      std::vector<float> s2(2);
      std::vector<int64_t> l2(2);
      ASSERT_TRUE(ix.search(base.data() + r * dim, 1, 2, search_mode::balanced, s2.data(), l2.data()).ok());
      std::set<int64_t> got(l2.begin(), l2.end()), want{int64_t(r), int64_t(3400 + r - 100)};
      both += got == want;
    }
    EXPECT_GE(both, 295u);
    // Recall against brute force over all rows, a tie at the k-th score counting as a hit.
    std::vector<float> ts(nq * k), gs(nq * k);
    std::vector<int64_t> tl(nq * k), gl(nq * k);
    ASSERT_TRUE(exact_search(base.data(), total, dim, data().queries.data(), nq, k, {}, ts.data(), tl.data()).ok());
    ASSERT_TRUE(ix.search(data().queries.data(), nq, k, search_mode::balanced, gs.data(), gl.data()).ok());
    size_t hit = 0;
    for (size_t q = 0; q < nq; ++q) {
      std::set<int64_t> labels(gl.begin() + q * k, gl.begin() + (q + 1) * k);
      EXPECT_EQ(labels.size(), k);
      for (size_t i = 0; i < k; ++i) hit += gs[q * k + i] >= ts[q * k + k - 1] - 1e-5f;
    }
    EXPECT_GE(double(hit) / double(nq * k), 0.95);
    // Exact mode expands the same way.
    ASSERT_TRUE(ix.search(base.data() + 7 * dim, 1, k, search_mode::exact, s.data(), l.data()).ok());
    for (size_t i = 0; i < k; ++i) EXPECT_TRUE(group_of_7(l[i])) << l[i];
  };
  check(*idx);

  test::temp_dir dir("dups");
  auto path = (dir.path() / "index.faiss").string();
  ASSERT_TRUE(idx->save(path).ok());
  auto back = vector_index::load(path);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(back->size(), total);
  EXPECT_EQ(back->duplicates(), 700u);
  check(*back);

  // add(): copies of a stored vector, and a pair that is new but repeated in the batch.
  std::vector<float> more;
  for (int i = 0; i < 3; ++i) more.insert(more.end(), base.begin() + 7 * dim, base.begin() + 8 * dim);
  for (int i = 0; i < 2; ++i)
    more.insert(more.end(), data().base.begin() + 5000 * dim, data().base.begin() + 5001 * dim);
  ASSERT_TRUE(back->add(more.data(), 5, 10000).ok());
  EXPECT_EQ(back->size(), total + 5);
  EXPECT_EQ(back->duplicates(), 704u);
  std::vector<float> s(2);
  std::vector<int64_t> l(2);
  ASSERT_TRUE(back->search(data().base.data() + 5000 * dim, 1, 2, search_mode::balanced, s.data(), l.data()).ok());
  EXPECT_EQ(std::set<int64_t>(l.begin(), l.end()), (std::set<int64_t>{10003, 10004}));

  // A damaged list is refused (the caller rebuilds), not half read.
  ASSERT_TRUE(back->save(path).ok());
  std::filesystem::resize_file(path + ".dups", std::filesystem::file_size(path + ".dups") - 8);
  auto damaged = vector_index::load(path);
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.err().message.find("damaged"), std::string::npos);
  // Without duplicates no list is written, and a stale one is removed.
  auto plain = vector_index::build(index_kind::hnsw, dim, data().base.data(), 500);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->duplicates(), 0u);
  ASSERT_TRUE(plain->save(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".dups"));
}

}  // namespace
}  // namespace cg

namespace cg {
namespace {

// The SIMD kernel behind HNSW agrees with a plain loop at every length, tails included.
TEST(L2Kernel, AgreesWithAPlainLoopAtEveryLength) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (size_t d = 0; d <= 100; ++d) {
    std::vector<float> a(d), b(d);
    for (auto& x : a) x = u(rng);
    for (auto& x : b) x = u(rng);
    double plain = 0;
    for (size_t i = 0; i < d; ++i) plain += double(a[i] - b[i]) * (a[i] - b[i]);
    EXPECT_NEAR(l2_squared(a.data(), b.data(), d), plain, 1e-4 * (1 + plain))
        << "d = " << d << " (" << l2_kernel_name() << ")";
    // The half-float rows the HNSW walk reads: within half precision (2^-11 relative
    // per element) of the float distance, at every length (the tails are scalar).
    if (!half_kernels()) continue;
    std::vector<uint16_t> h(d);
    to_half(b.data(), h.data(), d);
    EXPECT_NEAR(l2_squared_half(a.data(), h.data(), d), plain, 2e-3 * (1 + plain)) << "d = " << d;
  }
}

}  // namespace
}  // namespace cg
