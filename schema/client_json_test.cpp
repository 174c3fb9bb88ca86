// parse_client_json: the nesting limit checked before the parser runs, strings and
// escapes skipped by the scan, clear messages; json_value_nesting without recursion.
#include "schema/client_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cg {
namespace {

std::string nested(size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(ClientJson, RefusesDeepNestingBeforeParsing) {
  // The body of the hostile probe: 200,000 levels inside an object (it crashed dump()).
  std::string body = "{\"q\":\"x\",\"x\":" + nested(200000) + "}";
  auto r = parse_client_json(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::invalid_argument);
  EXPECT_NE(r.err().message.find("nested deeper than 64"), std::string::npos) << r.err().message;
}

TEST(ClientJson, AcceptsUpToTheLimitAndCountsObjectsToo) {
  EXPECT_TRUE(parse_client_json(nested(64)).ok());
  EXPECT_FALSE(parse_client_json(nested(65)).ok());
  std::string objs;
  for (int i = 0; i < 64; ++i) objs += "{\"a\":";
  objs += "1" + std::string(64, '}');
  EXPECT_TRUE(parse_client_json(objs).ok());
  EXPECT_FALSE(parse_client_json("[" + objs + "]").ok());
  EXPECT_TRUE(parse_client_json(nested(10), 10).ok());
  EXPECT_FALSE(parse_client_json(nested(11), 10).ok());
}

TEST(ClientJson, BracketsInsideStringsDoNotCount) {
  std::string s = "{\"q\":\"" + nested(500) + "\\\"[[[[\\\\\",\"r\":[1]}";
  auto r = parse_client_json(s);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ((*r)["r"][0], 1);
  EXPECT_EQ(json_nesting(s, 1000), 2u);
}

TEST(ClientJson, NotJsonSaysWhere) {
  auto r = parse_client_json("{\"a\": tru}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message.rfind("not JSON: ", 0), 0u) << r.err().message;
  EXPECT_NE(r.err().message.find("line 1"), std::string::npos) << r.err().message;
  EXPECT_FALSE(parse_client_json("").ok());
  EXPECT_FALSE(parse_client_json("\"\xff\"").ok());  // invalid UTF-8 is refused by the parser
  auto o = parse_client_ordered_json("{\"b\":1,\"a\":2}");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->begin().key(), "b");  // order kept
}

TEST(ClientJson, ValueNestingWithoutRecursion) {
  nlohmann::json v = 1;
  for (int i = 0; i < 100000; ++i) v = nlohmann::json::array({std::move(v)});
  EXPECT_EQ(json_value_nesting(v, 65), 65u);  // stops early
  EXPECT_EQ(json_value_nesting(nlohmann::json::parse("[[1],{\"a\":[[]]}]"), 100), 4u);
  EXPECT_EQ(json_value_nesting(nlohmann::json(3), 100), 0u);
}

}  // namespace
}  // namespace cg
