// Search over the vector state: BM25, vectors, their fusion (fusion.hpp) and the
// graph-context rerank.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <cctype>

#include <spdlog/spdlog.h>

#include "actors/indexer/glob.hpp"
#include "actors/search/vector_doc.hpp"
#include "actors/search/vector_state.hpp"
#include "schema/hash.hpp"
#include "storage/keys.hpp"

namespace cg {
namespace {

// The first `width` characters of the number as "%f" prints it (what
// std::to_string(v).substr(0, width) gave, without a printf per hit).
std::string fixed_prefix(double v, size_t width) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 6);
  return std::string(buf, std::min(width, static_cast<size_t>(r.ptr - buf)));
}

std::string_view dir_of(std::string_view path) {
  auto cut = path.rfind('/');
  return cut == std::string_view::npos ? std::string_view() : path.substr(0, cut);
}

struct compiled_filter {
  const search_filters& f;
  path_pattern glob;
  bool has_glob = false;
  explicit compiled_filter(const search_filters& filters) : f(filters) {
    if (!f.path_glob.empty()) has_glob = path_pattern::parse(f.path_glob, "", glob);
  }
  bool operator()(const vector_state::doc& d) const {
    if (!d.live) return false;
    if (!f.languages.empty() && std::find(f.languages.begin(), f.languages.end(), d.lang) == f.languages.end())
      return false;
    if (!f.kinds.empty() && std::find(f.kinds.begin(), f.kinds.end(), d.kind) == f.kinds.end()) return false;
    if (has_glob && !glob.matches(d.file, false)) return false;
    return true;
  }
  bool active() const { return !f.languages.empty() || !f.kinds.empty() || has_glob; }
};

// BM25 holds live documents only: without filters it needs no per-document check
// (reading each touched document's record cost two thirds of a search at 1M).
std::function<bool(uint32_t)> text_filter(const compiled_filter& cf, const std::vector<vector_state::doc>& docs) {
  if (!cf.active()) return {};
  return [&docs, &cf](uint32_t s) { return s < docs.size() && cf(docs[s]); };
}

// Eight independent sums, so that the compiler can keep them in one vector register.
float dot(const float* a, const float* b, size_t n) {
  float acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  float s = 0;
  for (; i < n; ++i) s += a[i] * b[i];
  for (float x : acc) s += x;
  return s;
}

}  // namespace

bool vector_state::keep(uint32_t slot, const search_filters& f) const {
  return slot < docs_.size() && compiled_filter(f)(docs_[slot]);
}

search_hit vector_state::hit_of(uint32_t slot) const {
  const auto& d = docs_[slot];
  search_hit h;
  h.id = d.id;
  h.kind = d.kind;
  h.lang = d.lang;
  h.name = d.name;
  h.qualified_name = d.qualified_name;
  h.file = d.file;
  h.line = d.line;
  return h;
}

result<std::vector<std::pair<uint32_t, float>>> vector_state::vector_candidates(const float* q, size_t k,
                                                                                search_mode mode,
                                                                                const search_filters& f) const {
  std::vector<std::pair<uint32_t, float>> out;
  if (docs_.empty() || k == 0) return out;
  compiled_filter cf(f);
  auto keep_slot = [&](int64_t label) {
    return label >= 0 && static_cast<size_t>(label) < docs_.size() && cf(docs_[static_cast<size_t>(label)]);
  };
  if (ann_ && ann_slots_ > 0 && mode != search_mode::exact) {
    // Over-fetch: dead slots and filtered-out hits are dropped afterwards.
    // With no filter and no dead slot every label is kept: k is enough.
    const size_t n = ann_slots_;
    size_t dead = docs_.size() - live_;
    size_t fetch = !cf.active() && dead == 0 ? std::min(n, k) : std::min(n, k * (cf.active() ? 8 : 2) + dead / 8 + 16);
    std::vector<float> scores(fetch);
    std::vector<int64_t> labels(fetch);
    if (auto s = ann_->search(q, 1, fetch, mode, scores.data(), labels.data()); !s.ok()) return s.err();
    for (size_t i = 0; i < fetch && out.size() < k; ++i)
      if (keep_slot(labels[i])) out.emplace_back(static_cast<uint32_t>(labels[i]), scores[i]);
    if (out.size() >= k || fetch == n) {
      // Slots the index does not hold yet (its rebuild is pending): brute force over
      // them, merged by score.
      if (n < docs_.size()) {
        size_t tail = docs_.size() - n;
        size_t kk = std::min(k, tail);
        std::vector<float> ts(kk);
        std::vector<int64_t> tl(kk);
        std::function<bool(int64_t)> keep_tail = [&](int64_t row) { return keep_slot(row + static_cast<int64_t>(n)); };
        if (auto s = exact_search(vectors_.data() + n * opts_.dimension, tail, opts_.dimension, q, 1, kk, keep_tail,
                                  ts.data(), tl.data());
            !s.ok())
          return s.err();
        for (size_t i = 0; i < kk; ++i)
          if (tl[i] >= 0) out.emplace_back(static_cast<uint32_t>(tl[i] + static_cast<int64_t>(n)), ts[i]);
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        if (out.size() > k) out.resize(k);
      }
      return out;
    }
    out.clear();  // too few survived the filters: fall back to brute force
  }
  size_t kk = std::min(k, docs_.size());
  std::vector<float> scores(kk);
  std::vector<int64_t> labels(kk);
  std::function<bool(int64_t)> keep_fn = keep_slot;
  if (auto s =
          exact_search(vectors_.data(), docs_.size(), opts_.dimension, q, 1, kk, keep_fn, scores.data(), labels.data());
      !s.ok())
    return s.err();
  for (size_t i = 0; i < kk; ++i)
    if (labels[i] >= 0) out.emplace_back(static_cast<uint32_t>(labels[i]), scores[i]);
  return out;
}

