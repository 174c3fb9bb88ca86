#pragma once
// One approximate-nearest-neighbour index over L2-normalised vectors (inner product =
// cosine), labels being the caller's dense slots. FAISS stays behind this header.
// Kinds: flat (exact), ivf_flat, hnsw, ivf_sq8 (the compressed one: one byte per
// dimension). Per query a mode picks the recall tier: exact (100%: brute force),
// balanced (~95%) and fast (~85%); the parameters per tier are in vector_index.cpp
// and held to those tiers by actors/search/ann/vector_index_test.cpp.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace cg {

enum class index_kind : uint8_t { flat, ivf_flat, hnsw, ivf_sq8 };
enum class search_mode : uint8_t { exact, balanced, fast };

std::string_view to_string(index_kind k);
std::string_view to_string(search_mode m);
std::optional<index_kind> parse_index_kind(std::string_view s);
std::optional<search_mode> parse_search_mode(std::string_view s);

// The kind used for a collection of n vectors when none is configured.
index_kind auto_index_kind(size_t n);

struct index_params {
  int hnsw_m = 32;
  // 160: at 80 (below the 64 links of layer 0 plus room to choose among them), 1M x 384
  // clustered needed ef 96 for recall@10 0.955; at 160 ef 48 gives 0.970, ~1.5x the
  // queries per second, for ~2x the build time.
  int hnsw_ef_construction = 160;
  size_t ivf_nlist = 0;  // 0: about 4 * sqrt(n) at build time
  bool calibrate = true;
  // HNSW: the walk reads a half-float copy of the vectors (2 bytes per dimension per
  // vector more in memory, ~1.2-1.4x the queries per second); off: it reads the floats.
  bool half_floats = true;
};

// What balanced and fast mean per kind. HNSW: efSearch; IVF: lists probed (a count when
// calibrated, else a share of the lists). build() calibrates them on the data itself
// (calibrate_tiers below), so that the tiers hold whatever the collection looks like.
struct search_tiers {
  int hnsw_ef_balanced = 32, hnsw_ef_fast = 16;
  double ivf_share_balanced = 1.0 / 12, ivf_share_fast = 1.0 / 40;
  size_t ivf_nprobe_balanced = 0, ivf_nprobe_fast = 0;  // 0: use the shares
  bool calibrated = false;
  double balanced_recall = 0, fast_recall = 0;  // measured by the calibration
};

class vector_index {
 public:
  ~vector_index();
  vector_index(vector_index&&) noexcept;
  vector_index& operator=(vector_index&&) noexcept;

  // Builds over n vectors labelled first_label .. first_label + n - 1, training when
  // the kind needs it (IVF: on up to 64 vectors per list).
  // Then calibrates the tiers when p.calibrate (and the kind is approximate).
  static result<vector_index> build(index_kind kind, size_t dim, const float* data, size_t n,
                                    const index_params& p = {}, int64_t first_label = 0);
  status add(const float* data, size_t n, int64_t first_label);

  // nq queries; k labels and scores each (label -1 when fewer were found).
  status search(const float* queries, size_t nq, size_t k, search_mode mode, float* scores, int64_t* labels) const;

  // Not thread-safe against concurrent searches (calibration and the benchmark's sweeps).
  void set_tiers(const search_tiers& t);
  const search_tiers& tiers() const;
  size_t lists() const;  // IVF: the number of inverted lists; 0 for other kinds

  index_kind kind() const;
  size_t dimension() const;
  size_t size() const;            // labels held, duplicates included
  size_t duplicates() const;      // HNSW: labels whose vector equals an earlier one (kept out of the graph)
  size_t trained_size() const;    // vectors present when it was built
  size_t memory_bytes() const;    // the serialised size (codes, graph links, ids), plus HNSW's half-float copy
  bool uses_fast_kernel() const;  // HNSW with the SIMD distance storage (fast_flat.hpp)
  // Benchmarks: HNSW searches take FAISS's own HNSW::search instead of our walk
  // (hnsw_walk.hpp), process-wide, so that one run can print both.
  static void compare_with_faiss_walk(bool on);
  // Benchmarks and tests: our walk over the float rows rather than their half-float
  // copy (hnsw_walk.hpp), process-wide.
  static void walk_half_floats(bool on);
  // Keep (or drop, and free) this index's half-float copy; index_params::half_floats
  // at build time, load()'s argument on load.
  void keep_half_floats(bool on);
  bool has_half_floats() const;

  status save(const std::string& path) const;
  static result<vector_index> load(const std::string& path, bool half_floats = true);

 private:
  status save_duplicates(const std::string& file) const;
  status load_duplicates(const std::string& file);
  struct impl;
  explicit vector_index(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace cg

namespace cg {
// Brute force over n row-major vectors: the k best by inner product among the rows
// keep() accepts (all when keep is empty). Labels are row numbers; -1 pads.
status exact_search(const float* base, size_t n, size_t dim, const float* queries, size_t nq, size_t k,
                    const std::function<bool(int64_t)>& keep, float* scores, int64_t* labels);
}  // namespace cg

namespace cg {
// Squared L2 distance by the best kernel this CPU runs: AVX-512, AVX2+FMA or scalar
// (HNSW's distances go through it; see fast_flat.hpp).
float l2_squared(const float* a, const float* b, size_t d);
const char* l2_kernel_name();  // "avx512", "avx2" or "scalar"
// Half-float rows (the HNSW walk's copy of the vectors): the CPU has F16C and AVX2 or
// AVX-512; then the squared L2 of a float query to a half row, and the conversion.
bool half_kernels();
float l2_squared_half(const float* a, const uint16_t* b, size_t d);
void to_half(const float* in, uint16_t* out, size_t n);

}  // namespace cg

namespace cg {
// The smallest efSearch (HNSW) or nprobe (IVF) whose recall@10 reaches ~0.95 (balanced)
// and ~0.85 (fast) on queries made near the indexed vectors (each a sampled vector moved
// by its distance to its nearest neighbour, in a random direction), against brute
// force over data (row i = label first_label + i). Deterministic.
search_tiers calibrate_tiers(vector_index& idx, const float* data, size_t n, int64_t first_label);
}  // namespace cg
