// The rule table: one rule per operation in enum order, and authorize() on roles,
// scopes and the fail-closed cases; every declared REST route names an operation.
#include "net/app/policy.hpp"

#include <gtest/gtest.h>

#include <set>

#include "net/app/routes.hpp"

namespace cg::net {
namespace {

principal as(role r, std::string project = {}) { return principal{"t", r, std::move(project), "api_key"}; }

TEST(Policy, OneRulePerOperationInEnumOrder) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < rules().size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(rules()[i].op), i) << rules()[i].name;
    EXPECT_TRUE(names.insert(rules()[i].name).second) << "duplicate name " << rules()[i].name;
  }
  EXPECT_EQ(rules().size(), static_cast<size_t>(operation::mcp) + 1);  // the last operation
}

TEST(Policy, BackupsAreForAdmins) {
  EXPECT_TRUE(authorize(as(role::admin), operation::backup_write, "").allowed);
  EXPECT_TRUE(authorize(as(role::admin), operation::backup_read, "").allowed);
  EXPECT_EQ(authorize(as(role::writer), operation::backup_read, "").status, 403);
  EXPECT_EQ(authorize(as(role::admin, "a"), operation::backup_write, "a").status, 403);
}

TEST(Policy, RolesAndScopes) {
  EXPECT_TRUE(authorize(as(role::reader), operation::graph_read, "a").allowed);
  EXPECT_TRUE(authorize(as(role::reader, "a"), operation::graph_read, "a").allowed);
  auto other = authorize(as(role::admin, "a"), operation::graph_read, "b");
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.message.find("scoped to project a"), std::string::npos);
  // A scoped principal and no project named: refused (fail closed).
  EXPECT_FALSE(authorize(as(role::admin, "a"), operation::project_delete, "").allowed);
  auto low = authorize(as(role::writer), operation::project_create, "x");
  EXPECT_FALSE(low.allowed);
  EXPECT_EQ(low.status, 403);
  EXPECT_NE(low.message.find("admin"), std::string::npos);
  EXPECT_TRUE(authorize(as(role::writer), operation::project_index, "x").allowed);
  EXPECT_FALSE(authorize(as(role::writer), operation::project_reroot, "x").allowed);
  EXPECT_FALSE(authorize(as(role::reader), operation::node_write, "x").allowed);
  // No credentials: 401 where a role is needed, allowed where none is.
  EXPECT_EQ(authorize(principal{}, operation::metrics).status, 401);
  EXPECT_TRUE(authorize(principal{}, operation::health).allowed);
  // Scope rules that name no single project ignore the project.
  EXPECT_TRUE(authorize(as(role::reader, "a"), operation::project_list, "zzz").allowed);
  EXPECT_TRUE(authorize(as(role::reader, "a"), operation::parse_snippet).allowed);
}

TEST(Policy, EveryRouteIsDeclaredOnceWithAKnownOperation) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& r : rest_routes()) {
    EXPECT_TRUE(seen.insert({r.method, r.pattern}).second) << r.method << " " << r.pattern;
    EXPECT_LT(static_cast<size_t>(r.op), rules().size());
    // A route whose rule names a project either has {name} in its path or checks the
    // project in its handler (tasks: their project is looked up).
    if (rule_of(r.op).scope == scope_rule::project && r.pattern.find("{name}") == std::string_view::npos)
      EXPECT_TRUE(r.pattern.starts_with("/api/v1/tasks/") || r.pattern == "/ws" || r.pattern == "/api/v1/projects")
          << r.method << " " << r.pattern;
    // State-changing methods are never quick inline handlers that skip the checks.
    if (r.method != "GET") EXPECT_NE(rule_of(r.op).need, role::none) << r.pattern;
  }
}

}  // namespace
}  // namespace cg::net
