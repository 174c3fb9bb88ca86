#include "actors/vector/vector_index.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/io.h>
#include <faiss/utils/Heap.h>
#include <faiss/index_io.h>

#include "actors/vector/fast_flat.hpp"
#include "actors/vector/hnsw_walk.hpp"

namespace cg {
namespace {

using idx_t = faiss::Index::idx_t;


std::atomic<bool> faiss_walk{false};  // vector_index::compare_with_faiss_walk

// HNSW queries one by one on the calling thread (an OpenMP team only for batches). Our
// walk (hnsw_walk.hpp) over the graph and the flat storage's vectors; or FAISS's own
// search, for comparison, with a visited table kept per thread (IndexHNSW::search
// allocates and zeroes one of ntotal bytes per call: 1 MB per query at a million
// vectors), which reads efSearch from the index (the caller has set it).
void hnsw_search(const faiss::IndexHNSW& h, const float* queries, size_t nq, size_t k, int ef, float* distances,
                 idx_t* labels) {
  const auto total = static_cast<size_t>(h.ntotal);
  const auto n = static_cast<int64_t>(nq);
  auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(h.storage);
  const bool ours = flat && flat->metric_type == faiss::METRIC_L2 && !faiss_walk.load(std::memory_order_relaxed);
#pragma omp parallel if (nq > 1)
  {
    thread_local std::unique_ptr<faiss::VisitedTable> visited;
    std::unique_ptr<faiss::DistanceComputer> dis;
    if (!ours) {
      if (!visited || visited->visited.size() != total) visited = std::make_unique<faiss::VisitedTable>(static_cast<int>(total));
      dis.reset(h.storage->get_distance_computer());
    }
#pragma omp for schedule(dynamic, 4)
    for (int64_t q = 0; q < n; ++q) {
      float* d = distances + q * static_cast<int64_t>(k);
      idx_t* l = labels + q * static_cast<int64_t>(k);
      const float* x = queries + q * h.d;
      if (ours) {
        hnsw_walk(h.hnsw, reinterpret_cast<const float*>(flat->codes.data()), static_cast<size_t>(h.d), x, k, ef, d, l);
        continue;
      }
      faiss::maxheap_heapify(k, d, l);
      dis->set_query(x);
      h.hnsw.search(*dis, static_cast<int>(k), l, d, *visited);
      faiss::maxheap_reorder(k, d, l);
      visited->advance();
    }
  }
}

template <class F>
status guarded(F&& f, const char* what) {
  try {
    f();
    return {};
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string(what) + ": " + e.what());
  }
}

}  // namespace