std::vector<search_hit> vector_state::search_bm25(const std::string& query, size_t k, const search_filters& f) const {
  compiled_filter cf(f);
  std::vector<search_hit> out;
  auto hits = bm25_.search(query_terms(query), k, text_filter(cf, docs_));
  for (size_t i = 0; i < hits.size(); ++i) {
    auto h = hit_of(hits[i].doc);
    h.bm25_rank = static_cast<int>(i + 1);
    h.bm25_score = hits[i].score;
    h.score = hits[i].score;
    out.push_back(std::move(h));
  }
  return out;
}

result<std::vector<search_hit>> vector_state::search_raw(std::vector<float> query, size_t k, search_mode mode,
                                                         const search_filters& f) const {
  if (query.size() != opts_.dimension)
    return make_error(errc::invalid_argument, "query vector has " + std::to_string(query.size()) +
                                                  " dimensions; the index has " + std::to_string(opts_.dimension));
  l2_normalise(query.data(), query.size());
  auto c = vector_candidates(query.data(), k, mode, f);
  if (!c.ok()) return c.err();
  std::vector<search_hit> out;
  for (size_t i = 0; i < c->size(); ++i) {
    auto h = hit_of((*c)[i].first);
    h.vector_rank = static_cast<int>(i + 1);
    h.vector_score = (*c)[i].second;
    h.score = h.vector_score;
    out.push_back(std::move(h));
  }
  return out;
}

result<std::vector<search_hit>> vector_state::search_vector(const std::string& query, size_t k, search_mode mode,
                                                            const search_filters& f) {
  std::vector<float> q(opts_.dimension);
  if (auto s = active_embedder().embed_query(query, q.data()); !s.ok()) return s.err();
  return search_raw(std::move(q), k, mode, f);
}

std::optional<std::vector<float>> vector_state::embedding(node_id id) const {
  auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return std::nullopt;
  auto row = vectors_.begin() + static_cast<std::ptrdiff_t>(it->second * opts_.dimension);
  return std::vector<float>(row, row + static_cast<std::ptrdiff_t>(opts_.dimension));
}

result<std::vector<search_hit>> vector_state::similar(node_id id, size_t k, float min_score, search_mode mode,
                                                      const search_filters& f) const {
  auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return make_error(errc::not_found, "node " + format_id(id) + " is not in the search index");
  std::vector<float> q(vectors_.begin() + static_cast<std::ptrdiff_t>(it->second * opts_.dimension),
                       vectors_.begin() + static_cast<std::ptrdiff_t>((it->second + 1) * opts_.dimension));
  auto hits = search_raw(std::move(q), k + 1, mode, f);
  if (!hits.ok()) return hits.err();
  std::vector<search_hit> out;
  for (auto& h : *hits) {
    if (h.id == id || h.vector_score < min_score) continue;
    h.reasons.push_back("similar " + fixed_prefix(h.vector_score, 5));
    out.push_back(std::move(h));
    if (out.size() == k) break;
  }
  return out;
}

