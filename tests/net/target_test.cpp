// Request targets: percent decoding of paths and query strings (net/app/api_types.hpp).
#include <gtest/gtest.h>

#include "net/app/api_types.hpp"

namespace cg::net {
namespace {

TEST(target, decodes_escapes_wherever_they_start) {
  std::string out;
  ASSERT_TRUE(percent_decode("", out, false));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(percent_decode("/api/v1/nodes/0123", out, false));
  EXPECT_EQ(out, "/api/v1/nodes/0123");
  ASSERT_TRUE(percent_decode("%2Fa", out, false));
  EXPECT_EQ(out, "/a");
  ASSERT_TRUE(percent_decode("a b%20c%", out, false) == false);  // a lone % at the end
  ASSERT_TRUE(percent_decode("parse+json%21", out, true));
  EXPECT_EQ(out, "parse json!");
  ASSERT_TRUE(percent_decode("a+b", out, false));  // '+' is a space only in a query
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(percent_decode("abc%zz", out, false));
  EXPECT_FALSE(percent_decode("abc%00", out, false));  // NUL never decodes
  // The output is replaced, not appended to, on both the plain and the escaped path.
  out = "stale";
  ASSERT_TRUE(percent_decode("x", out, false));
  EXPECT_EQ(out, "x");
  out = "stale";
  ASSERT_TRUE(percent_decode("%41", out, false));
  EXPECT_EQ(out, "A");
}

TEST(target, splits_path_and_query) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  ASSERT_TRUE(split_target("/p/a%20b?q=parse+json&k=10&flag&empty=#frag", path, query));
  EXPECT_EQ(path, "/p/a b");
  ASSERT_EQ(query.size(), 4u);
  EXPECT_EQ(query[0], (std::pair<std::string, std::string>{"q", "parse json"}));
  EXPECT_EQ(query[1], (std::pair<std::string, std::string>{"k", "10"}));
  EXPECT_EQ(query[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(query[3], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_FALSE(split_target("/p?q=%G1", path, query));
}

}  // namespace
}  // namespace cg::net
