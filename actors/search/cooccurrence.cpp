#include "actors/search/cooccurrence.hpp"

#include "actors/search/parallel.hpp"
#include "actors/search/saved_bytes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace cg {
namespace {

constexpr uint32_t model_magic = 0x43'4f'4f'01;  // "COO", format 1

using saved::put_str;
using saved::reader;
void put_u32(std::string& out, uint32_t v) { saved::put<uint32_t>(out, v); }

// Pair counts: millions of increments per learn, so an open-addressing table (linear
// probing, keys never 0: a pair's ids differ) instead of std::unordered_map, whose
// node per entry cost most of the learn. A key and its count share a slot: one cache
// miss per increment in a table of tens of megabytes, not two.
class pair_counter {
 public:
  void add(uint64_t key) {
    if ((used_ + 1) * 2 > cap_) grow();
    size_t i = slot(key);
    while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & (cap_ - 1);
    if (slots_[i].key == 0) {
      slots_[i].key = key;
      ++used_;
    }
    ++slots_[i].count;
  }
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < cap_; ++i)
      if (slots_[i].key != 0) f(slots_[i].key, slots_[i].count);
  }

 private:
  // 12 bytes, not 16: a quarter less memory to fault in and to miss in.
#pragma pack(push, 4)
  struct entry {
    uint64_t key;
    uint32_t count;
  };
#pragma pack(pop)
  static_assert(sizeof(entry) == 12);
  struct release {
    void operator()(entry* p) const { std::free(p); }
  };
  size_t slot(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ull >> 20) & (cap_ - 1); }
  void grow() {
    size_t cap = std::max<size_t>(1 << 16, cap_ * 2);
    // Zeroed by calloc: pages fresh from the system are not written twice.
    std::unique_ptr<entry[], release> fresh(static_cast<entry*>(std::calloc(cap, sizeof(entry))));
    if (!fresh) throw std::bad_alloc();
    for (size_t j = 0; j < cap_; ++j) {
      const auto& e = slots_[j];
      if (e.key == 0) continue;
      size_t i = (e.key * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
      while (fresh[i].key != 0) i = (i + 1) & (cap - 1);
      fresh[i] = e;
    }
    slots_ = std::move(fresh);
    cap_ = cap;
  }
  std::unique_ptr<entry[], release> slots_;
  size_t cap_ = 0;
  size_t used_ = 0;
};

}  // namespace

// Pair keys go to counter `key_shard(key) % shards`, so the shards count disjoint
// pairs and need no merge.
static size_t key_shard(uint64_t key) { return static_cast<size_t>((key * 0xD6E8FEB86659FD93ull) >> 59); }

cooccurrence_model cooccurrence_model::learn(const std::vector<const term_bag*>& bags, const cooccurrence_params& p) {
  cooccurrence_model m;
  std::unordered_map<std::string_view, uint32_t> ids;  // views into the bags, which outlive the learn
  std::vector<std::string_view> names;
  std::vector<uint32_t> df;
  // 1. Term ids and document frequencies; each document's heaviest terms, flat.
  std::vector<uint32_t> tops;
  std::vector<size_t> top_end;
  size_t step = std::max<size_t>(1, (bags.size() + p.max_docs - 1) / std::max<size_t>(1, p.max_docs));
  std::vector<std::pair<float, uint32_t>> top;
  for (size_t i = 0; i < bags.size(); i += step) {
    const auto& bag = *bags[i];
    top.clear();
    for (const auto& tw : bag) {
      auto [it, fresh] = ids.try_emplace(tw.term, static_cast<uint32_t>(names.size()));
      if (fresh) {
        names.push_back(tw.term);
        df.push_back(0);
      }
      ++df[it->second];
      top.emplace_back(-tw.weight, it->second);
    }
    ++m.docs_;
    if (top.size() > p.max_terms_per_doc) {
      std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(p.max_terms_per_doc), top.end());
      top.resize(p.max_terms_per_doc);
    }
    for (const auto& t : top) tops.push_back(t.second);
    top_end.push_back(tops.size());
  }
  // 2. Pair counts, sharded over the cores (the bulk of a learn).
  const size_t shards = parallel_parts(tops.size(), 20000);
  std::vector<pair_counter> counters(shards);
  auto count_shard = [&](size_t shard) {
    auto& pairs = counters[shard];
    size_t begin = 0;
    for (size_t end : top_end) {
      for (size_t a = begin; a < end; ++a)
        for (size_t b = a + 1; b < end; ++b) {
          auto x = std::min(tops[a], tops[b]), y = std::max(tops[a], tops[b]);
          if (x == y) continue;
          uint64_t key = (uint64_t{x} << 32) | y;
          if (key_shard(key) % shards == shard) pairs.add(key);
        }
      begin = end;
    }
  };
  parallel_ranges(shards, shards, [&](size_t shard, size_t, size_t) { count_shard(shard); });
  for (uint32_t id = 0; id < names.size(); ++id) m.df_.emplace(std::string(names[id]), df[id]);

  // PPMI over the sampled documents; the strongest few per term.
  std::vector<std::vector<std::pair<float, uint32_t>>> cand(names.size());
  const double docs = static_cast<double>(m.docs_);
  for (const auto& pairs : counters)
    pairs.for_each([&](uint64_t key, uint32_t count) {
      if (count < p.min_count) return;
      auto x = static_cast<uint32_t>(key >> 32), y = static_cast<uint32_t>(key & 0xffffffffu);
      double pmi = std::log(count * docs / (static_cast<double>(df[x]) * df[y]));
      if (pmi < p.min_pmi) return;
      auto score = static_cast<float>(pmi * std::log1p(count));
      cand[x].emplace_back(score, y);
      cand[y].emplace_back(score, x);
    });
  for (uint32_t id = 0; id < names.size(); ++id) {
    auto& c = cand[id];
    if (c.empty()) continue;
    std::sort(c.begin(), c.end(), [&](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : names[a.second] < names[b.second];
    });
    if (c.size() > p.neighbours) c.resize(p.neighbours);
    auto& out = m.nb_[std::string(names[id])];
    for (const auto& [score, other] : c) out.push_back({std::string(names[other]), score / c.front().first});
  }
  return m;
}

