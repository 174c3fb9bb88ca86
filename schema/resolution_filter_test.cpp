#include "schema/resolution_filter.hpp"

#include <gtest/gtest.h>

namespace cg {

TEST(resolution_filter, empty_keeps_everything) {
  auto f = resolution_filter::parse("");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->keeps_all());
  EXPECT_TRUE(f->admits(resolution::unresolved));
  EXPECT_TRUE(f->admits(resolution::possible));
}

TEST(resolution_filter, exact_leaves_out_guesses_and_the_unknown) {
  auto f = resolution_filter::parse("exact");
  ASSERT_TRUE(f.ok());
  for (auto r : {resolution::local, resolution::import, resolution::member, resolution::package, resolution::global})
    EXPECT_TRUE(f->admits(r)) << to_string(r);
  for (auto r : {resolution::possible, resolution::heuristic, resolution::external, resolution::unresolved})
    EXPECT_FALSE(f->admits(r)) << to_string(r);
}

TEST(resolution_filter, names_combine) {
  auto f = resolution_filter::parse("possible, external");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->admits(resolution::possible));
  EXPECT_TRUE(f->admits(resolution::external));
  EXPECT_FALSE(f->admits(resolution::local));
  auto r = resolution_filter::parse("resolved");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->admits(resolution::possible));
  EXPECT_TRUE(r->admits(resolution::heuristic));
  EXPECT_FALSE(r->admits(resolution::unresolved));
}

TEST(resolution_filter, unknown_words_are_refused_by_name) {
  auto f = resolution_filter::parse("exact,maybe");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.err().message.find("'maybe'"), std::string::npos);
  EXPECT_FALSE(resolution_filter::parse(",").ok());
}

}  // namespace cg
