// Search benchmarks (issue 3), in one process over an indexed store.
//
//   cg_bench_search quality DATA PROJECT [--limit N]
//     CodeSearchNet-style retrieval quality, no labels needed: for each function or
//     method with a docstring, the docstring's first sentence is the query and the
//     function is the answer; the search index is built here with docstrings left
//     out. MRR@10 and recall@10 for BM25 alone, vectors alone and the hybrid, each
//     with and without the learnt co-occurrence model; then the hybrid's latency.
//
//   cg_bench_search latency DATA PROJECT [--queries N]
//     Loads (or builds) the project's saved search index and reports p50/p99/max of
//     the hybrid search per mode, with queries made from definitions' names and
//     docstrings.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "actors/graph/graph_query.hpp"
#include "actors/search/tokens.hpp"
#include "actors/search/vector_state.hpp"
#include "storage/store.hpp"

namespace {

using namespace cg;
using clk = std::chrono::steady_clock;

double ms_since(clk::time_point t) { return std::chrono::duration<double, std::milli>(clk::now() - t).count(); }

struct query {
  std::string text;
  node_id answer = 0;
};

// The first sentence of a docstring: up to ". " or a blank line, on one line.
std::string first_sentence(const std::string& doc) {
  std::string s;
  for (size_t i = 0; i < doc.size(); ++i) {
    char c = doc[i];
    if (c == '\n' && i + 1 < doc.size() && doc[i + 1] == '\n') break;
    if (c == '.' && (i + 1 == doc.size() || doc[i + 1] == ' ' || doc[i + 1] == '\n')) break;
    s += (c == '\n' || c == '\t') ? ' ' : c;
  }
  std::string out;
  for (char c : s)
    if (!(c == ' ' && (out.empty() || out.back() == ' '))) out += c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<query> docstring_queries(store& db, uint32_t proj, size_t limit) {
  std::vector<query> qs;
  graph_query g(db.latest(), proj);
  (void)g.for_each_node([&](const node& n) {
    if (n.kind != node_kind::function && n.kind != node_kind::method) return true;
    auto s = first_sentence(n.docstring);
    std::vector<std::string> toks;
    text_tokens(s, toks);
    if (toks.size() >= 3) qs.push_back({s, n.id});
    return true;
  });
  std::mt19937_64 rng(11);
  std::shuffle(qs.begin(), qs.end(), rng);
  if (limit && qs.size() > limit) qs.resize(limit);
  return qs;
}

struct scores {
  double mrr = 0, recall = 0;
  void add(const std::vector<search_hit>& hits, node_id answer) {
    for (size_t i = 0; i < hits.size() && i < 10; ++i)
      if (hits[i].id == answer) {
        mrr += 1.0 / static_cast<double>(i + 1);
        recall += 1;
        return;
      }
  }
};

struct latency {
  std::vector<double> ms;
  double pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  }
};

int quality(store& db, uint32_t proj, size_t limit) {
  // Fusion settings next to the defaults: how much each moves the result.
  struct setting {
    fusion_method fusion;
    float vector_weight;
    size_t rrf_k;
  };
  const std::vector<setting> sweep_settings{
      {fusion_method::rrf, 1.0f, 60},   {fusion_method::rrf, 0.5f, 60},    {fusion_method::rrf, 0.5f, 20},
      {fusion_method::rrf, 0.3f, 5},    {fusion_method::convex, 1.0f, 0},  {fusion_method::convex, 0.7f, 0},
      {fusion_method::convex, 0.5f, 0}, {fusion_method::convex, 0.35f, 0}, {fusion_method::convex, 0.2f, 0}};
  auto qs = docstring_queries(db, proj, limit);
  std::printf("%zu queries (docstring first sentences of functions and methods, at least 3 words)\n", qs.size());
  std::printf("%-28s %8s %10s\n", "signal", "MRR@10", "recall@10");
  std::unordered_set<node_id> answers;
  for (const auto& q : qs) answers.insert(q.answer);
  // The model variants: learnt from the code and the docstrings of every function that
  // is not an answer (the vocabulary that bridges prose and names, as a user's own
  // documented code teaches it); from the code alone; none.
  enum class model_from { code_and_other_docstrings, code_only, none };
  for (auto variant : {model_from::code_and_other_docstrings, model_from::code_only, model_from::none}) {
    const bool cooc = variant != model_from::none;
    vector_options o;
    o.include_docstrings = false;
    o.learn_cooccurrence = cooc;
    if (variant == model_from::code_and_other_docstrings)
      o.learn_docstring_of = [&](node_id id) { return !answers.count(id); };
    else
      o.learn_docstring_of = [](node_id) { return false; };
    if (const char* sw = std::getenv("CG_BENCH_SUBWORD")) o.subword_share = std::stof(sw);
    o.kind = index_kind::flat;  // exact vectors: quality of the embedding, not of the ANN
    vector_state vs(o);
    auto t0 = clk::now();
    auto s = vs.sync(db.latest(), proj, db.sequence());
    if (!s.ok()) {
      std::fprintf(stderr, "sync failed: %s\n", s.err().message.c_str());
      return 1;
    }
    const char* model_name = variant == model_from::code_and_other_docstrings ? "model: code + non-answer docstrings"
                             : variant == model_from::code_only               ? "model: code only"
                                                                              : "no model";
    std::printf("  (index of %zu definitions built in %.1f s; co-occurrence %s)\n", s->documents, ms_since(t0) / 1000,
                model_name);
    scores bm, vec, hyb;
    std::vector<scores> sweep(sweep_settings.size());
    latency lat;
    for (const auto& q : qs) {
      bm.add(vs.search_bm25(q.text, 10, {}), q.answer);
      auto v = vs.search_vector(q.text, 10, search_mode::exact, {});
      if (v.ok()) vec.add(*v, q.answer);
      search_request rq;
      rq.query = q.text;
      rq.k = 10;
      rq.mode = search_mode::exact;
      auto t1 = clk::now();
      auto h = vs.search(rq, db.latest(), proj);
      lat.ms.push_back(ms_since(t1));
      if (h.ok()) hyb.add(*h, q.answer);
      for (size_t w = 0; w < sweep_settings.size(); ++w) {
        rq.fusion = sweep_settings[w].fusion;
        rq.vector_weight = sweep_settings[w].vector_weight;
        rq.rrf_k = sweep_settings[w].rrf_k;
        auto hw = vs.search(rq, db.latest(), proj);
        if (hw.ok()) sweep[w].add(*hw, q.answer);
      }
    }
    double n = static_cast<double>(qs.size());
    const char* tag = variant == model_from::code_and_other_docstrings ? " (docs model)"
                      : variant == model_from::code_only               ? " (code model)"
                                                                       : " (no model)";
    if (variant == model_from::code_and_other_docstrings)
      std::printf("%-28s %8.3f %10.3f\n", "BM25", bm.mrr / n, bm.recall / n);
    std::printf("%-28s %8.3f %10.3f\n", (std::string("vector") + tag).c_str(), vec.mrr / n, vec.recall / n);
    std::printf("%-28s %8.3f %10.3f\n", (std::string("hybrid") + tag).c_str(), hyb.mrr / n, hyb.recall / n);
    for (size_t w = 0; w < sweep_settings.size(); ++w) {
      const auto& st = sweep_settings[w];
      char label[64];
      if (st.fusion == fusion_method::rrf)
        std::snprintf(label, sizeof label, "  rrf, vw %.2f, k %zu", st.vector_weight, st.rrf_k);
      else
        std::snprintf(label, sizeof label, "  convex, vw %.2f", st.vector_weight);
      std::printf("%-28s %8.3f %10.3f\n", label, sweep[w].mrr / n, sweep[w].recall / n);
    }
    std::printf("  hybrid latency: p50 %.2f ms, p99 %.2f ms\n", lat.pct(0.5), lat.pct(0.99));
    if (variant == model_from::code_and_other_docstrings)
      std::printf(
          "  hybrid beats both: %s\n",
          hyb.mrr > bm.mrr && hyb.mrr > vec.mrr && hyb.recall > bm.recall && hyb.recall > vec.recall ? "yes" : "NO");
  }
  return 0;
}

int latency_run(store& db, uint32_t proj, const std::string& project, size_t nq) {
  vector_options o;
  // The index kind as the server would pick it ([search] index, CODEGRAPH_SEARCH_INDEX).
  if (const char* k = std::getenv("CODEGRAPH_SEARCH_INDEX"); k && std::string(k) != "auto")
    o.kind = parse_index_kind(k);
  vector_state vs(o);
  auto dir = (std::filesystem::path(db.dir()) / "vectors" / project).string();
  auto t0 = clk::now();
  auto ld = vs.load(dir);
  std::printf("loaded the saved search index in %.1f s (%s)\n", ms_since(t0) / 1000,
              ld.ok() ? "ok" : ld.err().message.c_str());
  t0 = clk::now();
  auto s = vs.sync(db.latest(), proj, db.sequence());
  if (!s.ok()) {
    std::fprintf(stderr, "sync failed: %s\n", s.err().message.c_str());
    return 1;
  }
  auto st = vs.stats();
  std::printf("%zu documents, index %s, %zu dims (catch-up sync %.1f s)\n", st.documents, st.index.c_str(),
              st.dimension, ms_since(t0) / 1000);
  // Queries: half docstring sentences, half names split into words.
  auto qs = docstring_queries(db, proj, nq / 2);
  std::vector<std::string> texts;
  for (auto& q : qs) texts.push_back(q.text);
  graph_query g(db.latest(), proj);
  std::vector<std::string> names;
  (void)g.for_each_node([&](const node& n) {
    if (n.kind == node_kind::function || n.kind == node_kind::method) names.push_back(n.name);
    return names.size() < 200000;
  });
  std::mt19937_64 rng(5);
  for (size_t i = 0; i < nq / 2 && !names.empty(); ++i) {
    std::vector<std::string> words;
    split_identifier(names[rng() % names.size()], words);
    std::string t;
    for (auto& w : words) t += (t.empty() ? "" : " ") + w;
    texts.push_back(t);
  }
  std::printf("%zu queries; batch of k=10\n%-10s %9s %9s %9s\n", texts.size(), "mode", "p50 ms", "p99 ms", "max ms");
  for (auto mode : {search_mode::fast, search_mode::balanced, search_mode::exact}) {
    latency lat;
    for (const auto& t : texts) {
      search_request rq;
      rq.query = t;
      rq.k = 10;
      rq.mode = mode;
      auto t1 = clk::now();
      auto h = vs.search(rq, db.latest(), proj);
      lat.ms.push_back(ms_since(t1));
      if (!h.ok()) std::fprintf(stderr, "search failed: %s\n", h.err().message.c_str());
    }
    double p99 = lat.pct(0.99);
    std::printf("%-10s %9.2f %9.2f %9.2f%s\n", std::string(to_string(mode)).c_str(), lat.pct(0.5), p99, lat.pct(1.0),
                mode == search_mode::balanced
                    ? (p99 <= 20 ? "   target p99 <= 20 ms: met" : "   target p99 <= 20 ms: MISSED")
                    : "");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s quality|latency DATA PROJECT [--limit N | --queries N]\n", argv[0]);
    return 1;
  }
  std::string cmd = argv[1];
  size_t n = cmd == "quality" ? 0 : 1000;
  if (argc >= 6) n = std::stoul(argv[5]);
  store_options so;
  so.dir = argv[2];
  so.read_only = true;
  so.block_cache_bytes = size_t{512} << 20;
  auto db = store::open(so);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.err().message.c_str());
    return 1;
  }
  auto proj = (*db)->project_id(argv[3]);
  if (!proj.ok()) {
    std::fprintf(stderr, "no project %s\n", argv[3]);
    return 1;
  }
  if (cmd == "quality") return quality(**db, *proj, n);
  if (cmd == "latency") return latency_run(**db, *proj, argv[3], n);
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 1;
}