// What both signals propose for a query: BM25's list (scored well past the depth, so
// that a vector candidate's text score is known) and the nearest vectors.
result<vector_state::candidates> vector_state::gather(const search_request& req) {
  const size_t depth = std::max<size_t>(req.k * 5, 50);  // candidates per signal
  // Fewer from the vectors: their ranks past 30 almost never reach a top 10 (CPython,
  // 1,500 docstring queries: hybrid MRR@10 0.290 either way, recall@10 0.479 -> 0.477),
  // and the HNSW walk's width is this depth.
  const size_t vector_depth = std::max<size_t>(req.k * 3, 30);
  candidates c;
  auto terms = query_terms(req.query);
  compiled_filter cf(req.filters);
  c.lexical =
      bm25_.search(terms, req.fusion == fusion_method::convex ? depth * 20 : depth, text_filter(cf, docs_), depth);
  c.lexical_depth = std::min(depth, c.lexical.size());
  if (req.vector_weight > 0 && !terms.empty()) {
    c.query.resize(opts_.dimension);
    // A provider that is down costs the vector half of the answer, not the answer.
    if (auto s = active_embedder().embed_query(req.query, c.query.data()); !s.ok()) {
      spdlog::warn("search: the query embedding failed ({}); answering from the text index alone", s.err().message);
      c.query.clear();
    } else {
      auto sem = vector_candidates(c.query.data(), vector_depth, req.mode, req.filters);
      if (!sem.ok()) return sem.err();
      c.semantic = std::move(*sem);
    }
  }
  return c;
}

// One hit per candidate with both ranks and the fused score (RRF or convex).
std::unordered_map<uint32_t, search_hit> vector_state::fuse(const search_request& req, const candidates& c) const {
  std::unordered_map<uint32_t, search_hit> fused;
  auto entry = [&](uint32_t slot) -> search_hit& {
    auto [it, fresh] = fused.try_emplace(slot);
    if (fresh) it->second = hit_of(slot);
    return it->second;
  };
  if (req.bm25_weight > 0)
    for (size_t i = 0; i < c.lexical_depth; ++i) {
      auto& h = entry(c.lexical[i].doc);
      h.bm25_rank = static_cast<int>(i + 1);
      h.bm25_score = c.lexical[i].score;
    }
  for (size_t i = 0; i < c.semantic.size(); ++i) {
    auto& h = entry(c.semantic[i].first);
    h.vector_rank = static_cast<int>(i + 1);
    h.vector_score = c.semantic[i].second;
  }
  auto signals = [](const search_hit& h) {
    return fusion_signals{h.bm25_rank, h.bm25_score, h.vector_rank, h.vector_score};
  };
  if (req.fusion == fusion_method::rrf) {
    for (auto& [slot, h] : fused)
      h.score = rrf_score(signals(h), req.bm25_weight, req.vector_weight, double(req.rrf_k));
    return fused;
  }
  // Convex: both scores for every candidate: BM25 of vector-only hits from the long
  // list, cosine of text-only hits from the stored vectors. (Looked up in the
  // candidates, ~80 entries, rather than a map of the long list.)
  for (size_t i = c.lexical_depth; i < c.lexical.size(); ++i)
    if (auto it = fused.find(c.lexical[i].doc); it != fused.end() && it->second.bm25_rank == 0)
      it->second.bm25_score = c.lexical[i].score;
  convex_scale scale;
  scale.bm25_max = c.lexical.empty() ? 0 : c.lexical.front().score;
  if (!c.semantic.empty()) {
    scale.cos_hi = c.semantic.front().second;
    scale.cos_lo = c.semantic.back().second;
  }
  for (auto& [slot, h] : fused) {
    if (h.vector_rank == 0 && !c.query.empty() && !c.semantic.empty()) {
      const float* v = vectors_.data() + static_cast<size_t>(slot) * opts_.dimension;
      h.vector_score = dot(v, c.query.data(), opts_.dimension);
    }
    h.score = convex_score(signals(h), scale, req.bm25_weight, c.semantic.empty() ? 0.0 : req.vector_weight);
  }
  return fused;
}

namespace {

bool same_ascii_case_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y && (x | 0x20) != (y | 0x20)) return false;
    if (x != y && ((x | 0x20) < 'a' || (x | 0x20) > 'z')) return false;
  }
  return true;
}

// A query that is a definition's name (or qualified name) wants that definition: its
// score x1.5. The slots so boosted.
std::unordered_set<uint32_t> boost_name_matches(std::string_view query,
                                                std::unordered_map<uint32_t, search_hit>& fused) {
  while (!query.empty() && std::isspace(static_cast<unsigned char>(query.back()))) query.remove_suffix(1);
  while (!query.empty() && std::isspace(static_cast<unsigned char>(query.front()))) query.remove_prefix(1);
  std::unordered_set<uint32_t> matches;
  for (auto& [slot, h] : fused)
    if (same_ascii_case_folded(h.name, query) || same_ascii_case_folded(h.qualified_name, query)) {
      h.score *= 1.5;
      matches.insert(slot);
    }
  return matches;
}

