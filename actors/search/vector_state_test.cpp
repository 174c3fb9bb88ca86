// The vector state over a real store: sync from the graph, hybrid search with
// reasons, filters, incremental updates, persistence, similar, failing embedders.
#include <gtest/gtest.h>

#include <map>

#include "actors/search/ann/vector_index.hpp"
#include "actors/search/vector_state.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using test::temp_dir;
using test::write_file;

void write_project(const temp_dir& root) {
  write_file(root / "net/client.py",
             "import socket\n\n"
             "def open_connection(host, port):\n"
             "    \"\"\"Open a TCP socket connection to the server.\"\"\"\n"
             "    return socket.create_connection((host, port))\n\n"
             "class HttpClient:\n"
             "    \"\"\"Talks HTTP to one server.\"\"\"\n\n"
             "    def fetch_page(self, url):\n"
             "        \"\"\"Download a web page over HTTP.\"\"\"\n"
             "        conn = open_connection(url, 80)\n"
             "        return conn.recv(4096)\n");
  write_file(root / "data/parse.py",
             "import json\n\n"
             "def parse_config(path):\n"
             "    \"\"\"Read the settings file and return a dict.\"\"\"\n"
             "    return load_json(open(path).read())\n\n"
             "def load_json(text):\n"
             "    \"\"\"Decode a JSON document into Python values.\"\"\"\n"
             "    return json.loads(text)\n");
  write_file(root / "tools/sum.go",
             "package tools\n\n"
             "// ComputeChecksum returns the CRC32 checksum of data.\n"
             "func ComputeChecksum(data []byte) uint32 {\n\treturn 0\n}\n");
}

struct fixture {
  temp_dir data{"cg-vdata"}, root{"cg-vroot"};
  std::unique_ptr<store> db;
  uint32_t proj = 0;
  fixture() {
    write_project(root);
    db = test::open_store(data.str());
    reindex();
  }
  void reindex() {
    test::index_plain(*db, "p", root.str());
    proj = *db->project_id("p");
  }
  // A sync, then the ANN index it left pending built at once (as the vector actor does
  // between its messages).
  result<sync_summary> sync(vector_state& vs) {
    auto r = vs.sync(db->latest(), proj, db->sequence());
    if (r.ok())
      if (auto s = vs.finish_index(); !s.ok()) return s.err();
    return r;
  }
  std::vector<search_hit> search(vector_state& vs, search_request r) {
    auto hits = vs.search(r, db->latest(), proj);
    EXPECT_TRUE(hits.ok()) << hits.err().message;
    return hits.ok() ? *hits : std::vector<search_hit>{};
  }
};

search_request query(std::string q) {
  search_request r;
  r.query = std::move(q);
  return r;
}

std::vector<std::string> names(const std::vector<search_hit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(h.name);
  return out;
}

TEST(VectorState, SyncsFromTheGraphAndSearchesWithReasons) {
  fixture f;
  vector_state vs({});
  auto s = f.sync(vs);
  ASSERT_TRUE(s.ok()) << s.err().message;
  // Files, the Go package, functions, the class and its method (imports and locals
  // are not searched).
  EXPECT_EQ(s->documents, 10u);
  EXPECT_EQ(s->added, 10u);
  auto hits = f.search(vs, query("socket connection to a server"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].name, "open_connection");
  EXPECT_GT(hits[0].bm25_rank, 0);
  EXPECT_GT(hits[0].vector_rank, 0);
  auto exact = f.search(vs, query("parse_config"));
  ASSERT_FALSE(exact.empty());
  EXPECT_EQ(exact[0].name, "parse_config");
  EXPECT_EQ(exact[0].reasons.front(), "name match");
  EXPECT_EQ(exact[0].file, "data/parse.py");
  EXPECT_EQ(exact[0].line, 3u);
  // Typo and prefix tolerance through BM25.
  EXPECT_EQ(f.search(vs, query("chekcsum")).at(0).name, "ComputeChecksum");
  // The called function is referenced once: the graph rerank says so.
  bool referenced = false;
  for (const auto& h : f.search(vs, query("open connection")))
    if (h.name == "open_connection")
      for (const auto& why : h.reasons) referenced |= why.starts_with("referenced");
  EXPECT_TRUE(referenced);
}

