// Tokens, term bags, BM25, the co-occurrence model and the built-in embedder.
#include <gtest/gtest.h>

#include <cmath>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>
#include "actors/search/bm25.hpp"
#include "actors/search/cooccurrence.hpp"
#include "actors/search/document.hpp"
#include "actors/search/hash_embedder.hpp"
#include "actors/search/tokens.hpp"

namespace cg {
namespace {

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  split_identifier(s, out);
  return out;
}

float dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

TEST(Tokens, SplitsIdentifiersOfEveryCase) {
  EXPECT_EQ(split("parseHTTPResponse"), (std::vector<std::string>{"parse", "http", "response"}));
  EXPECT_EQ(split("read_all_lines"), (std::vector<std::string>{"read", "all", "lines"}));
  EXPECT_EQ(split("XMLHttpRequest2"), (std::vector<std::string>{"xml", "http", "request2"}));
  EXPECT_EQ(split("utf8Decode"), (std::vector<std::string>{"utf8", "decode"}));
  EXPECT_EQ(split("__init__"), (std::vector<std::string>{"init"}));
  EXPECT_EQ(split("x"), (std::vector<std::string>{}));
  EXPECT_EQ(split("kebab-case-name"), (std::vector<std::string>{"kebab", "case", "name"}));
}

TEST(Tokens, StemsFormsOfOneWordTogether) {
  EXPECT_EQ(stem("parse"), stem("parses"));
  EXPECT_EQ(stem("parse"), stem("parsing"));
  EXPECT_EQ(stem("parse"), stem("parsed"));
  EXPECT_EQ(stem("entries"), stem("entry"));
  EXPECT_EQ(stem("class"), "class");
  EXPECT_EQ(stem("status"), "status");
}

TEST(Tokens, TextDropsStopWords) {
  std::vector<std::string> out;
  text_tokens("Return the number of items in the queue.", out);
  EXPECT_EQ(out, (std::vector<std::string>{"return", "number", "item", stem("queue")}));
}

TEST(Bag, WeighsTheNameAboveTheRest) {
  doc_source src;
  src.name = "read_config";
  src.qualified_name = "app.settings.Loader.read_config";
  src.signature = "def read_config(self, path)";
  src.docstring = "Load the settings file.";
  src.callees = {"open", "json.load"};
  auto bag = build_bag(src);
  auto weight = [&](std::string_view t) {
    for (const auto& tw : bag)
      if (tw.term == t) return tw.weight;
    return 0.0f;
  };
  EXPECT_GT(weight("read"), weight("setting"));  // name over docstring
  EXPECT_GT(weight("read_config"), 0);           // the whole name is a term
  EXPECT_GT(weight("loader"), 0);                // enclosing type
  EXPECT_GT(weight("load"), 0);                  // callee and docstring
  EXPECT_GT(weight("path"), 0);                  // signature
  EXPECT_TRUE(std::is_sorted(bag.begin(), bag.end(), [](auto& a, auto& b) { return a.term < b.term; }));
  src.include_docstring = false;
  auto bare = build_bag(src);
  for (const auto& tw : bare) EXPECT_NE(tw.term, "file");
}

bm25_index three_docs() {
  bm25_index idx;
  auto bag = [](const char* name, const char* doc) {
    doc_source s;
    s.name = name;
    s.docstring = doc;
    return build_bag(s);
  };
  idx.add(0, bag("receive_message", "Read one message from the socket."));
  idx.add(1, bag("send_message", "Write one message to the socket."));
  idx.add(2, bag("parse_config", "Parse the configuration file."));
  return idx;
}

TEST(Bm25, RanksByTermsAndFiltersDocuments) {
  auto idx = three_docs();
  EXPECT_EQ(idx.documents(), 3u);
  auto hits = idx.search(query_terms("receive message"), 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].doc, 0u);  // both terms
  EXPECT_EQ(hits[1].doc, 1u);  // message only
  EXPECT_GT(hits[0].score, hits[1].score);
  auto filtered = idx.search(query_terms("receive message"), 10, [](uint32_t d) { return d != 0; });
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0].doc, 1u);
}

TEST(Bm25, ToleratesTyposAndCompletesPrefixes) {
  auto idx = three_docs();
  auto typo = idx.search(query_terms("recieve"), 10);  // transposed letters
  ASSERT_FALSE(typo.empty());
  EXPECT_EQ(typo[0].doc, 0u);
  auto prefix = idx.search(query_terms("configur"), 10);
  ASSERT_FALSE(prefix.empty());
  EXPECT_EQ(prefix[0].doc, 2u);
  EXPECT_TRUE(idx.search(query_terms("zzzzzz"), 10).empty());
}

