// Execution budgets: an operation stops early, with one error naming the budget, when
// its time or memory budget is spent, when it is cancelled (the client went away) or
// when the server shuts down; resolvers that loop check the budget too.
#include "schema/graphql/budget.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "schema/graphql/execute.hpp"

namespace cg::gql {
namespace {

constexpr const char* sdl = R"(
type Item { v: Int! blob: String! slow: Int! }
type Query { items(n: Int!): [Item!]! }
)";

struct Budget : ::testing::Test {
  std::shared_ptr<schema> s;
  std::atomic<int> slow_calls{0};
  void SetUp() override {
    auto r = schema::from_sdl(sdl);
    ASSERT_TRUE(r.ok()) << r.err().message;
    s = *r;
    ASSERT_TRUE(s->resolve("Query", "items", each([](const json&, const json& args, context&) {
                             json arr = json::array();
                             for (int i = 0; i < args["n"].get<int>(); ++i)
                               arr.push_back(json{{"v", i}, {"blob", std::string(1000, 'x')}});
                             return field_value{arr};
                           }))
                    .ok());
    // Slow per parent, and it looks at the budget between parents.
    ASSERT_TRUE(s->resolve("Item", "slow", [this](const std::vector<const json*>& ps, const json&, context& c) {
                   std::vector<field_value> out;
                   for (size_t i = 0; i < ps.size(); ++i) {
                     if (c.stopped()) return std::vector<field_value>(ps.size(), field_value::fail("stopped"));
                     ++slow_calls;
                     std::this_thread::sleep_for(std::chrono::milliseconds(2));
                     out.push_back(json(1));
                   }
                   return out;
                 }).ok());
  }
  json run(const std::string& q, std::shared_ptr<exec_budget> b) {
    request r;
    r.query = q;
    auto p = prepare(*s, r);
    EXPECT_TRUE(p.errors.empty());
    context ctx;
    ctx.budget = std::move(b);
    return execute(*s, p, ctx);
  }
};

TEST_F(Budget, TimeBudgetStopsALongOperation) {
  auto b = std::make_shared<exec_budget>(std::chrono::milliseconds(60), 0);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run("{ items(n: 2000) { v slow } }", b);
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ms, 1000.0);  // 2000 x 2 ms would be 4 s
  EXPECT_LT(slow_calls.load(), 2000);
  ASSERT_TRUE(r.contains("errors"));
  ASSERT_EQ(r["errors"].size(), 1u) << r.dump();
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "TIME_BUDGET_EXCEEDED");
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("60 ms"), std::string::npos);
  EXPECT_TRUE(r["data"].is_null());
  EXPECT_EQ(b->why(), exec_budget::reason::time);
}

TEST_F(Budget, MemoryBudgetStopsAGrowingResult) {
  auto b = std::make_shared<exec_budget>(std::chrono::milliseconds(0), 1u << 20);
  auto r = run("{ items(n: 5000) { v blob } }", b);  // ~5 MB of strings
  ASSERT_TRUE(r.contains("errors")) << r.dump().substr(0, 200);
  ASSERT_EQ(r["errors"].size(), 1u);
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "MEMORY_BUDGET_EXCEEDED");
  EXPECT_GT(b->charged(), 1u << 20);
  // Within the budget: the whole answer.
  auto ok = run("{ items(n: 100) { v blob } }", std::make_shared<exec_budget>(std::chrono::milliseconds(0), 1u << 20));
  EXPECT_FALSE(ok.contains("errors"));
  EXPECT_EQ(ok["data"]["items"].size(), 100u);
}

TEST_F(Budget, CancellationAndShutdownStopIt) {
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto b = std::make_shared<exec_budget>(std::chrono::milliseconds(0), 0);
  b->watch(flag);
  std::thread canceller([flag] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    flag->store(true);
  });
  auto r = run("{ items(n: 2000) { slow } }", b);
  canceller.join();
  ASSERT_EQ(r["errors"].size(), 1u);
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "OPERATION_CANCELLED");

  std::atomic<bool> shutdown{true};
  auto b2 = std::make_shared<exec_budget>(std::chrono::milliseconds(0), 0);
  b2->watch_shutdown(&shutdown);
  auto r2 = run("{ items(n: 10) { v } }", b2);
  EXPECT_EQ(r2["errors"][0]["extensions"]["code"], "SHUTTING_DOWN");
}

TEST_F(Budget, RestartGivesAFreshAllowanceButNotAfterCancellation) {
  exec_budget b(std::chrono::milliseconds(0), 100);
  b.charge(200);
  EXPECT_TRUE(b.stopped());
  EXPECT_EQ(b.why(), exec_budget::reason::memory);
  b.restart();
  EXPECT_FALSE(b.stopped());
  auto flag = std::make_shared<std::atomic<bool>>(true);
  b.watch(flag);
  EXPECT_TRUE(b.stopped());
  b.restart();
  EXPECT_TRUE(b.stopped());  // cancellation sticks
  EXPECT_EQ(b.code(), "OPERATION_CANCELLED");
}

}  // namespace
}  // namespace cg::gql
