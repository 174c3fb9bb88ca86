// The route table: declared routes bind, captures fill params, a known path with the
// wrong method lists its methods (405), and what is declared but not bound (or bound
// but not declared) is reported so the server refuses to start.
#include "net/app/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace cg::net {
namespace {

api_reply ok(api_request&) { return json_response(200, "{}"); }

api_request req(std::string method, std::string path) {
  api_request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(Router, CapturesFillParamsAndTheDeclarationGivesTheRule) {
  router r;
  ASSERT_TRUE(r.bind("GET", "/api/v1/projects/{name}/nodes/{id}/callers", ok));
  ASSERT_TRUE(r.bind("GET", "/api/v1/projects/{name}/nodes/{id}", ok));
  ASSERT_TRUE(r.bind("GET", "/health/live", ok));
  auto q = req("GET", "/api/v1/projects/cpython/nodes/00ff/callers");
  auto m = r.match(q);
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->pattern, "/api/v1/projects/{name}/nodes/{id}/callers");
  EXPECT_EQ(q.params.at("name"), "cpython");
  EXPECT_EQ(q.params.at("id"), "00ff");
  EXPECT_EQ(m.found->op, operation::graph_read);
  EXPECT_TRUE(m.found->blocking);
  // Repeated and trailing slashes do not make another path.
  auto q2 = req("GET", "//api/v1/projects/x/nodes/1/");
  ASSERT_NE(r.match(q2).found, nullptr);
  EXPECT_EQ(r.match(q2).found->pattern, "/api/v1/projects/{name}/nodes/{id}");
  auto h = req("GET", "/health/live");
  ASSERT_NE(r.match(h).found, nullptr);
  EXPECT_FALSE(r.match(h).found->blocking);
  EXPECT_EQ(r.match(h).found->op, operation::health);
}

TEST(Router, AKnownPathWithAnotherMethodListsItsMethods) {
  router r;
  ASSERT_TRUE(r.bind("GET", "/api/v1/projects", ok));
  ASSERT_TRUE(r.bind("POST", "/api/v1/projects", ok));
  auto q = req("DELETE", "/api/v1/projects");
  auto m = r.match(q);
  EXPECT_EQ(m.found, nullptr);
  EXPECT_TRUE(m.path_known);
  std::sort(m.allowed.begin(), m.allowed.end());
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "POST"}));
  auto unknown = req("GET", "/api/v2/nothing");
  auto u = r.match(unknown);
  EXPECT_EQ(u.found, nullptr);
  EXPECT_FALSE(u.path_known);
  // A capture needs a segment: the prefix alone is another path.
  auto shorter = req("GET", "/api/v1/projects/x/nodes");
  EXPECT_EQ(r.match(shorter).found, nullptr);
}

TEST(Router, UndeclaredAndUnboundRoutesAreProblems) {
  router r;
  EXPECT_FALSE(r.bind("GET", "/api/v1/secret-debug", ok));  // not in net/app/routes.cpp
  auto p = r.problems();
  EXPECT_NE(
      std::find(p.begin(), p.end(), "handler without a declaration in net/app/routes.cpp: GET /api/v1/secret-debug"),
      p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "declared route without a handler: GET /health/ready"), p.end());
  // Every declaration bound, nothing else: no problem left.
  router full;
  for (const auto& d : rest_routes()) ASSERT_TRUE(full.bind(d.method, d.pattern, ok));
  EXPECT_TRUE(full.problems().empty());
  EXPECT_EQ(full.routes().size(), rest_routes().size());
}

TEST(Router, ErrorsHaveOneShape) {
  auto e = error_response(404, "not_found", "no project \"x\"", "req-1");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.body, R"({"error":{"code":"not_found","message":"no project \"x\"","request_id":"req-1"}})");
}

}  // namespace
}  // namespace cg::net
