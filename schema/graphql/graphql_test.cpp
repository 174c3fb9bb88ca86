// The GraphQL engine on a small schema of its own: lexing and block strings,
// batched loading (round trips bounded by depth, not by list sizes), concurrent
// siblings, null propagation, variables, fragments on abstract types, subscriptions.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "schema/graphql/execute.hpp"
#include "schema/graphql/lexer.hpp"

namespace cg::gql {
namespace {

constexpr const char* sdl = R"(
interface Named { name: String! }
type Person implements Named { name: String! friends: [Person!]! age: Int boss: Person! }
type Robot implements Named { name: String! model: String }
union Thing = Person | Robot
type Query {
  people(n: Int = 3): [Person!]!
  things: [Thing!]!
  slowA: Int
  slowB: Int
  fails: Int
  strict: Int!
  echo(v: [Int!], s: String = "dflt"): String
}
type Subscription { ticks(n: Int!): Int! }
)";

struct fixture : ::testing::Test {
  std::shared_ptr<schema> s;
  std::atomic<int> friend_calls{0}, boss_calls{0};
  void SetUp() override {
    auto r = schema::from_sdl(sdl);
    ASSERT_TRUE(r.ok()) << r.err().message;
    s = *r;
    auto person = [](int i) { return json{{"name", "p" + std::to_string(i)}, {"i", i}, {"age", 20 + i}}; };
    ASSERT_TRUE(s->resolve("Query", "people", each([person](const json&, const json& args, context&) {
                             json arr = json::array();
                             for (int i = 0; i < args["n"].get<int>(); ++i) arr.push_back(person(i));
                             return field_value{arr};
                           }))
                    .ok());
    ASSERT_TRUE(
        s->resolve("Person", "friends", [this, person](const std::vector<const json*>& ps, const json&, context&) {
           ++friend_calls;
           std::vector<field_value> out;
           for (const auto* p : ps) {
             int i = (*p)["i"].get<int>();
             out.push_back(json::array({person(i * 10 + 1), person(i * 10 + 2)}));
           }
           return out;
         }).ok());
    ASSERT_TRUE(s->resolve("Person", "boss", [this](const std::vector<const json*>& ps, const json&, context&) {
                   ++boss_calls;
                   std::vector<field_value> out;
                   for (const auto* p : ps)
                     out.push_back((*p)["i"].get<int>() == 1 ? json(nullptr) : json{{"name", "b"}, {"i", 0}});
                   return out;
                 }).ok());
    ASSERT_TRUE(s->resolve("Query", "things", each([](const json&, const json&, context&) {
                             return field_value{
                                 json::array({json{{"__typename", "Person"}, {"name", "ann"}, {"i", 0}, {"age", 20}},
                                              json{{"__typename", "Robot"}, {"name", "r2"}, {"model", "astromech"}}})};
                           }))
                    .ok());
    for (const char* f : {"slowA", "slowB"})
      ASSERT_TRUE(s->resolve("Query", f, each([](const json&, const json&, context&) {
                               std::this_thread::sleep_for(std::chrono::milliseconds(200));
                               return field_value{json(1)};
                             }),
                             true)
                      .ok());
    ASSERT_TRUE(s->resolve("Query", "fails", each([](const json&, const json&, context&) {
                             return field_value::fail("it broke", "BROKEN");
                           }))
                    .ok());
    ASSERT_TRUE(s->resolve("Query", "strict",
                           each([](const json&, const json&, context&) { return field_value{json(nullptr)}; }))
                    .ok());
    ASSERT_TRUE(s->resolve("Query", "echo",
                           each([](const json&, const json& args, context&) { return field_value{json(args.dump())}; }))
                    .ok());
  }
  json run(const std::string& q, json vars = json::object()) {
    request r;
    r.query = q;
    r.variables = std::move(vars);
    auto p = prepare(*s, r);
    context ctx;
    return execute(*s, p, ctx);
  }
};

TEST(graphql_lexer, block_strings_are_dedented_and_escapes_decoded) {
  EXPECT_EQ(block_string_value("\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  "),
            "Hello,\n  World!\n\nYours,\n  GraphQL.");
  lexer lx(R"("a\u00e9\u{1F600}\n" """ x \""" """ -12.5e3 ... # c)");
  token t;
  std::string err;
  ASSERT_TRUE(lx.next(t, err));
  EXPECT_EQ(t.value, "a\xc3\xa9\xf0\x9f\x98\x80\n");
  ASSERT_TRUE(lx.next(t, err));
  EXPECT_EQ(t.k, token::kind::block_string);
  EXPECT_EQ(t.value, " x \"\"\" ");  // the first line keeps its spaces (spec BlockStringValue)
  ASSERT_TRUE(lx.next(t, err));
  EXPECT_EQ(t.k, token::kind::float_);
  ASSERT_TRUE(lx.next(t, err));
  EXPECT_EQ(t.k, token::kind::spread);
  ASSERT_TRUE(lx.next(t, err));
  EXPECT_EQ(t.k, token::kind::eof);
  lexer bad("\"\\uD800\"");
  EXPECT_FALSE(bad.next(t, err));
}

TEST(graphql_parser, deep_nesting_and_token_floods_are_refused_not_crashing) {
  std::string deep(5000, '[');
  auto r = parse("{ a(x: " + deep + ") }");
  ASSERT_TRUE(std::holds_alternative<gql_error>(r));
  EXPECT_NE(std::get<gql_error>(r).message.find("nested too deeply"), std::string::npos);
  std::string flood = "{";
  for (int i = 0; i < 200000; ++i) flood += " a";
  flood += " }";
  auto f = parse(flood);
  ASSERT_TRUE(std::holds_alternative<gql_error>(f));
  EXPECT_NE(std::get<gql_error>(f).message.find("tokens"), std::string::npos);
}

TEST_F(fixture, batched_loading_costs_one_call_per_level_not_per_object) {
  auto r = run("{ people(n: 50) { name friends { name friends { name } } } }");
  ASSERT_FALSE(r.contains("errors")) << r.dump();
  EXPECT_EQ(r["data"]["people"].size(), 50u);
  EXPECT_EQ(r["data"]["people"][3]["friends"][1]["friends"][0]["name"], "p321");
  EXPECT_EQ(friend_calls.load(), 2);  // two levels of friends: 50 + 100 parents in 2 calls
}

TEST_F(fixture, concurrent_siblings_overlap) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = run("{ slowA slowB }");
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r["data"]["slowA"], 1);
  EXPECT_EQ(r["data"]["slowB"], 1);
  EXPECT_LT(ms, 380);  // 2 x 200 ms one after the other would be 400
}

