#include "actors/search/ann/vector_index.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/utils/Heap.h>

#include "actors/search/ann/fast_flat.hpp"
#include "actors/search/ann/hnsw_walk.hpp"
#include "schema/hash.hpp"
#include "storage/file_io.hpp"

namespace cg {
namespace {

using idx_t = faiss::Index::idx_t;

std::atomic<bool> faiss_walk{false};  // vector_index::compare_with_faiss_walk
std::atomic<bool> half_walk{true};    // vector_index::walk_half_floats

// HNSW queries one by one on the calling thread (an OpenMP team only for batches). Our
// walk (hnsw_walk.hpp) over the graph and the flat storage's vectors; or FAISS's own
// search, for comparison, with a visited table kept per thread (IndexHNSW::search
// allocates and zeroes one of ntotal bytes per call: 1 MB per query at a million
// vectors), which reads efSearch from the index (the caller has set it).
void hnsw_search(const faiss::IndexHNSW& h, const float* queries, size_t nq, size_t k, int ef, float* distances,
                 idx_t* labels, const uint16_t* half) {
  const auto total = static_cast<size_t>(h.ntotal);
  const auto n = static_cast<int64_t>(nq);
  auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(h.storage);
  const bool ours = flat && flat->metric_type == faiss::METRIC_L2 && !faiss_walk.load(std::memory_order_relaxed);
#pragma omp parallel if (nq > 1)
  {
    thread_local std::unique_ptr<faiss::VisitedTable> visited;
    std::unique_ptr<faiss::DistanceComputer> dis;
    if (!ours) {
      if (!visited || visited->visited.size() != total)
        visited = std::make_unique<faiss::VisitedTable>(static_cast<int>(total));
      dis.reset(h.storage->get_distance_computer());
    }
#pragma omp for schedule(dynamic, 4)
    for (int64_t q = 0; q < n; ++q) {
      float* d = distances + q * static_cast<int64_t>(k);
      idx_t* l = labels + q * static_cast<int64_t>(k);
      const float* x = queries + q * h.d;
      if (ours) {
        hnsw_walk(h.hnsw, reinterpret_cast<const float*>(flat->codes.data()), static_cast<size_t>(h.d), x, k, ef, d, l,
                  half);
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

// FAISS's writer onto a file written in bounded pieces (its own FileIOWriter hands
// the whole vector storage to one fwrite, hence one write(2) of tens of megabytes).
struct file_pieces final : faiss::IOWriter {
  explicit file_pieces(piece_writer& out) : out_(out) { name = "file"; }
  size_t operator()(const void* ptr, size_t size, size_t nitems) override {
    return out_.write(ptr, size * nitems) ? nitems : 0;
  }
  piece_writer& out_;
};

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
  return index_kind::ivf_sq8;  // beyond: memory matters more than the last points of recall
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
  // HNSW: exact duplicates stay out of the graph. A vector equal to one already in it
  // is listed under that one's graph position (first_of: content hash -> position;
  // dups: position -> the other labels), and searches hand out those labels with the
  // same score after it. Real code gives many definitions the same vector (getters,
  // empty constructors, overloads: a third of 900K real definitions); in the graph
  // such a clique is a dead end for the walk, and its members' links crowd out others.
  std::unordered_map<uint64_t, idx_t> first_of;
  std::unordered_map<idx_t, std::vector<int64_t>> dups;
  size_t dup_count = 0;
  // HNSW: the stored vectors again as half floats, which the walk reads (hnsw_walk.hpp);
  // derived from the storage after every add and on load, never saved.
  std::vector<uint16_t> half;
  bool keep_half = true;

  faiss::IndexIVF* ivf() const { return dynamic_cast<faiss::IndexIVF*>(index.get()); }
  faiss::IndexHNSW* hnsw() const {
    auto* map = dynamic_cast<faiss::IndexIDMap*>(index.get());
    return map ? dynamic_cast<faiss::IndexHNSW*>(map->index) : nullptr;
  }
  const float* stored(idx_t pos) const {
    auto* flat = dynamic_cast<const faiss::IndexFlatCodes*>(hnsw()->storage);
    return reinterpret_cast<const float*>(flat->codes.data()) + static_cast<size_t>(pos) * dim;
  }
  static uint64_t content_hash(const float* v, size_t dim) {
    return hash64(std::string_view(reinterpret_cast<const char*>(v), dim * sizeof(float)));
  }
  void mirror_half() {
    auto* h = hnsw();
    if (!h || !half_kernels() || !keep_half) return;
    const size_t have = half.size() / dim, total = static_cast<size_t>(h->ntotal);
    if (total <= have) return;
    half.resize(total * dim);
    to_half(stored(static_cast<idx_t>(have)), half.data() + have * dim, (total - have) * dim);
  }
  const uint16_t* walk_rows() const {
    return !half.empty() && half_walk.load(std::memory_order_relaxed) ? half.data() : nullptr;
  }
  // The graph positions of the stored vectors, by content (after a load).
  void index_contents() {
    first_of.clear();
    auto* h = hnsw();
    for (idx_t i = 0; h && i < h->ntotal; ++i) first_of.try_emplace(content_hash(stored(i), dim), i);
  }
  // Rows k per query, graph positions in: labels out, each position followed by the
  // labels of its duplicates (same score), cut at k.
  void expand(size_t nq, size_t k, float* scores, int64_t* labels) const {
    const auto& id_map = static_cast<const faiss::IndexIDMap*>(index.get())->id_map;
    std::vector<float> s(k);
    std::vector<int64_t> l(k);
    for (size_t q = 0; q < nq; ++q) {
      float* sq = scores + q * k;
      int64_t* lq = labels + q * k;
      size_t out = 0;
      for (size_t i = 0; i < k && out < k && lq[i] >= 0; ++i) {
        s[out] = sq[i];
        l[out++] = id_map[static_cast<size_t>(lq[i])];
        if (dups.empty()) continue;
        auto it = dups.find(lq[i]);
        if (it == dups.end()) continue;
        for (size_t j = 0; j < it->second.size() && out < k; ++j) {
          s[out] = sq[i];
          l[out++] = it->second[j];
        }
      }
      for (size_t i = 0; i < k; ++i) {
        sq[i] = i < out ? s[i] : -std::numeric_limits<float>::infinity();
        lq[i] = i < out ? l[i] : -1;
      }
    }
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
  im->keep_half = p.half_floats;
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
            size_t nlist =
                p.ivf_nlist ? p.ivf_nlist : std::clamp<size_t>(static_cast<size_t>(4 * std::sqrt(double(n))), 1, 65536);
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
  auto& im = *impl_;
  if (!im.hnsw()) {
    std::vector<idx_t> ids(n);
    for (size_t i = 0; i < n; ++i) ids[i] = first_label + static_cast<idx_t>(i);
    return guarded([&] { im.index->add_with_ids(static_cast<idx_t>(n), data, ids.data()); }, "vector index add");
  }
  struct mirror_after {
    impl& im;
    ~mirror_after() { im.mirror_half(); }
  } mirror{im};
  // HNSW: the distinct vectors go into the graph (in one call: FAISS builds in
  // parallel), the duplicates under their first copy.
  std::vector<float> fresh;
  std::vector<idx_t> ids;
  std::vector<std::pair<size_t, int64_t>> later;  // (row of the first copy in this batch, label)
  std::unordered_map<uint64_t, size_t> batch_first;
  const idx_t base = im.index->ntotal;
  for (size_t i = 0; i < n; ++i) {
    const float* v = data + i * im.dim;
    const int64_t label = first_label + static_cast<int64_t>(i);
    const uint64_t h = impl::content_hash(v, im.dim);
    if (auto it = im.first_of.find(h); it != im.first_of.end()) {
      if (std::memcmp(im.stored(it->second), v, im.dim * sizeof(float)) == 0) {
        im.dups[it->second].push_back(label);
        ++im.dup_count;
        continue;
      }
    } else if (auto b = batch_first.find(h); b != batch_first.end()) {
      if (std::memcmp(fresh.data() + b->second * im.dim, v, im.dim * sizeof(float)) == 0) {
        later.emplace_back(b->second, label);
        continue;
      }
    } else {
      batch_first.emplace(h, ids.size());
    }
    fresh.insert(fresh.end(), v, v + im.dim);
    ids.push_back(label);
  }
  auto st = guarded([&] { im.index->add_with_ids(static_cast<idx_t>(ids.size()), fresh.data(), ids.data()); },
                    "vector index add");
  if (!st.ok()) return st;
  for (const auto& [h, row] : batch_first) im.first_of.try_emplace(h, base + static_cast<idx_t>(row));
  for (const auto& [row, label] : later) im.dups[base + static_cast<idx_t>(row)].push_back(label);
  im.dup_count += later.size();
  return {};
}

status vector_index::search(const float* queries, size_t nq, size_t k, search_mode mode, float* scores,
                            int64_t* labels) const {
  return guarded(
      [&] {
        if (auto* ivf = impl_->ivf()) {
          faiss::SearchParametersIVF sp;
          const auto& t = impl_->tiers;
          double share = mode == search_mode::exact      ? 1.0
                         : mode == search_mode::balanced ? t.ivf_share_balanced
                                                         : t.ivf_share_fast;
          size_t count = mode == search_mode::balanced ? t.ivf_nprobe_balanced
                         : mode == search_mode::fast   ? t.ivf_nprobe_fast
                                                       : 0;
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
            auto st = exact_search(reinterpret_cast<const float*>(flat->codes.data()),
                                   static_cast<size_t>(flat->ntotal), impl_->dim, queries, nq, k, {}, scores, labels);
            if (!st.ok()) throw std::runtime_error(st.err().message);
          } else {
            const auto& t = impl_->tiers;
            int ef =
                std::max<int>(mode == search_mode::balanced ? t.hnsw_ef_balanced : t.hnsw_ef_fast, static_cast<int>(k));
            std::shared_lock shared(impl_->ef_lock);
            if (faiss_walk.load(std::memory_order_relaxed) && h->hnsw.efSearch != ef) {
              shared.unlock();
              std::unique_lock alone(impl_->ef_lock);
              h->hnsw.efSearch = ef;
              hnsw_search(*h, queries, nq, k, ef, scores, labels, nullptr);
            } else {
              hnsw_search(*h, queries, nq, k, ef, scores, labels, impl_->walk_rows());
            }
            for (size_t i = 0; i < nq * k; ++i)
              scores[i] = 1.0f - scores[i] / 2;  // squared L2 of unit vectors -> cosine
          }
          if (h) {
            impl_->expand(nq, k, scores, labels);
          } else {
            for (size_t i = 0; i < nq * k; ++i)
              if (labels[i] >= 0) labels[i] = map->id_map[static_cast<size_t>(labels[i])];
          }
        }
      },
      "vector search");
}

void vector_index::compare_with_faiss_walk(bool on) { faiss_walk.store(on); }
void vector_index::walk_half_floats(bool on) { half_walk.store(on); }

void vector_index::keep_half_floats(bool on) {
  impl_->keep_half = on;
  if (on) {
    impl_->mirror_half();
  } else {
    std::vector<uint16_t>().swap(impl_->half);
  }
  impl_->sized_at = -1;  // memory_bytes() counts the copy
}

bool vector_index::has_half_floats() const { return !impl_->half.empty(); }

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
size_t vector_index::size() const { return static_cast<size_t>(impl_->index->ntotal) + impl_->dup_count; }
size_t vector_index::duplicates() const { return impl_->dup_count; }
size_t vector_index::trained_size() const { return impl_->trained; }

size_t vector_index::memory_bytes() const {
  std::lock_guard lock(impl_->size_mu);
  if (impl_->sized_at == static_cast<int64_t>(size())) return impl_->size_bytes;
  faiss::VectorIOWriter w;
  try {
    std::shared_lock ef(impl_->ef_lock);
    faiss::write_index(impl_->index.get(), &w);
  } catch (const std::exception&) {
    return 0;
  }
  impl_->sized_at = static_cast<int64_t>(size());
  // The duplicates' labels as saved: a position and a count per group, a label each.
  // And the half-float copy the walk reads (in memory only).
  impl_->size_bytes = w.data.size() + impl_->dups.size() * 16 + impl_->dup_count * 8 + impl_->half.size() * 2;
  return impl_->size_bytes;
}

status vector_index::save(const std::string& path) const {
  auto st = guarded(
      [&] {
        std::shared_lock ef(impl_->ef_lock);  // FAISS's own search (benchmarks) sets efSearch under it
        piece_writer out(path);
        file_pieces w(out);
        faiss::write_index(impl_->index.get(), &w);
        if (auto s = out.close(); !s.ok()) throw std::runtime_error(s.err().message);
      },
      "vector index save");
  if (!st.ok()) return st;
  // The calibrated tiers beside the index (FAISS's file has no room for them).
  const auto& t = impl_->tiers;
  std::FILE* f = std::fopen((path + ".tiers").c_str(), "w");
  if (!f) return make_error(errc::io_error, "vector index save: cannot write " + path + ".tiers");
  std::fprintf(f, "cg-tiers 1 %d %d %zu %zu %d %.4f %.4f\n", t.hnsw_ef_balanced, t.hnsw_ef_fast, t.ivf_nprobe_balanced,
               t.ivf_nprobe_fast, t.calibrated ? 1 : 0, t.balanced_recall, t.fast_recall);
  if (std::fclose(f) != 0) return make_error(errc::io_error, "vector index save: cannot write " + path + ".tiers");
  return save_duplicates(path + ".dups");
}

// The duplicate lists beside the index: "cg-dups1", the group count, then per group
// its graph position, its label count and the labels (little-endian 64-bit words).
status vector_index::save_duplicates(const std::string& file) const {
  if (impl_->dups.empty()) {
    std::remove(file.c_str());
    return {};
  }
  std::vector<int64_t> words;
  words.reserve(1 + impl_->dups.size() * 2 + impl_->dup_count);
  words.push_back(static_cast<int64_t>(impl_->dups.size()));
  for (const auto& [pos, labels] : impl_->dups) {
    words.push_back(pos);
    words.push_back(static_cast<int64_t>(labels.size()));
    words.insert(words.end(), labels.begin(), labels.end());
  }
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (!f) return make_error(errc::io_error, "vector index save: cannot write " + file);
  bool ok = std::fwrite("cg-dups1", 1, 8, f) == 8 &&
            std::fwrite(words.data(), sizeof(int64_t), words.size(), f) == words.size();
  if (std::fclose(f) != 0 || !ok) return make_error(errc::io_error, "vector index save: cannot write " + file);
  return {};
}

status vector_index::load_duplicates(const std::string& file) {
  auto& im = *impl_;
  im.dups.clear();
  im.dup_count = 0;
  if (im.hnsw()) im.index_contents();
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return {};  // none (or an index saved before duplicates were kept apart)
  std::vector<int64_t> words;
  char magic[8] = {};
  bool ok = std::fread(magic, 1, 8, f) == 8 && std::memcmp(magic, "cg-dups1", 8) == 0;
  if (ok) {
    int64_t buf[4096];
    for (size_t got; (got = std::fread(buf, sizeof(int64_t), 4096, f)) > 0;) words.insert(words.end(), buf, buf + got);
  }
  std::fclose(f);
  const int64_t total = im.index->ntotal;
  size_t at = 1;
  ok = ok && !words.empty() && im.hnsw();
  for (int64_t g = 0; ok && g < words[0]; ++g) {
    if (at + 2 > words.size()) {
      ok = false;
      break;
    }
    int64_t pos = words[at], count = words[at + 1];
    at += 2;
    if (pos < 0 || pos >= total || count < 0 || at + static_cast<size_t>(count) > words.size()) {
      ok = false;
      break;
    }
    auto& list = im.dups[pos];
    list.insert(list.end(), words.begin() + static_cast<std::ptrdiff_t>(at),
                words.begin() + static_cast<std::ptrdiff_t>(at + count));
    im.dup_count += static_cast<size_t>(count);
    at += static_cast<size_t>(count);
  }
  if (!ok || at != words.size()) {
    im.dups.clear();
    im.dup_count = 0;
    return make_error(errc::invalid_argument, "vector index load: " + file + " is damaged");
  }
  return {};
}

result<vector_index> vector_index::load(const std::string& path, bool half_floats) {
  auto im = std::make_unique<impl>();
  im->keep_half = half_floats;
  auto st = guarded([&] { im->index.reset(faiss::read_index(path.c_str())); }, "vector index load");
  if (!st.ok()) return st.err();
  im->dim = static_cast<size_t>(im->index->d);
  im->trained = static_cast<size_t>(im->index->ntotal);
  if (std::FILE* f = std::fopen((path + ".tiers").c_str(), "r")) {  // absent: the default tiers
    search_tiers t;
    int cal = 0;
    if (std::fscanf(f, "cg-tiers 1 %d %d %zu %zu %d %lf %lf", &t.hnsw_ef_balanced, &t.hnsw_ef_fast,
                    &t.ivf_nprobe_balanced, &t.ivf_nprobe_fast, &cal, &t.balanced_recall, &t.fast_recall) == 7 &&
        t.hnsw_ef_balanced > 0 && t.hnsw_ef_fast > 0) {
      t.calibrated = cal == 1;
      im->tiers = t;
    }
    std::fclose(f);
  }
  if (dynamic_cast<faiss::IndexIVFScalarQuantizer*>(im->index.get()))
    im->kind = index_kind::ivf_sq8;
  else if (dynamic_cast<faiss::IndexIVFFlat*>(im->index.get()))
    im->kind = index_kind::ivf_flat;
  else if (auto* h = im->hnsw()) {
    im->kind = index_kind::hnsw;
    adopt_fast_storage(*h);
  } else
    im->kind = index_kind::flat;
  vector_index vi(std::move(im));
  if (auto s = vi.load_duplicates(path + ".dups"); !s.ok()) return s.err();
  vi.impl_->mirror_half();
  vi.impl_->trained = vi.size();
  return vi;
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
