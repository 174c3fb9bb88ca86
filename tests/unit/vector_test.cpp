// Tokens, term bags, BM25, the co-occurrence model and the built-in embedder.
#include <gtest/gtest.h>

#include <cmath>

#include "actors/vector/bm25.hpp"
#include "actors/vector/cooccurrence.hpp"
#include "actors/vector/document.hpp"
#include "actors/vector/hash_embedder.hpp"
#include "actors/vector/tokens.hpp"

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
