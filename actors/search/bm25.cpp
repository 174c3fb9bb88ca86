#include "actors/search/bm25.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cg {
namespace {

// Edit distance counting a swap of two neighbouring letters as one edit (optimal
// string alignment), giving up above `limit`.
// Optimal string alignment distance (adjacent transpositions count one), or limit + 1
// once every alignment is over the limit. Three rolling rows, kept per thread.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > b.size() + limit || b.size() > a.size() + limit) return limit + 1;
  const size_t w = b.size() + 1;
  thread_local std::vector<size_t> rows;
  if (rows.size() < 3 * w) rows.resize(3 * w);
  size_t* two = rows.data();  // row i - 2
  size_t* prev = two + w;     // row i - 1
  size_t* cur = prev + w;     // row i
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, two[j - 2] + 1);
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit) return limit + 1;
    std::swap(two, prev);  // the old i - 2 row becomes the next i's scratch
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Which characters a term uses, one bit each (letters, digits, the rest hashed). One
// edit changes at most two bits (a substitution drops one and adds one; a transposition
// none), so terms whose masks differ in more than 2 * limit bits are over the limit:
// a popcount rules out most of the vocabulary before the distance is computed.
uint64_t char_mask(std::string_view t) {
  uint64_t m = 0;
  for (char ch : t) {
    auto c = static_cast<unsigned char>(ch);
    unsigned bit = c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 + (c - '0') : 36 + c % 28;
    m |= uint64_t{1} << bit;
  }
  return m;
}

// A POPCNT clone chosen at load time by an ifunc resolver. Not under ThreadSanitizer:
// the resolver runs before its runtime is up and crashes the process at start.
#if defined(__SANITIZE_THREAD__)
#define CG_POPCNT_CLONES
#else
#define CG_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#endif

// The positions i whose mask differs from mask in at most max_bits bits, into out.
// Cloned for CPUs with POPCNT (Debian builds for baseline x86-64, where
// __builtin_popcountll is a library call).
CG_POPCNT_CLONES size_t close_masks(uint64_t mask, const uint64_t* masks, size_t n, int max_bits, uint32_t* out) {
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    out[m] = static_cast<uint32_t>(i);
    m += __builtin_popcountll(mask ^ masks[i]) <= max_bits;
  }
  return m;
}

uint32_t head_of(std::string_view t) {  // the first three bytes
  return static_cast<uint32_t>(static_cast<unsigned char>(t[0])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(t[1])) << 8 | static_cast<unsigned char>(t[2]);
}

}  // namespace

uint32_t bm25_index::term_id(const std::string& t) {
  auto [it, fresh] = ids_.try_emplace(t, static_cast<uint32_t>(terms_.size()));
  if (fresh) {
    terms_.push_back(t);
    postings_.emplace_back();
    if (by_length_.size() <= t.size()) {
      by_length_.resize(t.size() + 1);
      length_masks_.resize(t.size() + 1);
    }
    by_length_[t.size()].push_back(it->second);
    length_masks_[t.size()].push_back(char_mask(t));
    if (t.size() >= 3) {
      // Kept shortest first (ties by id), so that expand() takes the shortest
      // completions without looking at the rest.
      auto& list = by_head_[head_of(t)];
      auto at = std::upper_bound(list.begin(), list.end(), t.size(),
                                 [this](size_t len, uint32_t other) { return len < terms_[other].size(); });
      list.insert(at, it->second);
    }
  }
  return it->second;
}

void bm25_index::add(uint32_t doc, const term_bag& bag) {
  remove(doc);
  ++generation_;
  if (doc >= doc_terms_.size()) {
    doc_terms_.resize(doc + 1);
    doc_len_.resize(doc + 1, 0);
  }
  float len = 0;
  auto& terms = doc_terms_[doc];
  for (const auto& tw : bag) {
    if (tw.weight <= 0) continue;
    auto id = term_id(tw.term);
    if (postings_[id].empty()) ++live_terms_;
    postings_[id].push_back({doc, tw.weight});
    terms.push_back({id, tw.weight});
    len += tw.weight;
  }
  if (terms.empty()) return;
  doc_len_[doc] = len;
  total_len_ += len;
  ++live_docs_;
}

void bm25_index::remove(uint32_t doc) {
  if (!contains(doc)) return;
  ++generation_;
  for (auto [id, tf] : doc_terms_[doc]) {
    auto& list = postings_[id];
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].doc == doc) {
        list[i] = list.back();
        list.pop_back();
        break;
      }
    if (list.empty()) --live_terms_;
  }
  doc_terms_[doc].clear();
  total_len_ -= doc_len_[doc];
  doc_len_[doc] = 0;
  --live_docs_;
}