// Both fusions rank the obvious answers first; the convex one knows both scores of
// every candidate (a text-only hit gets its cosine, a vector-only hit its BM25).
TEST(VectorState, ConvexFusionScoresEveryCandidateOnBothSignals) {
  fixture f;
  vector_state vs({});
  ASSERT_TRUE(f.sync(vs).ok());
  for (auto method : {fusion_method::rrf, fusion_method::convex}) {
    auto r = query("socket connection to a server");
    r.fusion = method;
    auto hits = f.search(vs, r);
    ASSERT_FALSE(hits.empty()) << to_string(method);
    EXPECT_EQ(hits[0].name, "open_connection") << to_string(method);
    r.query = "parse_config";
    EXPECT_EQ(f.search(vs, r).at(0).name, "parse_config") << to_string(method);
  }
  // Each hit carries the very scores the two signals give alone, and its fused score
  // is their scaled sum (the rerank off; the name boost does not apply here).
  auto r = query("download web page");
  r.fusion = fusion_method::convex;
  r.graph_weight = 0;
  auto hits = f.search(vs, r);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].name, "fetch_page");
  std::map<node_id, float> text, meaning;
  for (const auto& h : vs.search_bm25(r.query, 100, {})) text[h.id] = h.bm25_score;
  auto v = vs.search_vector(r.query, 100, search_mode::exact, {});
  ASSERT_TRUE(v.ok());
  float cos_hi = v->front().vector_score, cos_lo = v->back().vector_score, bm_max = 0;
  for (const auto& [id, sc] : text) bm_max = std::max(bm_max, sc);
  for (const auto& h : *v) meaning[h.id] = h.vector_score;
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& h = hits[i];
    EXPECT_FLOAT_EQ(h.bm25_score, text.count(h.id) ? text[h.id] : 0.0f) << h.name;
    EXPECT_NEAR(h.vector_score, meaning.at(h.id), 1e-5) << h.name;
    double want = convex_score({h.bm25_rank, h.bm25_score, h.vector_rank, h.vector_score}, {bm_max, cos_hi, cos_lo},
                               r.bm25_weight, r.vector_weight);
    EXPECT_NEAR(h.score, want, 1e-6) << h.name;
    if (i) {
      EXPECT_GE(hits[i - 1].score, h.score);
    }
  }
}

TEST(Fusion, ScoresFollowTheirDefinitions) {
  fusion_signals both{1, 8.0f, 1, 0.9f}, text_only{2, 4.0f, 0, 0.3f}, none{};
  EXPECT_DOUBLE_EQ(rrf_score(both, 1, 1, 60), 2.0 / 61);
  EXPECT_DOUBLE_EQ(rrf_score(text_only, 1, 0.5, 60), 1.0 / 62);
  EXPECT_DOUBLE_EQ(rrf_score(none, 1, 1, 60), 0);
  convex_scale c{8.0f, 0.9f, 0.5f};
  EXPECT_NEAR(convex_score(both, c, 1, 1), 2.0, 1e-6);
  EXPECT_NEAR(convex_score(text_only, c, 1, 1), 0.5, 1e-6);  // cosine below the weakest candidate counts 0
  EXPECT_NEAR(convex_score(both, c, 0.5, 0.25), 0.75, 1e-6);
  EXPECT_EQ(parse_fusion_method("convex"), fusion_method::convex);
  EXPECT_EQ(parse_fusion_method("rrf"), fusion_method::rrf);
  EXPECT_FALSE(parse_fusion_method("sum"));
}

TEST(VectorState, HonoursFilters) {
  fixture f;
  vector_state vs({});
  ASSERT_TRUE(f.sync(vs).ok());
  auto r = query("data");
  r.filters.languages = {language::go};
  for (const auto& h : f.search(vs, r)) EXPECT_EQ(h.lang, language::go);
  EXPECT_FALSE(f.search(vs, r).empty());
  r = query("server http page");
  r.filters.kinds = {node_kind::class_};
  auto classes = f.search(vs, r);
  ASSERT_FALSE(classes.empty());
  for (const auto& h : classes) EXPECT_EQ(h.kind, node_kind::class_);
  r = query("read decode open");
  r.filters.path_glob = "data/**";
  auto in_data = f.search(vs, r);
  ASSERT_FALSE(in_data.empty());
  for (const auto& h : in_data) EXPECT_TRUE(h.file.starts_with("data/")) << h.file;
  r.mode = search_mode::exact;
  for (const auto& h : f.search(vs, r)) EXPECT_TRUE(h.file.starts_with("data/")) << h.file;
}