// expand() looks only at candidate terms (by length, by first three bytes); it must
// give what comparing the query term with every live term gives.
TEST(Bm25, ExpansionEqualsAScanOfTheWholeVocabulary) {
  std::mt19937 rng(11);
  const std::string letters = "abcdeilmnorst";
  auto word = [&](size_t lo, size_t hi) {
    std::string w;
    for (size_t n = lo + rng() % (hi - lo + 1); n-- > 0;) w.push_back(letters[rng() % letters.size()]);
    return w;
  };
  bm25_index idx;
  std::vector<std::string> vocab;
  for (uint32_t d = 0; d < 1500; ++d) {
    term_bag bag;
    for (int t = 0; t < 3; ++t) {
      auto w = word(3, 10);
      vocab.push_back(w);
      bag.push_back({w, 1.0f});
    }
    std::sort(bag.begin(), bag.end(), [](auto& a, auto& b) { return a.term < b.term; });
    bag.erase(std::unique(bag.begin(), bag.end(), [](auto& a, auto& b) { return a.term == b.term; }), bag.end());
    idx.add(d, bag);
  }
  for (uint32_t d = 0; d < 1500; d += 7) idx.remove(d);  // some terms lose every posting
  std::set<std::string> live;
  for (uint32_t d = 0; d < 1500; ++d)
    if (idx.contains(d))
      for (const auto& w : {vocab[3 * d], vocab[3 * d + 1], vocab[3 * d + 2]}) live.insert(w);
  auto osa = [](const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
      for (size_t j = 1; j <= b.size(); ++j) {
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    return d[a.size()][b.size()];
  };
  auto postings = [&](const std::string& t) {
    size_t n = 0;
    for (uint32_t d = 0; d < 1500; ++d)
      if (idx.contains(d) && (vocab[3 * d] == t || vocab[3 * d + 1] == t || vocab[3 * d + 2] == t)) ++n;
    return n;
  };
  size_t typos = 0, prefixes = 0;
  for (int q = 0; q < 300; ++q) {
    std::string term = word(3, 11);
    if (live.count(term)) continue;
    // The reference: every live term, ranked as expand() ranks.
    std::vector<std::pair<std::string, float>> want;
    if (term.size() >= 4) {
      size_t limit = term.size() >= 8 ? 2 : 1;
      std::vector<std::tuple<size_t, size_t, std::string>> close;  // distance, -postings, term
      for (const auto& t : live)
        if (auto d = osa(term, t); d <= limit) close.emplace_back(d, 1000000 - postings(t), t);
      std::sort(close.begin(), close.end());
      for (size_t i = 0; i < close.size() && i < 4; ++i)
        want.emplace_back(std::get<2>(close[i]), std::get<0>(close[i]) == 1 ? 0.6f : 0.4f);
    }
    std::vector<std::pair<size_t, std::string>> longer;
    for (const auto& t : live)
      if (t.size() > term.size() && t.starts_with(term)) longer.emplace_back(t.size(), t);
    std::sort(longer.begin(), longer.end());
    for (size_t i = 0; i < longer.size() && i < 16; ++i) want.emplace_back(longer[i].second, 0.5f);
    auto got = idx.expand(term, true);
    // Equal ranks may come in either order (ties are broken by term id in the index).
    auto sorted = [](auto v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    if (want.size() == got.size() && want.size() <= 4 + 16)
      EXPECT_EQ(sorted(got), sorted(want)) << term;
    else
      EXPECT_EQ(got.size(), want.size()) << term;
    typos += std::count_if(got.begin(), got.end(), [](auto& e) { return e.second != 0.5f; });
    prefixes += std::count_if(got.begin(), got.end(), [](auto& e) { return e.second == 0.5f; });
  }
  EXPECT_GT(typos, 20u);
  EXPECT_GT(prefixes, 20u);
}

TEST(Bm25, RemoveAndReAddKeepTheIndexExact) {
  auto idx = three_docs();
  idx.remove(0);
  EXPECT_EQ(idx.documents(), 2u);
  for (const auto& h : idx.search(query_terms("receive message socket"), 10)) EXPECT_NE(h.doc, 0u);
  doc_source s;
  s.name = "receive_bytes";
  idx.add(0, build_bag(s));
  auto hits = idx.search(query_terms("receive"), 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].doc, 0u);
  idx.remove(0);
  idx.remove(0);  // twice: no effect
  EXPECT_EQ(idx.documents(), 2u);
}

// Searches share a length-normalisation table built for the index as it was; after
// every add, replacement or removal the scores equal those of an index built from
// scratch with the same documents (a stale table would score with old lengths).
TEST(Bm25, ScoresFollowEveryChangeExactly) {
  auto bag = [](std::string name, std::string doc) {
    doc_source s;
    s.name = std::move(name);
    s.docstring = std::move(doc);
    return build_bag(s);
  };
  std::vector<term_bag> docs = {bag("read_socket", "Read from the socket."), bag("write_socket", "Write it."),
                                bag("socket_pool", "A pool of socket connections kept open for reuse by clients.")};
  bm25_index live;
  for (uint32_t d = 0; d < docs.size(); ++d) live.add(d, docs[d]);
  auto same_as_fresh = [&](const char* when) {
    bm25_index fresh;
    for (uint32_t d = 0; d < docs.size(); ++d)
      if (!docs[d].empty()) fresh.add(d, docs[d]);
    auto a = live.search(query_terms("socket read"), 10), b = fresh.search(query_terms("socket read"), 10);
    ASSERT_EQ(a.size(), b.size()) << when;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].doc, b[i].doc) << when;
      EXPECT_EQ(a[i].score, b[i].score) << when;  // bit for bit
    }
  };
  same_as_fresh("built");
  docs.push_back(bag("socket", "socket socket"));  // a short document: the average length drops
  live.add(3, docs[3]);
  same_as_fresh("after an add");
  docs[0] = bag("read_socket_fully", "Read from the socket until the peer closes the connection, in chunks.");
  live.add(0, docs[0]);  // a replacement with another length
  same_as_fresh("after a replacement");
  docs[2] = {};
  live.remove(2);
  same_as_fresh("after a removal");
}