bool by_score(const std::pair<uint32_t, search_hit*>& a, const std::pair<uint32_t, search_hit*>& b) {
  return a.second->score != b.second->score ? a.second->score > b.second->score : a.second->id < b.second->id;
}

}  // namespace

// Graph-context rerank: well-connected definitions a little (a tie-breaker: one rank
// apart in both lists is ~3% of RRF score), those near the context more.
void vector_state::rerank_by_graph(const search_request& req, const read_view& v, uint32_t proj,
                                   std::vector<std::pair<uint32_t, search_hit*>>& ranked) const {
  std::unordered_set<node_id> around;
  if (req.context_node) {
    for (auto c : {column::edges, column::redges})
      (void)v.for_each(c, keys::edge_prefix(proj, req.context_node), [&](std::string_view k, std::string_view) {
        around.insert(keys::parse_edge_key(k).second);
        return around.size() < 10000;
      });
  }
  uint32_t max_deg = 1;
  for (const auto& [slot, h] : ranked) max_deg = std::max(max_deg, docs_[slot].in_degree);
  std::string_view ctx_dir = dir_of(req.context_file);
  for (auto& [slot, hp] : ranked) {
    auto& h = *hp;
    const auto& d = docs_[slot];
    double boost = 0;
    if (d.in_degree > 0) {
      boost += 0.03 * std::log1p(d.in_degree) / std::log1p(max_deg);
      h.reasons.push_back(d.in_degree == 1 ? std::string("referenced once")
                                           : "referenced " + std::to_string(d.in_degree) + " times");
    }
    if (!req.context_file.empty()) {
      if (d.file == req.context_file) {
        boost += 0.1;
        h.reasons.push_back("in the context file");
      } else if (dir_of(d.file) == ctx_dir) {
        boost += 0.05;
        h.reasons.push_back("next to the context file");
      }
    }
    if (around.count(d.id)) {
      boost += 0.15;
      h.reasons.push_back("connected to the context node");
    }
    h.graph_boost = static_cast<float>(req.graph_weight * boost);
    h.score *= 1.0 + h.graph_boost;
  }
  std::sort(ranked.begin(), ranked.end(), by_score);
}

// The reasons of a returned hit, in words: the name match, the text and meaning
// ranks, then what the graph rerank saw (already in h.reasons).
void vector_state::explain(const search_request& req, const candidates& c, bool name_match, search_hit& h) const {
  std::vector<std::string> first;
  if (name_match) first.push_back("name match");
  if (req.bm25_weight > 0 && h.bm25_rank > 0) {
    std::string why = "text #" + std::to_string(h.bm25_rank) + ":";
    for (const auto& t : c.lexical[static_cast<size_t>(h.bm25_rank - 1)].matched) why += " " + t;
    first.push_back(std::move(why));
  }
  if (h.vector_rank > 0)
    first.push_back("meaning #" + std::to_string(h.vector_rank) + " (cosine " +
                    fixed_prefix(c.semantic[static_cast<size_t>(h.vector_rank - 1)].second, 4) + ")");
  h.reasons.insert(h.reasons.begin(), std::make_move_iterator(first.begin()), std::make_move_iterator(first.end()));
}

result<std::vector<search_hit>> vector_state::search(const search_request& req, const read_view& v, uint32_t proj) {
  if (req.k == 0) return std::vector<search_hit>{};
  auto c = gather(req);
  if (!c.ok()) return c.err();
  auto fused = fuse(req, *c);
  auto name_matches = boost_name_matches(req.query, fused);
  // Ranked by pointer: a search_hit is a dozen strings and numbers, and moving them in
  // the sorts cost more than the ranking.
  std::vector<std::pair<uint32_t, search_hit*>> ranked;
  ranked.reserve(fused.size());
  for (auto& [slot, h] : fused) ranked.emplace_back(slot, &h);
  std::sort(ranked.begin(), ranked.end(), by_score);
  if (ranked.size() > std::max<size_t>(req.k * 3, 30)) ranked.resize(std::max<size_t>(req.k * 3, 30));
  if (req.graph_weight > 0 && !ranked.empty()) rerank_by_graph(req, v, proj, ranked);
  std::vector<search_hit> out;
  for (size_t i = 0; i < ranked.size() && i < req.k; ++i) {
    explain(req, *c, name_matches.count(ranked[i].first) > 0, *ranked[i].second);
    out.push_back(std::move(*ranked[i].second));
  }
  return out;
}

}  // namespace cg