TEST(VectorState, FollowsIncrementalChanges) {
  fixture f;
  vector_state vs({});
  ASSERT_TRUE(f.sync(vs).ok());
  write_file(f.root / "data/parse.py",
             "def parse_config(path):\n"
             "    \"\"\"Read the YAML settings file.\"\"\"\n"
             "    return {}\n");
  std::filesystem::remove(f.root / "tools/sum.go");
  f.reindex();
  auto s = f.sync(vs);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->incremental);  // from the change log: only the two files
  EXPECT_EQ(s->files, 2u);
  EXPECT_EQ(s->removed, 4u);  // load_json, ComputeChecksum, sum.go, package tools
  EXPECT_GE(s->updated, 1u);  // parse_config (and its file)
  EXPECT_EQ(s->documents, 6u);
  for (const auto& h : f.search(vs, query("decode json checksum"))) {
    EXPECT_NE(h.name, "load_json");
    EXPECT_NE(h.name, "ComputeChecksum");
  }
  EXPECT_EQ(f.search(vs, query("yaml")).at(0).name, "parse_config");
  auto again = f.sync(vs);  // nothing changed
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added + again->updated + again->removed, 0u);
}

// Incremental syncs (from the graph's change log) end where a full pass would:
// same documents, same in-degrees, same answers.
TEST(VectorState, IncrementalSyncsEqualAFullPass) {
  fixture f;
  vector_options o;
  o.learn_cooccurrence = false;  // a model learnt on other data would differ by design
  vector_state inc(o);
  ASSERT_TRUE(f.sync(inc).ok());
  auto same_as_full = [&](const char* step) {
    SCOPED_TRACE(step);
    vector_state full(o);
    auto s = f.sync(full);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE(s->incremental);
    EXPECT_EQ(inc.stats().documents, full.stats().documents);
    for (const char* text : {"connection", "json decode", "checksum data", "fetch web page", "settings", "audit"}) {
      auto a = f.search(inc, query(text)), b = f.search(full, query(text));
      // Slots differ by design (incremental appends, a full pass sorts), so exact ties
      // (common in a corpus this small) rank in another order and shift fused scores.
      // The parts must agree: the same hits, BM25 and vector scores, in-degrees.
      ASSERT_EQ(a.size(), b.size()) << text;
      std::map<node_id, const search_hit*> in_full;
      for (const auto& h : b) in_full[h.id] = &h;
      std::vector<node_id> text_a, text_b;
      for (const auto& h : a) {
        if (h.bm25_rank > 0) text_a.push_back(h.id);
        auto it = in_full.find(h.id);
        if (it == in_full.end()) continue;
        EXPECT_NEAR(h.bm25_score, it->second->bm25_score, 1e-5) << text << " " << h.qualified_name;
        EXPECT_NEAR(h.vector_score, it->second->vector_score, 1e-5) << text << " " << h.qualified_name;
        EXPECT_EQ(h.graph_boost, it->second->graph_boost) << text << " " << h.qualified_name;  // same in-degree
      }
      for (const auto& h : b)
        if (h.bm25_rank > 0) text_b.push_back(h.id);
      std::sort(text_a.begin(), text_a.end());
      std::sort(text_b.begin(), text_b.end());
      EXPECT_EQ(text_a, text_b) << text;  // (equal scores may tie-break in another order)
    }
  };
  // A new file whose calls raise the in-degree of definitions elsewhere.
  write_file(f.root / "app/main.py",
             "from data.parse import load_json, parse_config\n\n"
             "def audit_settings(path):\n    \"\"\"Audit the settings.\"\"\"\n"
             "    parse_config(path)\n    return load_json(path)\n");
  f.reindex();
  auto s = f.sync(inc);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->incremental);
  EXPECT_EQ(s->files, 1u);
  EXPECT_EQ(s->added, 2u);  // the file and audit_settings
  same_as_full("added a caller");
  // A changed body and a deleted file.
  write_file(f.root / "net/client.py",
             "import socket\n\n"
             "def open_connection(host, port, timeout=5):\n"
             "    \"\"\"Open a TCP socket connection with a timeout.\"\"\"\n"
             "    return socket.create_connection((host, port), timeout)\n");
  std::filesystem::remove(f.root / "tools/sum.go");
  f.reindex();
  s = f.sync(inc);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->incremental);
  EXPECT_EQ(s->files, 2u);
  same_as_full("changed and deleted");
  // Nothing changed: no work at all.
  f.reindex();
  s = f.sync(inc);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->incremental);
  EXPECT_EQ(s->files, 0u);
  EXPECT_EQ(s->added + s->updated + s->removed, 0u);
}

