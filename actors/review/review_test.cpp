// Review impact's rules: test conventions, what is public, the risk score and the
// Markdown comment. The analysis itself is tested end to end (tests/review/).
#include "actors/review/review.hpp"

#include <gtest/gtest.h>

namespace cg {
namespace {

node def(std::string name, std::string file, language lang, node_kind kind = node_kind::function) {
  node n;
  n.id = std::hash<std::string>{}(file + name);
  n.name = name;
  n.qualified_name = name;
  n.file = std::move(file);
  n.lang = lang;
  n.kind = kind;
  n.name_pos.line = 3;
  return n;
}

TEST(review_rules, test_files_follow_each_languages_convention) {
  for (const char* yes :
       {"tests/test_api.py", "pkg/api_test.py", "test_x.py", "pkg/tests/helpers.py", "conftest.py", "calc/calc_test.go",
        "src/test/java/a/FooTest.java", "a/BarTests.java", "ui/button.test.tsx", "ui/button.spec.js",
        "ui/__tests__/x.js", "tests/integration.rs", "base/string_unittest.cc", "net/url_test.cpp"})
    EXPECT_TRUE(is_test_file(yes)) << yes;
  for (const char* no : {"pkg/api.py", "testing.py", "contest/x.py", "calc/calc.go", "src/main/java/a/Foo.java",
                         "ui/button.tsx", "src/lib.rs", "net/url.cpp", "latest.py"})
    EXPECT_FALSE(is_test_file(no)) << no;
}

TEST(review_rules, test_definitions_are_the_test_functions_of_test_files) {
  EXPECT_TRUE(is_test_definition(def("test_total", "tests/test_cart.py", language::python)));
  EXPECT_FALSE(is_test_definition(def("make_cart", "tests/test_cart.py", language::python)));  // a helper
  EXPECT_FALSE(is_test_definition(def("test_total", "shop/cart.py", language::python)));
  EXPECT_TRUE(is_test_definition(def("TestSum", "calc/calc_test.go", language::go)));
  EXPECT_FALSE(is_test_definition(def("helper", "calc/calc_test.go", language::go)));
  auto rust = def("adds", "src/lib.rs", language::rust);
  rust.qualified_name = "crate::math::tests::adds";
  EXPECT_TRUE(is_test_definition(rust));
  EXPECT_TRUE(is_test_definition(def("anything", "ui/button.test.ts", language::typescript)));
  auto file = def("", "tests/test_cart.py", language::python, node_kind::file);
  EXPECT_TRUE(is_test_definition(file));
}

TEST(review_rules, public_means_what_the_language_exports) {
  auto py = def("fetch", "lib/api.py", language::python);
  EXPECT_TRUE(is_public_definition(py));
  auto hidden = def("_get", "lib/api.py", language::python);
  hidden.vis = visibility::private_;
  EXPECT_FALSE(is_public_definition(hidden));
  auto dunder = def("__init__", "lib/api.py", language::python, node_kind::method);
  dunder.vis = visibility::private_;
  EXPECT_TRUE(is_public_definition(dunder));
  auto go_lower = def("add", "calc/calc.go", language::go);
  go_lower.vis = visibility::internal;
  EXPECT_FALSE(is_public_definition(go_lower));
  auto go_upper = def("Add", "calc/calc.go", language::go);
  go_upper.vis = visibility::public_;
  EXPECT_TRUE(is_public_definition(go_upper));
  auto ts = def("helper", "src/a.ts", language::typescript);
  EXPECT_FALSE(is_public_definition(ts));
  ts.modifiers = modifier::exported;
  EXPECT_TRUE(is_public_definition(ts));
}

review_report sample() {
  review_report r;
  r.base = 3;
  r.depth = 3;
  changed_symbol c;
  c.n = def("fetch", "lib/api.py", language::python);
  c.change = "modified";
  c.signature_changed = true;
  c.direct_users = 25;
  r.changed.push_back(c);
  for (int d = 1; d <= 3; ++d)
    for (int i = 0; i < 10; ++i) {
      impacted_symbol s;
      s.n = def("user" + std::to_string(d) + "_" + std::to_string(i), "app/m.py", language::python);
      s.distance = d;
      r.radius.push_back(s);
      ++r.by_depth[d];
    }
  api_change a;
  a.n = c.n;
  a.change = "signature";
  a.users.push_back(r.radius[0].n);
  r.api.push_back(a);
  r.untested.push_back(c.n.id);
  r.changed_files = 1;
  return r;
}

TEST(review_rules, the_score_is_the_documented_sum_of_its_reasons) {
  auto r = sample();
  auto k = score_review(r);
  // radius: 10*2 + 10*1 + 10*0.5 = 35; api 10 (used elsewhere); untested 4; fan-in 25 -> 10.
  ASSERT_EQ(k.reasons.size(), 4u);
  EXPECT_EQ(k.reasons[0].points, 35);
  EXPECT_EQ(k.reasons[1].points, 10);
  EXPECT_EQ(k.reasons[2].points, 4);
  EXPECT_EQ(k.reasons[3].points, 10);
  EXPECT_EQ(k.score, 59);
  EXPECT_EQ(k.level, "high");
  EXPECT_NE(k.reasons[3].text.find("fetch has 25 direct users"), std::string::npos) << k.reasons[3].text;
  // The radius counts at most 40; an empty review scores 0.
  for (int i = 0; i < 100; ++i) ++r.by_depth[1];
  EXPECT_EQ(score_review(r).reasons[0].points, 40);
  EXPECT_EQ(score_review(review_report{}).score, 0);
  EXPECT_EQ(score_review(review_report{}).level, "low");
}

TEST(review_rules, markdown_is_a_compact_comment_with_every_section) {
  auto r = sample();
  r.risk = score_review(r);
  auto md = to_markdown(r, "lib", 5);
  EXPECT_NE(md.find("### 🔴 Review impact: risk 59/100 (high)"), std::string::npos) << md;
  EXPECT_NE(md.find("`lib`: version 3 → the working tree."), std::string::npos) << md;
  EXPECT_NE(md.find("| ~ | `fetch` · signature | function | lib/api.py:3 | 25 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1 | 10 |"), std::string::npos) << md;
  EXPECT_NE(md.find("No test reaches: `fetch`"), std::string::npos) << md;
  EXPECT_NE(md.find("#### API changes"), std::string::npos) << md;
  // Table cells never break the table.
  r.changed[0].n.qualified_name = "a|b";
  EXPECT_NE(to_markdown(r, "lib").find("`a b`"), std::string::npos);
}

}  // namespace
}  // namespace cg