std::vector<std::pair<std::string, float>> bm25_index::expand(std::string_view term, bool allow_prefix) const {
  std::vector<std::pair<std::string, float>> out;
  if (auto it = ids_.find(std::string(term)); it != ids_.end() && !postings_[it->second].empty()) {
    out.emplace_back(term, 1.0f);
    return out;
  }
  if (term.size() >= 4) {
    size_t limit = term.size() >= 8 ? 2 : 1;
    std::vector<std::pair<size_t, uint32_t>> close;
    const uint64_t mask = char_mask(term);
    const int max_bits = static_cast<int>(2 * limit);
    thread_local std::vector<uint32_t> maybe;
    for (size_t len = term.size() - limit; len <= term.size() + limit && len < by_length_.size(); ++len) {
      maybe.resize(by_length_[len].size() + 1);
      size_t m = close_masks(mask, length_masks_[len].data(), by_length_[len].size(), max_bits, maybe.data());
      for (size_t j = 0; j < m; ++j) {
        uint32_t id = by_length_[len][maybe[j]];
        if (postings_[id].empty()) continue;
        auto d = edit_distance(term, terms_[id], limit);
        if (d <= limit)
          close.emplace_back(d * 1000000 + (1000000 - std::min<size_t>(postings_[id].size(), 999999)), id);
      }
    }
    std::sort(close.begin(), close.end());
    for (size_t i = 0; i < close.size() && i < params_.max_typo_expansions; ++i)
      out.emplace_back(terms_[close[i].second], close[i].first / 1000000 == 1 ? 0.6f : 0.4f);
  }
  if (allow_prefix && term.size() >= 3) {
    // The shortest completions (the head's list is by length, then id).
    if (auto h = by_head_.find(head_of(term)); h != by_head_.end()) {
      const auto& list = h->second;
      auto from =
          std::partition_point(list.begin(), list.end(), [&](uint32_t id) { return terms_[id].size() <= term.size(); });
      size_t taken = 0;
      for (auto i = from; i != list.end() && taken < params_.max_prefix_expansions; ++i)
        if (!postings_[*i].empty() && terms_[*i].starts_with(term)) {
          out.emplace_back(terms_[*i], 0.5f);
          ++taken;
        }
    }
  }
  return out;
}

std::shared_ptr<const bm25_index::norm_table> bm25_index::norms() const {
  auto t = std::atomic_load(&norms_);
  if (t && t->generation == generation_) return t;
  auto fresh = std::make_shared<norm_table>();
  fresh->generation = generation_;
  fresh->k.resize(doc_len_.size());
  const double avg = live_docs_ ? total_len_ / static_cast<double>(live_docs_) : 1.0;
  for (size_t d = 0; d < doc_len_.size(); ++d)
    fresh->k[d] = params_.k1 * (1 - params_.b + params_.b * doc_len_[d] / avg);  // as the formula in search() had it
  std::shared_ptr<const norm_table> out = std::move(fresh);
  std::atomic_store(&norms_, out);  // two searches may both build it: either result is the same
  return out;
}

std::vector<bm25_hit> bm25_index::search(const std::vector<std::string>& query, size_t k,
                                         const std::function<bool(uint32_t)>& keep, size_t ranked) const {
  std::vector<bm25_hit> hits;
  if (live_docs_ == 0 || k == 0) return hits;
  const double n = static_cast<double>(live_docs_);
  const auto table = norms();
  const double* norm_of = table->k.data();
  const double k1_plus_1 = params_.k1 + 1;
  // Scores accumulate in a dense array per thread (a hash map per query cost most of
  // the time at a million documents); `touched` lists the documents seen, and a
  // rejected document is marked with -inf so that keep() runs once per document.
  thread_local std::vector<float> acc;
  thread_local std::vector<uint32_t> touched;
  if (acc.size() < doc_terms_.size()) acc.assign(doc_terms_.size(), 0.0f);
  touched.clear();
  constexpr float rejected = -std::numeric_limits<float>::infinity();
  std::vector<uint32_t> used;  // vocabulary ids that contributed
  for (size_t qi = 0; qi < query.size(); ++qi) {
    for (const auto& [term, qweight] : expand(query[qi], qi + 1 == query.size())) {
      auto it = ids_.find(term);
      if (it == ids_.end()) continue;
      const auto& list = postings_[it->second];
      if (list.empty()) continue;
      used.push_back(it->second);
      double df = static_cast<double>(list.size());
      double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
      const double weight = qweight * idf;
      for (const auto& p : list) {
        float& a = acc[p.doc];
        if (a == rejected) continue;
        if (a == 0.0f) {
          if (keep && !keep(p.doc)) {
            a = rejected;
            touched.push_back(p.doc);
            continue;
          }
          touched.push_back(p.doc);
        }
        double tf = p.tf;
        double norm = tf * k1_plus_1 / (tf + norm_of[p.doc]);
        a += static_cast<float>(weight * norm);
      }
    }
  }
  std::vector<std::pair<float, uint32_t>> scored;
  scored.reserve(touched.size());
  for (auto d : touched) {
    if (acc[d] > 0) scored.emplace_back(acc[d], d);
    acc[d] = 0.0f;  // ready for the next query
  }
  auto better = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  if (scored.size() > k) {
    std::nth_element(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(), better);
    scored.resize(k);
  }
  // Rank order for the first ranked hits; the rest (up to k) follow in no set order.
  if (scored.size() > ranked) {
    std::nth_element(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(ranked), scored.end(), better);
    std::sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(ranked), better);
  } else {
    std::sort(scored.begin(), scored.end(), better);
  }
  // The matched terms, for the answer only.
  hits.reserve(scored.size());
  for (const auto& [score, doc] : scored) {
    bm25_hit h{doc, score, {}};
    if (hits.size() < ranked)
      for (auto id : used)
        for (const auto& t : doc_terms_[doc])
          if (t.doc == id) {  // (term id, tf) pairs
            if (std::find(h.matched.begin(), h.matched.end(), terms_[id]) == h.matched.end())
              h.matched.push_back(terms_[id]);
            break;
          }
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace cg