TEST(VectorState, SavesAndLoads) {
  fixture f;
  temp_dir dir("cg-vsave");
  vector_state vs({});
  ASSERT_TRUE(f.sync(vs).ok());
  auto before = f.search(vs, query("download web page"));
  ASSERT_TRUE(vs.save((dir / "p").string()).ok());
  vector_state back({});
  ASSERT_TRUE(back.load((dir / "p").string()).ok());
  EXPECT_EQ(back.sequence(), vs.sequence());
  EXPECT_EQ(back.stats().documents, vs.stats().documents);
  EXPECT_EQ(back.stats().embedder, vs.stats().embedder);
  EXPECT_EQ(names(f.search(back, query("download web page"))), names(before));
  vector_options other;
  other.dimension = 128;
  vector_state wrong(other);
  auto st = wrong.load((dir / "p").string());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, errc::invalid_argument);
  EXPECT_EQ(vector_state({}).load((dir / "none").string()).err().code, errc::not_found);
  // A damaged file is refused, not half-loaded.
  test::write_file(dir / "p/vectors.f32", "xx");
  EXPECT_EQ(vector_state({}).load((dir / "p").string()).err().code, errc::corrupt);
}

// hnsw_half_floats = false reaches the index, on a build and on a load: the index is
// smaller by the copy (2 bytes per dimension per slot) and answers the same names.
TEST(VectorState, HnswHalfFloatsSettingReachesTheIndex) {
  if (!half_kernels()) GTEST_SKIP() << "no F16C on this CPU: there is never a copy";
  fixture f;
  temp_dir dir("cg-vhalf");
  vector_options with, without;
  with.kind = without.kind = index_kind::hnsw;
  without.hnsw_half_floats = false;
  vector_state a(with), b(without);
  ASSERT_TRUE(f.sync(a).ok());
  ASSERT_TRUE(f.sync(b).ok());
  ASSERT_EQ(a.stats().index, "hnsw");
  const size_t copy = a.stats().index_vectors * a.stats().dimension * 2;
  ASSERT_GT(copy, 0u);
  EXPECT_EQ(a.stats().index_bytes - b.stats().index_bytes, copy);
  EXPECT_EQ(names(f.search(a, query("download web page"))), names(f.search(b, query("download web page"))));
  ASSERT_TRUE(a.save((dir / "p").string()).ok());
  vector_state loaded(without);
  ASSERT_TRUE(loaded.load((dir / "p").string()).ok());
  EXPECT_EQ(loaded.stats().index_bytes, b.stats().index_bytes);
}

TEST(VectorState, FindsSimilarDefinitions) {
  fixture f;
  vector_state vs({});
  ASSERT_TRUE(f.sync(vs).ok());
  auto hits = f.search(vs, query("parse_config"));
  ASSERT_FALSE(hits.empty());
  auto sim = vs.similar(hits[0].id, 3, 0.0f, search_mode::exact, {});
  ASSERT_TRUE(sim.ok());
  ASSERT_FALSE(sim->empty());
  for (const auto& h : *sim) EXPECT_NE(h.id, hits[0].id);
  EXPECT_TRUE(
      std::is_sorted(sim->begin(), sim->end(), [](auto& a, auto& b) { return a.vector_score > b.vector_score; }));
  auto none = vs.similar(hits[0].id, 3, 0.999f, search_mode::exact, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(vs.similar(12345, 3, 0, search_mode::exact, {}).err().code, errc::not_found);
}

class failing_embedder final : public embedder {
 public:
  bool fail = false;
  size_t dimension() const override { return 8; }
  std::string name() const override { return "test-8"; }
  status embed(std::span<const embed_input> in, float* out) override {
    if (fail) return make_error(errc::io_error, "provider down");
    for (size_t i = 0; i < in.size() * 8; ++i) out[i] = (i % 8 == in.size() % 8) ? 1.0f : 0.0f;
    return {};
  }
  status embed_query(std::string_view, float* out) override {
    std::fill_n(out, 8, 0.0f);
    out[0] = 1;
    return {};
  }
};

TEST(VectorState, AFailingEmbedderChangesNothing) {
  fixture f;
  auto e = std::make_unique<failing_embedder>();
  auto* raw = e.get();
  vector_state vs({}, std::move(e));
  ASSERT_TRUE(f.sync(vs).ok());
  EXPECT_EQ(vs.stats().dimension, 8u);
  auto before = vs.stats();
  write_file(f.root / "data/extra.py", "def extra():\n    pass\n");
  f.reindex();
  raw->fail = true;
  auto s = f.sync(vs);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().message, "provider down");
  EXPECT_EQ(vs.stats().documents, before.documents);
  EXPECT_EQ(vs.stats().slots, before.slots);
  raw->fail = false;
  auto ok = f.sync(vs);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->added, 2u);  // the file and its function
}