float cooccurrence_model::idf(std::string_view term) const {
  if (docs_ == 0) return 1.0f;
  auto it = df_.find(term);
  double df = it == df_.end() ? 0.5 : it->second;
  return static_cast<float>(std::log(1.0 + docs_ / df));
}

const std::vector<cooccurrence_model::neighbour>* cooccurrence_model::neighbours(std::string_view term) const {
  auto it = nb_.find(term);
  return it == nb_.end() ? nullptr : &it->second;
}

std::string cooccurrence_model::save() const {
  std::string out;
  put_u32(out, model_magic);
  put_u32(out, static_cast<uint32_t>(docs_));
  // Sorted, so that the same model always saves to the same bytes.
  std::vector<std::pair<std::string_view, uint32_t>> dfs(df_.begin(), df_.end());
  std::sort(dfs.begin(), dfs.end());
  put_u32(out, static_cast<uint32_t>(dfs.size()));
  for (const auto& [t, d] : dfs) {
    put_str(out, t);
    put_u32(out, d);
  }
  std::vector<std::string_view> keys;
  for (const auto& [t, n] : nb_) keys.push_back(t);
  std::sort(keys.begin(), keys.end());
  put_u32(out, static_cast<uint32_t>(keys.size()));
  for (auto t : keys) {
    const auto& list = nb_.find(t)->second;
    put_str(out, t);
    put_u32(out, static_cast<uint32_t>(list.size()));
    for (const auto& n : list) {
      put_str(out, n.term);
      out.append(reinterpret_cast<const char*>(&n.weight), 4);
    }
  }
  return out;
}

result<cooccurrence_model> cooccurrence_model::load(std::string_view bytes) {
  reader r{bytes};
  if (r.get<uint32_t>() != model_magic || !r.ok)
    return make_error(errc::corrupt, "co-occurrence model: not a format-1 file");
  cooccurrence_model m;
  m.docs_ = r.get<uint32_t>();
  auto n = r.get<uint32_t>();
  for (uint32_t i = 0; i < n && r.ok; ++i) {
    auto t = r.str();
    auto d = r.get<uint32_t>();
    m.df_.emplace(std::move(t), d);
  }
  auto k = r.get<uint32_t>();
  for (uint32_t i = 0; i < k && r.ok; ++i) {
    auto t = r.str();
    auto cnt = r.get<uint32_t>();
    std::vector<neighbour> list;
    for (uint32_t j = 0; j < cnt && r.ok; ++j) {
      auto other = r.str();
      auto w = r.get<float>();
      list.push_back({std::move(other), w});
    }
    m.nb_.emplace(std::move(t), std::move(list));
  }
  if (!r.ok) return make_error(errc::corrupt, "co-occurrence model: truncated");
  return m;
}

}  // namespace cg