std::string_view to_string(index_kind k) {
  switch (k) {
    case index_kind::flat: return "flat";
    case index_kind::ivf_flat: return "ivf_flat";
    case index_kind::hnsw: return "hnsw";
    case index_kind::ivf_sq8: return "ivf_sq8";
  }
  return "flat";
}
std::string_view to_string(search_mode m) {
  switch (m) {
    case search_mode::exact: return "exact";
    case search_mode::balanced: return "balanced";
    case search_mode::fast: return "fast";
  }
  return "balanced";
}
std::optional<index_kind> parse_index_kind(std::string_view s) {
  for (auto k : {index_kind::flat, index_kind::ivf_flat, index_kind::hnsw, index_kind::ivf_sq8})
    if (to_string(k) == s) return k;
  return std::nullopt;
}
std::optional<search_mode> parse_search_mode(std::string_view s) {
  for (auto m : {search_mode::exact, search_mode::balanced, search_mode::fast})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

index_kind auto_index_kind(size_t n) {
  // Brute force costs ~2 ms a query at 20K definitions: fine alone, the bottleneck of a
  // server answering many at once (one vector actor per project).
  if (n < 10'000) return index_kind::flat;
  if (n < 4'000'000) return index_kind::hnsw;
  return index_kind::ivf_sq8;                // beyond: memory matters more than the last points of recall
}

struct vector_index::impl {
  index_kind kind = index_kind::flat;
  size_t dim = 0;
  size_t trained = 0;
  std::unique_ptr<faiss::Index> index;  // IDMap around flat/HNSW; IVF carries ids itself
  // FAISS 1.7.3's IndexHNSW::search ignores SearchParametersHNSW and reads
  // hnsw.efSearch: searches share the lock, changing efSearch takes it alone.
  mutable std::shared_mutex ef_lock;
  search_tiers tiers;
  // The serialised size is measured by serialising (tens of MB for an HNSW graph):
  // kept until the index gains or loses vectors.
  mutable std::mutex size_mu;
  mutable int64_t sized_at = -1;
  mutable size_t size_bytes = 0;

  faiss::IndexIVF* ivf() const {
    return dynamic_cast<faiss::IndexIVF*>(index.get());
  }
  faiss::IndexHNSW* hnsw() const {
    auto* map = dynamic_cast<faiss::IndexIDMap*>(index.get());
    return map ? dynamic_cast<faiss::IndexHNSW*>(map->index) : nullptr;
  }
};

vector_index::vector_index(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
vector_index::~vector_index() = default;
vector_index::vector_index(vector_index&&) noexcept = default;
vector_index& vector_index::operator=(vector_index&&) noexcept = default;

result<vector_index> vector_index::build(index_kind kind, size_t dim, const float* data, size_t n,
                                         const index_params& p, int64_t first_label) {
  if (dim == 0) return make_error(errc::invalid_argument, "vector index: dimension 0");
  auto im = std::make_unique<impl>();
  im->kind = kind;
  im->dim = dim;
  im->trained = n;
  auto d = static_cast<int>(dim);
  auto st = guarded(
      [&] {
        switch (kind) {
          case index_kind::flat: {
            auto* map = new faiss::IndexIDMap(new faiss::IndexFlatIP(d));
            map->own_fields = true;
            im->index.reset(map);
            break;
          }
          case index_kind::hnsw: {
            // L2 on unit vectors ranks as inner product does, and HNSW's graph is
            // built far better under a true metric (recall 0.955 -> see the tests).
            auto* h = new faiss::IndexHNSWFlat(d, p.hnsw_m, faiss::METRIC_L2);
            h->hnsw.efConstruction = p.hnsw_ef_construction;
            adopt_fast_storage(*h);  // SIMD distances for the build and the searches
            auto* map = new faiss::IndexIDMap(h);
            map->own_fields = true;
            im->index.reset(map);
            break;
          }
          case index_kind::ivf_flat:
          case index_kind::ivf_sq8: {
            size_t nlist = p.ivf_nlist ? p.ivf_nlist
                                       : std::clamp<size_t>(static_cast<size_t>(4 * std::sqrt(double(n))), 1, 65536);
            nlist = std::max<size_t>(1, std::min(nlist, n / 8 ? n / 8 : 1));
            auto* q = new faiss::IndexFlatIP(d);
            faiss::IndexIVF* ivf;
            if (kind == index_kind::ivf_flat)
              ivf = new faiss::IndexIVFFlat(q, dim, nlist, faiss::METRIC_INNER_PRODUCT);
            else
              ivf = new faiss::IndexIVFScalarQuantizer(q, dim, nlist, faiss::ScalarQuantizer::QT_8bit,
                                                       faiss::METRIC_INNER_PRODUCT, false);
            ivf->own_fields = true;
            im->index.reset(ivf);
            size_t sample = std::min(n, nlist * 64);
            if (sample < nlist) throw std::runtime_error("too few vectors to train");
            // Evenly spaced rows, so that the sample covers the whole collection.
            std::vector<float> train(sample * dim);
            for (size_t i = 0; i < sample; ++i) {
              size_t row = i * n / sample;
              std::copy_n(data + row * dim, dim, train.data() + i * dim);
            }
            ivf->train(static_cast<idx_t>(sample), train.data());
            break;
          }
        }
      },
      "vector index build");
  if (!st.ok()) return st.err();
  vector_index vi(std::move(im));
  if (n)
    if (auto s = vi.add(data, n, first_label); !s.ok()) return s.err();
  if (p.calibrate && n) calibrate_tiers(vi, data, n, first_label);
  return vi;
}

status vector_index::add(const float* data, size_t n, int64_t first_label) {
  std::vector<idx_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = first_label + static_cast<idx_t>(i);
  return guarded([&] { impl_->index->add_with_ids(static_cast<idx_t>(n), data, ids.data()); }, "vector index add");
}

status vector_index::search(const float* queries, size_t nq, size_t k, search_mode mode, float* scores,
                            int64_t* labels) const {
  return guarded(
      [&] {
        if (auto* ivf = impl_->ivf()) {
          faiss::SearchParametersIVF sp;
          const auto& t = impl_->tiers;
          double share = mode == search_mode::exact ? 1.0 : mode == search_mode::balanced ? t.ivf_share_balanced : t.ivf_share_fast;
          size_t count = mode == search_mode::balanced ? t.ivf_nprobe_balanced : mode == search_mode::fast ? t.ivf_nprobe_fast : 0;
          if (count) {
            sp.nprobe = std::clamp<size_t>(count, 1, ivf->nlist);
          } else {
            sp.nprobe = std::clamp<size_t>(static_cast<size_t>(std::ceil(ivf->nlist * share)), 1, ivf->nlist);
            if (mode != search_mode::exact) sp.nprobe = std::max<size_t>(sp.nprobe, std::min<size_t>(ivf->nlist, 4));
          }
          ivf->search(static_cast<idx_t>(nq), queries, static_cast<idx_t>(k), scores, labels, &sp);
        } else {
          // Flat, or HNSW asked for exact: brute force over the stored (raw, unit) vectors
          // by BLAS, inner product = cosine; HNSW otherwise: squared L2 -> cosine.
          auto* map = static_cast<faiss::IndexIDMap*>(impl_->index.get());
          auto* h = impl_->hnsw();
          if (!h || mode == search_mode::exact) {
            auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(h ? h->storage : map->index);
            if (!flat) throw std::runtime_error("no flat storage");
            auto st = exact_search(reinterpret_cast<const float*>(flat->codes.data()), static_cast<size_t>(flat->ntotal),
                                   impl_->dim, queries, nq, k, {}, scores, labels);
            if (!st.ok()) throw std::runtime_error(st.err().message);
          } else {
            const auto& t = impl_->tiers;
            int ef = std::max<int>(mode == search_mode::balanced ? t.hnsw_ef_balanced : t.hnsw_ef_fast, static_cast<int>(k));
            std::shared_lock shared(impl_->ef_lock);
            if (faiss_walk.load(std::memory_order_relaxed) && h->hnsw.efSearch != ef) {
              shared.unlock();
              std::unique_lock alone(impl_->ef_lock);
              h->hnsw.efSearch = ef;
              hnsw_search(*h, queries, nq, k, ef, scores, labels);
            } else {
              hnsw_search(*h, queries, nq, k, ef, scores, labels);
            }
            for (size_t i = 0; i < nq * k; ++i) scores[i] = 1.0f - scores[i] / 2;  // squared L2 of unit vectors -> cosine
          }
          for (size_t i = 0; i < nq * k; ++i)
            if (labels[i] >= 0) labels[i] = map->id_map[static_cast<size_t>(labels[i])];
        }
      },
      "vector search");
}

void vector_index::compare_with_faiss_walk(bool on) { faiss_walk.store(on); }

bool vector_index::uses_fast_kernel() const {
  auto* h = impl_->hnsw();
  return h && dynamic_cast<const fast_flat_l2*>(h->storage) != nullptr;
}

void vector_index::set_tiers(const search_tiers& t) { impl_->tiers = t; }
const search_tiers& vector_index::tiers() const { return impl_->tiers; }
size_t vector_index::lists() const {
  auto* ivf = impl_->ivf();
  return ivf ? ivf->nlist : 0;
}

index_kind vector_index::kind() const { return impl_->kind; }
size_t vector_index::dimension() const { return impl_->dim; }
size_t vector_index::size() const { return static_cast<size_t>(impl_->index->ntotal); }
size_t vector_index::trained_size() const { return impl_->trained; }

size_t vector_index::memory_bytes() const {
  std::lock_guard lock(impl_->size_mu);
  if (impl_->sized_at == impl_->index->ntotal) return impl_->size_bytes;
  faiss::VectorIOWriter w;
  try {
    std::shared_lock ef(impl_->ef_lock);
    faiss::write_index(impl_->index.get(), &w);
  } catch (const std::exception&) {
    return 0;
  }
  impl_->sized_at = impl_->index->ntotal;
  impl_->size_bytes = w.data.size();
  return impl_->size_bytes;
}

status vector_index::save(const std::string& path) const {
  auto st = guarded([&] { faiss::write_index(impl_->index.get(), path.c_str()); }, "vector index save");
  if (!st.ok()) return st;
  // The calibrated tiers beside the index (FAISS's file has no room for them).
  const auto& t = impl_->tiers;
  std::FILE* f = std::fopen((path + ".tiers").c_str(), "w");
  if (!f) return make_error(errc::io_error, "vector index save: cannot write " + path + ".tiers");
  std::fprintf(f, "cg-tiers 1 %d %d %zu %zu %d %.4f %.4f\n", t.hnsw_ef_balanced, t.hnsw_ef_fast, t.ivf_nprobe_balanced,
               t.ivf_nprobe_fast, t.calibrated ? 1 : 0, t.balanced_recall, t.fast_recall);
  if (std::fclose(f) != 0) return make_error(errc::io_error, "vector index save: cannot write " + path + ".tiers");
  return {};
}

result<vector_index> vector_index::load(const std::string& path) {
  auto im = std::make_unique<impl>();
  auto st = guarded([&] { im->index.reset(faiss::read_index(path.c_str())); }, "vector index load");
  if (!st.ok()) return st.err();
  im->dim = static_cast<size_t>(im->index->d);
  im->trained = static_cast<size_t>(im->index->ntotal);
  if (std::FILE* f = std::fopen((path + ".tiers").c_str(), "r")) {  // absent: the default tiers
    search_tiers t;
    int cal = 0;
    if (std::fscanf(f, "cg-tiers 1 %d %d %zu %zu %d %lf %lf", &t.hnsw_ef_balanced, &t.hnsw_ef_fast, &t.ivf_nprobe_balanced,
                    &t.ivf_nprobe_fast, &cal, &t.balanced_recall, &t.fast_recall) == 7 &&
        t.hnsw_ef_balanced > 0 && t.hnsw_ef_fast > 0) {
      t.calibrated = cal == 1;
      im->tiers = t;
    }
    std::fclose(f);
  }
  if (dynamic_cast<faiss::IndexIVFScalarQuantizer*>(im->index.get())) im->kind = index_kind::ivf_sq8;
  else if (dynamic_cast<faiss::IndexIVFFlat*>(im->index.get())) im->kind = index_kind::ivf_flat;
  else if (auto* h = im->hnsw()) {
    im->kind = index_kind::hnsw;
    adopt_fast_storage(*h);
  }
  else im->kind = index_kind::flat;
  return vector_index(std::move(im));
}

}  // namespace cg

// The BLAS that FAISS links (OpenBLAS when libopenblas0-pthread is installed).
extern "C" int sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                      const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                      const float* beta, float* c, const int* ldc);
extern "C" int sgemv_(const char* trans, const int* m, const int* n, const float* alpha, const float* a, const int* lda,
                      const float* x, const int* incx, const float* beta, float* y, const int* incy);

namespace cg {

// Inner products by BLAS in blocks of base rows, then a bounded heap per query.
// (FAISS 1.7.3's knn_inner_product takes a scalar loop below 20 queries in Debian's
// generic build: measured ~10x slower for one query over 19K x 384.)
status exact_search(const float* base, size_t n, size_t dim, const float* queries, size_t nq, size_t k,
                    const std::function<bool(int64_t)>& keep, float* scores, int64_t* labels) {
  std::fill_n(labels, nq * k, int64_t{-1});
  std::fill_n(scores, nq * k, -std::numeric_limits<float>::infinity());
  if (n == 0 || k == 0 || nq == 0) return {};
  return guarded(
      [&] {
        constexpr size_t block = 16384;
        std::vector<float> ip(std::min(n, block) * nq);
        using entry = std::pair<float, int64_t>;  // min-heap on score
        auto worse = [](const entry& a, const entry& b) { return a.first > b.first; };
        std::vector<std::vector<entry>> heaps(nq);
        for (auto& h : heaps) h.reserve(k + 1);
        const float one = 1, zero = 0;
        const int d = static_cast<int>(dim), nqi = static_cast<int>(nq);
        for (size_t start = 0; start < n; start += block) {
          const int rows = static_cast<int>(std::min(block, n - start));
          // ip[q * rows + j] = <queries[q], base[start + j]>. A few queries: one matrix-
          // vector product each (gemm would first copy the whole block).
          if (nq < 8) {
            const int inc = 1;
            for (size_t q = 0; q < nq; ++q)
              sgemv_("T", &d, &rows, &one, base + start * dim, &d, queries + q * dim, &inc, &zero,
                     ip.data() + q * static_cast<size_t>(rows), &inc);
          } else {
            sgemm_("T", "N", &rows, &nqi, &d, &one, base + start * dim, &d, queries, &d, &zero, ip.data(), &rows);
          }
          for (size_t q = 0; q < nq; ++q) {
            auto& h = heaps[q];
            const float* row = ip.data() + q * static_cast<size_t>(rows);
            for (int j = 0; j < rows; ++j) {
              float sc = row[j];
              if (h.size() == k && sc <= h.front().first) continue;
              auto label = static_cast<int64_t>(start) + j;
              if (keep && !keep(label)) continue;
              h.emplace_back(sc, label);
              std::push_heap(h.begin(), h.end(), worse);
              if (h.size() > k) {
                std::pop_heap(h.begin(), h.end(), worse);
                h.pop_back();
              }
            }
          }
        }
        for (size_t q = 0; q < nq; ++q) {
          auto& h = heaps[q];
          std::sort_heap(h.begin(), h.end(), worse);  // best first
          for (size_t i = 0; i < h.size(); ++i) {
            scores[q * k + i] = h[i].first;
            labels[q * k + i] = h[i].second;
          }
        }
      },
      "exact vector search");
}

}  // namespace cg
