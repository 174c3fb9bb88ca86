// The cost estimate (schema/graphql/cost.hpp) on the CodeGraph schema itself: list
// sizes from arguments, defaults, variables and the field above, walks multiplied by
// depth, aliases and fragments counted as executed, introspection cheap, and the
// hostile probe's query refused with its cost in the message.
#include "schema/graphql/cost.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cg::gql {
namespace {

std::shared_ptr<schema> codegraph_schema() {
  std::ifstream in(std::string(CODEGRAPH_SOURCE_DIR) + "/schema/codegraph.graphql");
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = schema::from_sdl(ss.str());
  if (!s.ok()) throw std::runtime_error(s.err().message);
  return *s;
}

struct Cost : ::testing::Test {
  std::shared_ptr<schema> s = codegraph_schema();
  cost_options o;
  uint64_t cost(const std::string& q, json vars = json::object()) {
    request r;
    r.query = q;
    r.variables = std::move(vars);
    auto p = prepare(*s, r);
    EXPECT_TRUE(p.errors.empty()) << (p.errors.empty() ? "" : p.errors[0].message);
    return estimate_cost(*s, p, o);
  }
};

TEST_F(Cost, LeavesAreFreeObjectsCountOnce) {
  EXPECT_EQ(cost("{ projects { name } }"), 100u);  // a list without a size: default_list_size
  EXPECT_EQ(cost(R"({ node(project: "p", id: "0000000000000001") { id name } })"), 1u);
  EXPECT_EQ(cost(R"({ node(project: "p", id: "0000000000000001") { parent { id } } })"), 2u);
  EXPECT_EQ(cost("{ __typename }"), 0u);
}

TEST_F(Cost, SizesFromArgumentsDefaultsVariablesAndTheFieldAbove) {
  // Node.callers: limit 100 by default, depth 1: 100 x (1 + 0).
  EXPECT_EQ(cost(R"({ node(project: "p", id: "0000000000000001") { callers { name } } })"), 1u + 100u);
  EXPECT_EQ(cost(R"({ node(project: "p", id: "0000000000000001") { callers(limit: 7, depth: 3) { name } } })"),
            1u + 7u * 3u);
  EXPECT_EQ(cost(R"(query($n: Int) { node(project: "p", id: "0000000000000001") { callers(limit: $n) { name } } })",
                 json{{"n", 9}}),
            1u + 9u);
  // nodes(pagination: {first}) hands its size to NodeConnection.nodes; Pagination.first defaults to 50.
  EXPECT_EQ(cost(R"({ nodes(project: "p", pagination: {first: 20}) { nodes { id } } })"), 1u + 20u);
  EXPECT_EQ(cost(R"({ nodes(project: "p") { nodes { id } } })"), 1u + 50u);
  // search(options: {k}) hands k to SearchResult.hits; SearchOptions.k defaults to 10.
  EXPECT_EQ(cost(R"({ search(project: "p", query: "x") { hits { node { id } } } })"), 1u + 10u * 2u);
  EXPECT_EQ(cost(R"({ search(project: "p", query: "x", options: {k: 3}) { hits { id } } })"), 1u + 3u);
  // Lists the server bounds itself.
  o.list_sizes["Query.callers"] = 1000;
  EXPECT_EQ(cost(R"({ callers(project: "p", nodeId: "0000000000000001", depth: 2) { id } })"), 1000u * 2u);
}

TEST_F(Cost, NestingMultipliesAliasesAddFragmentsCountAsExecuted) {
  auto one =
      cost(R"({ node(project: "p", id: "0000000000000001") { callers(limit: 10) { callees(limit: 10) { name } } } })");
  EXPECT_EQ(one, 1u + 10u * (1u + 10u));
  auto two =
      cost(R"({ a: node(project: "p", id: "0000000000000001") { callers(limit: 10) { callees(limit: 10) { name } } }
                      b: node(project: "p", id: "0000000000000002") { callers(limit: 10) { callees(limit: 10) { name } } } })");
  EXPECT_EQ(two, 2 * one);
  // A fragment spread twice into one selection set is executed once.
  auto frag = cost(R"({ node(project: "p", id: "0000000000000001") { ...F ...F } }
                      fragment F on Node { callers(limit: 10) { name } })");
  EXPECT_EQ(frag, 1u + 10u);
  // Same-named fields merge (their selections are one).
  EXPECT_EQ(
      cost(R"({ node(project: "p", id: "0000000000000001") { callers(limit: 4) { id } callers(limit: 4) { name } } })"),
      1u + 4u);
  // @skip leaves a field out.
  EXPECT_EQ(cost(R"({ node(project: "p", id: "0000000000000001") { callers(limit: 4) @skip(if: true) { id } } })"), 1u);
}

TEST_F(Cost, IntrospectionIsCheap) {
  auto c = cost(
      "{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }");
  EXPECT_LE(c, 1u);
}

TEST_F(Cost, TheProbesQueryIsRefusedWithItsCost) {
  std::string q = "{";
  for (int i = 0; i < 300; ++i)
    q +=
        " a" + std::to_string(i) +
        R"(: nodes(project: "p", pagination: {first: 500}) { nodes { callers(depth: 5) { callees(depth: 5) { name } } } })";
  q += "}";
  request r;
  r.query = q;
  auto p = prepare(*s, r);
  ASSERT_TRUE(p.errors.empty());
  o.max_cost = 250000;
  uint64_t c = 0;
  auto e = check_cost(*s, p, o, &c);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "QUERY_TOO_COMPLEX");
  EXPECT_GT(c, o.max_cost);
  EXPECT_NE(e->message.find("over the limit of 250000"), std::string::npos) << e->message;
  EXPECT_NE(e->message.find(std::to_string(c)), std::string::npos) << e->message;
  // The estimate stopped early (16 x the limit): the message says "at least".
  EXPECT_NE(e->message.find("at least"), std::string::npos) << e->message;
  // One alias alone, under a limit it is within 16 times of: its exact cost in the message.
  o.max_cost = 2000000;
  request one;
  one.query =
      R"({ nodes(project: "p", pagination: {first: 500}) { nodes { callers(depth: 5) { callees(depth: 5) { name } } } } })";
  auto p1 = prepare(*s, one);
  auto e1 = check_cost(*s, p1, o, &c);
  ASSERT_TRUE(e1.has_value());
  EXPECT_EQ(c, 1u + 500u * (1u + 100u * (5u + 100u * 5u)));
  EXPECT_NE(e1->message.find("is " + std::to_string(c)), std::string::npos) << e1->message;
  // Within the limit, or no limit: no error.
  o.max_cost = 0;
  EXPECT_FALSE(check_cost(*s, p, o).has_value());
}

TEST_F(Cost, AHostileFragmentTreeCostsTheEstimatorLittle) {
  // Each fragment spreads the next twice under two object fields: 2^40 paths.
  std::string q = R"({ node(project: "p", id: "0000000000000001") { ...F0 } })";
  for (int i = 0; i < 40; ++i)
    q += " fragment F" + std::to_string(i) + " on Node { parent { ...F" + std::to_string(i + 1) +
         " } children(limit: 1) { ...F" + std::to_string(i + 1) + " } }";
  q += " fragment F40 on Node { id }";
  request r;
  r.query = q;
  auto p = prepare(*s, r);
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  o.max_cost = 100000;
  auto t0 = std::chrono::steady_clock::now();
  auto e = check_cost(*s, p, o);
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(e.has_value());
  EXPECT_LT(ms, 50.0);
}

}  // namespace
}  // namespace cg::gql