// The ANN index is built off the sync's path: searches meanwhile run brute force over
// what it lacks, it is built in steps, and a large addition is searched through the
// old index plus brute force over the new slots until the rebuild is installed.
TEST(VectorState, TheAnnIndexIsBuiltInStepsAndSearchesNeverMissWhatItLacks) {
  temp_dir data("cg-vstep"), root("cg-vstep-root");
  auto many = [&](const std::string& file, int from, int count) {
    std::string src;
    for (int i = from; i < from + count; ++i)
      src +=
          "def handler_" + std::to_string(i) + "_" + std::to_string(i * 7919 % 1000) + "(value):\n    return value\n\n";
    write_file(root / file, src);
  };
  many("a.py", 0, 3000);
  auto db = test::open_store(data.str());
  test::index_plain(*db, "p", root.str());
  uint32_t proj = *db->project_id("p");
  vector_options o;
  o.kind = index_kind::hnsw;
  o.dimension = 64;
  vector_state vs(o);
  ASSERT_TRUE(vs.sync(db->latest(), proj, db->sequence()).ok());
  EXPECT_TRUE(vs.index_pending());
  EXPECT_TRUE(vs.stats().index_building);
  EXPECT_EQ(vs.stats().index, "flat");  // brute force until it is built
  // Any definition is its own nearest neighbour, built or not.
  auto nearest = [&](node_id id) {
    auto v = vs.embedding(id);
    EXPECT_TRUE(v.has_value());
    auto hits = vs.search_raw(v ? *v : std::vector<float>(o.dimension), 1, search_mode::balanced, {});
    EXPECT_TRUE(hits.ok());
    return hits.ok() && !hits->empty() ? (*hits)[0].id : node_id{0};
  };
  auto some = vs.search_bm25("handler_1234", 1, {});
  ASSERT_FALSE(some.empty());
  EXPECT_EQ(nearest(some[0].id), some[0].id);
  // 3,001 documents (the file too) in steps of 1000: the fourth says it is complete.
  auto r1 = vs.index_step(1000);
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(*r1);
  EXPECT_EQ(vs.stats().index, "flat");  // nothing installed halfway
  ASSERT_FALSE(*vs.index_step(1000));
  ASSERT_FALSE(*vs.index_step(1000));
  auto r4 = vs.index_step(1000);
  ASSERT_TRUE(r4.ok());
  EXPECT_TRUE(*r4);
  vs.install_index();
  EXPECT_FALSE(vs.index_pending());
  EXPECT_EQ(vs.stats().index, "hnsw");
  EXPECT_EQ(vs.stats().index_vectors, vs.stats().slots);
  EXPECT_EQ(nearest(some[0].id), some[0].id);

  // 2,500 more (over the inline limit, under a relearn): pending again, the old index
  // kept for the slots it holds.
  many("b.py", 3000, 2500);
  test::index_plain(*db, "p", root.str());
  auto s = vs.sync(db->latest(), proj, db->sequence());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->added, 2501u);  // the file and its functions
  EXPECT_TRUE(vs.index_pending());
  EXPECT_EQ(vs.stats().index, "hnsw");
  auto fresh = vs.search_bm25("handler_5111", 1, {});
  ASSERT_FALSE(fresh.empty());
  EXPECT_EQ(nearest(fresh[0].id), fresh[0].id);  // found by the brute force over the tail
  EXPECT_EQ(nearest(some[0].id), some[0].id);    // and the old ones through the index
  ASSERT_TRUE(vs.finish_index().ok());
  EXPECT_FALSE(vs.index_pending());
  EXPECT_EQ(vs.stats().index_vectors, vs.stats().slots);
  EXPECT_EQ(nearest(fresh[0].id), fresh[0].id);

  // Saved mid-build: the load searches brute force and builds again.
  many("c.py", 6000, 2500);
  test::index_plain(*db, "p", root.str());
  ASSERT_TRUE(vs.sync(db->latest(), proj, db->sequence()).ok());
  ASSERT_TRUE(vs.index_pending());
  ASSERT_TRUE(vs.save((data / "v").string()).ok());
  vector_state back(o);
  ASSERT_TRUE(back.load((data / "v").string()).ok());
  EXPECT_TRUE(back.index_pending());
  auto late = back.search_bm25("handler_7777", 1, {});
  ASSERT_FALSE(late.empty());
  auto v = back.embedding(late[0].id);
  ASSERT_TRUE(v.has_value());
  auto hits = back.search_raw(*v, 1, search_mode::balanced, {});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, late[0].id);
}

