// codegraph search / similar / vectors: the search index built while indexing, its
// answers, streaming, filters, rebuild, and usage errors.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/loopback_http.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

struct search_cli : ::testing::Test {
  static void SetUpTestSuite() {
    data = new temp_dir("search-data");
    auto r =
        run_cli({"index", source_dir() + "/tests/fixtures", "--data-dir", data->str(), "--project", "fx", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    index_json = new json(json::parse(r.out));
  }
  static void TearDownTestSuite() {
    delete data;
    delete index_json;
  }
  static inline temp_dir* data = nullptr;
  static inline json* index_json = nullptr;
  cli_result q(std::vector<std::string> args) {
    args.push_back("--data-dir");
    args.push_back(data->str());
    return run_cli(args);
  }
  json qj(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = q(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
};

TEST_F(search_cli, IndexBuildsTheSearchIndex) {
  const auto& v = (*index_json)["vectors"];
  EXPECT_TRUE(v["synced"].get<bool>());
  EXPECT_GT(v["documents"].get<int>(), 20);
  EXPECT_EQ(v["added"], v["documents"]);
  auto s = qj({"vectors", "stats"});
  EXPECT_EQ(s["documents"], v["documents"]);
  EXPECT_EQ(s["dimension"], 384);
  EXPECT_EQ(s["index"], "flat");
  EXPECT_GT(s["vocabulary"].get<int>(), 10);
}

TEST_F(search_cli, FindsByNameAndExplainsWhy) {
  auto j = qj({"search", "checkout", "-k", "3"});
  ASSERT_FALSE(j["hits"].empty());
  const auto& top = j["hits"][0];
  EXPECT_EQ(top["name"], "checkout");
  EXPECT_EQ(top["file"], "python/shop/store.py");
  EXPECT_EQ(top["line"], 17);
  EXPECT_EQ(top["reasons"][0], "name match");
  EXPECT_GT(top["bm25_rank"].get<int>(), 0);
  EXPECT_LE(j["hits"].size(), 3u);
}

TEST_F(search_cli, FiltersAndModes) {
  auto j = qj({"search", "save", "--lang", "go", "-k", "20"});
  for (const auto& h : j["hits"]) EXPECT_EQ(h["language"], "go");
  j = qj({"search", "save", "--kind", "method", "--path", "python/**", "--mode", "exact"});
  ASSERT_FALSE(j["hits"].empty());
  for (const auto& h : j["hits"]) {
    EXPECT_EQ(h["kind"], "method");
    EXPECT_TRUE(h["file"].get<std::string>().starts_with("python/")) << h["file"];
  }
}

TEST_F(search_cli, StreamsBatchesAsNdjson) {
  auto r = q({"search", "order product total", "-k", "7", "--batch", "3", "--ndjson"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<json> batches;
  while (std::getline(lines, line)) batches.push_back(json::parse(line));
  ASSERT_EQ(batches.size(), 3u);  // 3 + 3 + 1
  EXPECT_EQ(batches[0]["hits"].size(), 3u);
  EXPECT_EQ(batches[2]["hits"].size(), 1u);
  EXPECT_FALSE(batches[0]["last"].get<bool>());
  EXPECT_TRUE(batches[2]["last"].get<bool>());
  EXPECT_EQ(batches[1]["total"], 7);
}

TEST_F(search_cli, SimilarAndRebuild) {
  auto j = qj({"similar", "apply_tax", "--threshold", "0", "-k", "4"});
  ASSERT_FALSE(j["hits"].empty());
  for (const auto& h : j["hits"]) EXPECT_NE(h["name"], "apply_tax");
  auto before = qj({"search", "tax amount", "-k", "5"});
  EXPECT_TRUE(qj({"vectors", "stats"})["model_pending"].get<bool>());  // the index run left it
  auto rebuilt = qj({"vectors", "rebuild"});
  EXPECT_EQ(rebuilt["documents"], (*index_json)["vectors"]["documents"]);
  auto stats = qj({"vectors", "stats"});
  EXPECT_FALSE(stats["model_pending"].get<bool>());
  EXPECT_GT(stats["model_terms"].get<size_t>(), 0u);
  auto after = qj({"search", "tax amount", "-k", "5"});
  auto names = [](const json& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h["name"]);
    return out;
  };
  EXPECT_EQ(names(before["hits"]), names(after["hits"]));  // the model moves scores, not this answer
  qj({"vectors", "rebuild"});
  EXPECT_EQ(after["hits"], qj({"search", "tax amount", "-k", "5"})["hits"]);  // deterministic: same corpus, same model
}

TEST_F(search_cli, UsageErrors) {
  EXPECT_EQ(q({"search", "x", "--mode", "sloppy"}).exit_code, 1);
  EXPECT_EQ(q({"search", "   "}).exit_code, 1);
  EXPECT_EQ(q({"search", "x", "--lang", "cobol"}).exit_code, 1);
  EXPECT_EQ(q({"vectors"}).exit_code, 1);
  auto r = q({"similar", "no_such_definition_anywhere"});
  EXPECT_EQ(r.exit_code, 2);
  auto bad = run_cli({"search", "x", "--data-dir", data->str()}, {"CODEGRAPH_SEARCH_INDEX=annoy"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("search.index"), std::string::npos);
}

// An OpenAI-compatible provider configured by environment: indexing embeds through
// it, searching embeds the query through it; when it breaks, the index run says so,
// the graph still lands, and searches answer from the last good search index.
TEST(search_cli_provider, EmbedsThroughAnOpenAiCompatibleServer) {
  std::atomic<bool> broken{false};
  std::atomic<size_t> inputs{0};
  test::loopback_http_server srv([&](const test::loopback_request& rq) {
    if (broken) return test::loopback_reply{500, R"({"error":{"message":"model crashed"}})"};
    auto body = json::parse(rq.body);
    json data = json::array();
    for (size_t i = 0; i < body["input"].size(); ++i) {
      std::vector<float> v(12, 0.1f);
      for (char ch : body["input"][i].get<std::string>()) v[static_cast<unsigned char>(ch) % 12] += 1;
      data.push_back({{"index", i}, {"embedding", v}});
    }
    inputs += body["input"].size();
    return test::loopback_reply{200, json{{"data", data}}.dump()};
  });
  temp_dir data("prov-cli"), root("prov-cli-root");
  write_file(root / "shop/cart.py",
             "def checkout(cart):\n    \"\"\"Pay for the cart.\"\"\"\n    return total(cart)\n\n"
             "def total(cart):\n    return sum(cart)\n");
  std::vector<std::string> env{"CODEGRAPH_EMBEDDINGS_PROVIDER=openai", "CODEGRAPH_EMBEDDINGS_BASE_URL=" + srv.url(),
                               "CODEGRAPH_EMBEDDINGS_MODEL=tiny", "CODEGRAPH_EMBEDDINGS_DIMENSION=12",
                               "CODEGRAPH_EMBEDDINGS_TIMEOUT_MS=2000"};
  auto idx = run_cli({"index", root.str(), "--data-dir", data.str(), "--json"}, env);
  ASSERT_EQ(idx.exit_code, 0) << idx.err;
  auto sum = json::parse(idx.out);
  EXPECT_TRUE(sum["vectors"]["synced"].get<bool>()) << idx.out;
  EXPECT_EQ(inputs.load(), sum["vectors"]["documents"].get<size_t>());
  auto stats = run_cli({"vectors", "stats", "--data-dir", data.str(), "--json"}, env);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(json::parse(stats.out)["embedder"], "openai:tiny");
  EXPECT_EQ(json::parse(stats.out)["dimension"], 12);
  size_t before_query = srv.requests();
  auto s = run_cli({"search", "checkout", "--data-dir", data.str(), "--json"}, env);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(json::parse(s.out)["hits"][0]["name"], "checkout");
  EXPECT_EQ(srv.requests(), before_query + 1);  // the query's embedding

  broken = true;
  write_file(root / "shop/refund.py", "def refund(order):\n    return order\n");
  auto env_fast = env;
  env_fast.push_back("CODEGRAPH_EMBEDDINGS_ATTEMPTS=2");
  env_fast.push_back("CODEGRAPH_EMBEDDINGS_BACKOFF_MS=20");
  idx = run_cli({"index", root.str(), "--data-dir", data.str(), "--json"}, env_fast);
  EXPECT_EQ(idx.exit_code, 0) << idx.err;  // the graph landed
  sum = json::parse(idx.out);
  EXPECT_FALSE(sum["vectors"]["synced"].get<bool>());
  EXPECT_NE(sum["vectors"]["error"].get<std::string>().find("HTTP 500: model crashed"), std::string::npos) << idx.out;
  s = run_cli({"search", "checkout", "--data-dir", data.str(), "--json"}, env_fast);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(json::parse(s.out)["hits"][0]["name"], "checkout");
  EXPECT_NE(s.err.find("last synced state"), std::string::npos) << s.err;

  auto bad = run_cli({"search", "x", "--data-dir", data.str()},
                     {"CODEGRAPH_EMBEDDINGS_PROVIDER=openai", "CODEGRAPH_EMBEDDINGS_BASE_URL=localhost:1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("embeddings.base_url"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace cg