TEST_F(fixture, errors_null_their_field_and_propagate_through_non_null) {
  auto r = run("{ fails people(n: 2) { name } }");
  EXPECT_TRUE(r["data"]["fails"].is_null());
  EXPECT_EQ(r["errors"][0]["message"], "it broke");
  EXPECT_EQ(r["errors"][0]["path"], json::array({"fails"}));
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "BROKEN");
  EXPECT_EQ(r["data"]["people"].size(), 2u);
  // Person 1's boss (Person!) is null: person 1 cannot be, so neither can the
  // non-null list [Person!]!, so data is null.
  auto q = run("{ people(n: 2) { name boss { name } } }");
  EXPECT_TRUE(q["data"].is_null()) << q.dump();
  EXPECT_EQ(q["errors"].size(), 1u);
  EXPECT_EQ(q["errors"][0]["message"], "Cannot return null for non-nullable field Person.boss.");
  EXPECT_EQ(q["errors"][0]["path"], json::array({"people", 1, "boss"}));
  auto st = run("{ strict }");
  EXPECT_TRUE(st["data"].is_null());
}

TEST_F(fixture, variables_defaults_and_coercion) {
  EXPECT_EQ(run("{ echo(v: 3) }")["data"]["echo"], R"({"v":[3],"s":"dflt"})");
  EXPECT_EQ(run("query ($v: [Int!]) { echo(v: $v, s: \"x\") }", {{"v", {1, 2}}})["data"]["echo"],
            R"({"v":[1,2],"s":"x"})");
  auto bad = run("query ($v: [Int!]) { echo(v: $v) }", {{"v", {1, "two"}}});
  EXPECT_FALSE(bad.contains("data"));
  EXPECT_EQ(bad["errors"][0]["message"],
            R"(Variable "$v" got invalid value [1, "two"]; Int cannot represent non-integer value: "two" at "[1]")");
  auto big = run("{ echo(v: 3000000000) }");
  EXPECT_EQ(big["errors"][0]["message"], "Int cannot represent non 32-bit signed integer value: 3000000000");
}

TEST_F(fixture, fragments_on_interfaces_and_unions) {
  auto r =
      run("{ things { __typename ... on Named { name } ... on Robot { model } ...P } } fragment P on Person { age }");
  ASSERT_FALSE(r.contains("errors")) << r.dump();
  EXPECT_EQ(r["data"]["things"][0], (json{{"__typename", "Person"}, {"name", "ann"}, {"age", 20}}));
  EXPECT_EQ(r["data"]["things"][1], (json{{"__typename", "Robot"}, {"name", "r2"}, {"model", "astromech"}}));
}

TEST_F(fixture, subscriptions_map_each_event_through_the_selection) {
  struct ticker : stream_handle {
    std::thread t;
    std::atomic<bool> stop{false};
    ~ticker() override {
      stop = true;
      t.join();
    }
  };
  ASSERT_TRUE(s->subscribe("ticks",
                           [](const json& args, context&, emit_fn emit,
                              std::function<void(std::string)> end) -> result<std::unique_ptr<stream_handle>> {
                             auto h = std::make_unique<ticker>();
                             int n = args["n"].get<int>();
                             auto* stop = &h->stop;
                             h->t = std::thread([n, emit, end, stop] {
                               for (int i = 0; i < n && !*stop; ++i) emit(json(i), "");
                               end("");
                             });
                             return std::unique_ptr<stream_handle>(std::move(h));
                           })
                  .ok());
  request r;
  r.query = "subscription { t: ticks(n: 3) }";
  auto p = std::make_shared<prepared>(prepare(*s, r));
  context ctx;
  std::mutex mu;
  std::vector<json> got;
  std::atomic<bool> ended{false};
  auto h = subscribe(
      *s, p, ctx,
      [&](json v, std::string) {
        std::lock_guard lock(mu);
        got.push_back(v);
      },
      [&](std::string) { ended = true; });
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<stream_handle>>(h));
  for (int i = 0; i < 200 && !ended; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(ended);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2], (json{{"data", {{"t", 2}}}}));
}

}  // namespace
}  // namespace cg::gql