// A deferred model (the CLI's index run): the sync embeds without it and says it is
// pending; learnt afterwards, the state is the one a sync that learnt it would have
// made (same model, same vectors, same answers). Saved while pending, the load says
// so too; a model learnt before the state moved on is not installed.
TEST(VectorState, ADeferredModelIsLearntLaterToTheSameState) {
  fixture f;
  vector_state now({});
  ASSERT_TRUE(f.sync(now).ok());
  ASSERT_GT(now.stats().model_terms, 0u);
  EXPECT_FALSE(now.model_pending());

  vector_options o;
  o.defer_model = true;
  vector_state later(o);
  ASSERT_TRUE(f.sync(later).ok());
  EXPECT_TRUE(later.model_pending());
  EXPECT_TRUE(later.stats().model_pending);
  EXPECT_EQ(later.stats().model_terms, 0u);
  EXPECT_NE(later.stats().embedder, now.stats().embedder);  // no "+cooc" yet
  auto id = later.search_bm25("fetch_page", 1, {});
  ASSERT_FALSE(id.empty());
  EXPECT_NE(*later.embedding(id[0].id), *now.embedding(id[0].id));
  EXPECT_FALSE(f.search(later, query("download web page")).empty());  // answers meanwhile

  temp_dir dir("cg-vdefer");
  ASSERT_TRUE(later.save((dir / "p").string()).ok());
  vector_state back(o);
  ASSERT_TRUE(back.load((dir / "p").string()).ok());
  EXPECT_TRUE(back.model_pending());

  // Learnt, then the graph moves on before the install: dropped, still pending.
  auto stale = later.learn_model();
  write_file(f.root / "data/extra.py", "def checksum_blocks(data):\n    return data\n");
  f.reindex();
  ASSERT_TRUE(f.sync(later).ok());
  EXPECT_FALSE(later.install_model(std::move(stale)));
  EXPECT_TRUE(later.model_pending());

  later.finish_model();
  ASSERT_TRUE(later.finish_index().ok());
  EXPECT_FALSE(later.model_pending());
  vector_state fresh({});  // learnt within its sync, on the same graph
  ASSERT_TRUE(f.sync(fresh).ok());
  EXPECT_EQ(later.stats().model_terms, fresh.stats().model_terms);
  EXPECT_EQ(later.stats().embedder, fresh.stats().embedder);
  size_t compared = 0;
  for (auto name : {"fetch_page", "open_connection", "parse_config", "load_json", "checksum_blocks", "HttpClient"})
    for (const auto& hit : later.search_bm25(name, 1, {})) {
      EXPECT_EQ(*later.embedding(hit.id), *fresh.embedding(hit.id)) << name;
      ++compared;
    }
  EXPECT_EQ(compared, 6u);
  for (auto q : {"download web page", "checksum", "decode json settings"})
    EXPECT_EQ(names(f.search(later, query(q))), names(f.search(fresh, query(q)))) << q;

  // `vectors rebuild` learns it within the sync.
  ASSERT_TRUE(back.rebuild(f.db->latest(), f.proj, f.db->sequence()).ok());
  EXPECT_FALSE(back.model_pending());
  EXPECT_EQ(back.stats().model_terms, fresh.stats().model_terms);
}

}  // namespace
}  // namespace cg
