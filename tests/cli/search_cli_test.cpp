// codegraph search / similar / vectors: the search index built while indexing, its
// answers, streaming, filters, rebuild, and usage errors.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

struct search_cli : ::testing::Test {
  static void SetUpTestSuite() {
    data = new temp_dir("search-data");
    auto r = run_cli({"index", source_dir() + "/tests/fixtures", "--data-dir", data->str(), "--project", "fx", "--json"});
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
  auto rebuilt = qj({"vectors", "rebuild"});
  EXPECT_EQ(rebuilt["documents"], (*index_json)["vectors"]["documents"]);
  auto after = qj({"search", "tax amount", "-k", "5"});
  EXPECT_EQ(before["hits"], after["hits"]);  // deterministic: same corpus, same model, same answers
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

}  // namespace
}  // namespace cg