std::vector<term_bag> corpus() {
  // Five topics: "socket" always appears with "connect" and "recv", "json" with
  // "decode"; "helper" everywhere.
  static const char* names[] = {"socket_connect_recv", "json_decode_value", "draw_canvas_pixel", "hash_digest_block",
                                "queue_push_task"};
  std::vector<term_bag> bags;
  for (int i = 0; i < 100; ++i) {
    doc_source s;
    s.name = names[i % 5];
    s.docstring = "helper";
    bags.push_back(build_bag(s));
  }
  return bags;
}

TEST(Cooccurrence, LearnsNeighboursDeterministically) {
  auto bags = corpus();
  std::vector<const term_bag*> ptrs;
  for (auto& b : bags) ptrs.push_back(&b);
  auto m = cooccurrence_model::learn(ptrs);
  const auto* nb = m.neighbours("socket");
  ASSERT_NE(nb, nullptr);
  bool has_connect = false, has_json = false;
  for (const auto& n : *nb) {
    has_connect |= n.term == "connect";
    has_json |= n.term == "json";
  }
  EXPECT_TRUE(has_connect);
  EXPECT_FALSE(has_json);
  EXPECT_GT(m.idf("socket"), m.idf("helper"));
  auto again = cooccurrence_model::learn(ptrs);
  EXPECT_EQ(m.save(), again.save());
  auto loaded = cooccurrence_model::load(m.save());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->save(), m.save());
  EXPECT_FALSE(cooccurrence_model::load("junk").ok());
}

TEST(HashEmbedder, IsNormalisedDeterministicAndTopical) {
  hash_embedder e;
  ASSERT_EQ(e.dimension(), 384u);
  std::vector<float> a(384), b(384), c(384);
  ASSERT_TRUE(e.embed_query("open the socket connection", a.data()).ok());
  ASSERT_TRUE(e.embed_query("open the socket connection", b.data()).ok());
  ASSERT_TRUE(e.embed_query("decode json value", c.data()).ok());
  EXPECT_EQ(a, b);
  EXPECT_NEAR(dot(a, a), 1.0f, 1e-5);
  EXPECT_LT(dot(a, c), 0.3f);
}

TEST(HashEmbedder, CooccurrenceBringsRelatedTermsCloser) {
  auto bags = corpus();
  std::vector<const term_bag*> ptrs;
  for (auto& b : bags) ptrs.push_back(&b);
  auto model = std::make_shared<cooccurrence_model>(cooccurrence_model::learn(ptrs));
  hash_embedder plain, learnt({}, model);
  EXPECT_NE(plain.name(), learnt.name());
  std::vector<float> q1(384), d1(384), q2(384), d2(384);
  doc_source s;
  s.name = "socket_connect_recv";
  auto bag = build_bag(s);
  plain.embed_bag(bag, d1.data());
  learnt.embed_bag(bag, d2.data());
  ASSERT_TRUE(plain.embed_query("connect", q1.data()).ok());
  ASSERT_TRUE(learnt.embed_query("connect", q2.data()).ok());
  // "connect" alone now also carries "socket" and "recv": closer to the document.
  EXPECT_GT(dot(q2, d2), dot(q1, d1));
}

}  // namespace
}  // namespace cg
