// The direct writer of search hits (the server's search answers) against the JSON tree
// the CLI prints: random hits whose strings mix quotes, control characters and
// multi-byte UTF-8, and numbers from zero to huge, tiny, negative and not finite.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "actors/engine_json.hpp"

namespace cg {
namespace {

TEST(EngineJson, DirectHitWriterSaysWhatTheTreeSays) {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {
      "a",  "Z", "_", " ", "\"", "\\", "/", "\n", "\t", std::string(1, '\x01'), "\x7f", "é", "—", "\xF0\x9F\x98\x80",
      "{}", ":", ","};
  auto text = [&](size_t max) {
    std::string out;
    for (size_t i = rng() % (max + 1); i-- > 0;) out += pieces[rng() % pieces.size()];
    return out;
  };
  std::uniform_real_distribution<double> unit(0, 1);
  const double specials[] = {0.0, 1.0, -1.0, 100.0, 1e20, 1e-7, 0.1, 1.0 / 3, 123456789.0, -0.5};
  auto number = [&]() -> double {
    switch (rng() % 4) {
      case 0: return specials[rng() % std::size(specials)];
      case 1: return unit(rng);
      case 2: return std::ldexp(unit(rng), static_cast<int>(rng() % 80) - 40);
      default: return static_cast<float>(unit(rng) * 30);
    }
  };
  for (int i = 0; i < 2000; ++i) {
    search_hit h;
    h.id = (uint64_t{rng()} << 32) | rng();
    h.kind = static_cast<node_kind>(1 + rng() % 21);
    h.lang = static_cast<language>(rng() % 11);
    h.name = text(4);
    h.qualified_name = text(8);
    h.file = text(6);
    h.line = rng() % 100000;
    h.score = number();
    h.bm25_rank = static_cast<int>(rng() % 60);
    h.bm25_score = static_cast<float>(number());
    h.vector_rank = static_cast<int>(rng() % 60);
    h.vector_score = static_cast<float>(number());
    h.graph_boost = static_cast<float>(number());
    for (size_t r = rng() % 4; r-- > 0;) h.reasons.push_back(text(6));
    std::string direct;
    append_hit_json(direct, h);
    auto parsed = nlohmann::json::parse(direct, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << direct;
    ASSERT_EQ(parsed, hit_json(h)) << direct;
    // The same keys in the same order as dump() (values aside).
    auto tree = hit_json(h).dump();
    ASSERT_EQ(direct.size() > 0 && tree.size() > 0, true);
    ASSERT_EQ(direct.substr(0, 14), tree.substr(0, 14));
  }
  // What dump() cannot print: a NaN score becomes null; bad UTF-8 becomes U+FFFD.
  search_hit h;
  h.score = std::numeric_limits<double>::quiet_NaN();
  h.name = "bad\xC3(";
  std::string direct;
  append_hit_json(direct, h);
  auto parsed = nlohmann::json::parse(direct, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << direct;
  EXPECT_TRUE(parsed["score"].is_null());
  EXPECT_EQ(parsed["name"], "bad\xEF\xBF\xBD(");
}

// A run handed to a server comes back as JSON; the CLI decodes it to print the same
// report: every field survives the trip, and junk decodes to defaults.
TEST(EngineJson, SummaryAndProgressSurviveTheRoundTrip) {
  index_summary s;
  s.task = 42;
  s.project = "cpython";
  s.root = "/src/cpython";
  s.outcome = index_phase::done;
  s.files_seen = 1000;
  s.added = 900;
  s.changed = 50;
  s.unchanged = 40;
  s.removed = 3;
  s.failed = 2;
  s.syntax_error_files = 7;
  s.unsupported = 11;
  s.ignored = 13;
  s.skipped = {{"vendor/", "excluded"}};
  s.failures = {{"bad.py", "unreadable"}};
  s.parsed = {{language::python, 990, 300000, 9000000}, {language::c, 10, 500, 20000}};
  s.loc_parsed = 300500;
  s.bytes_parsed = 9020000;
  s.nodes_created = 5;
  s.nodes_updated = 6;
  s.nodes_deleted = 7;
  s.files_resolved = 990;
  s.resolution.resolved[static_cast<size_t>(edge_kind::calls)] = 100;
  s.resolution.unresolved[static_cast<size_t>(edge_kind::calls)] = 20;
  s.resolution.external[static_cast<size_t>(edge_kind::imports)] = 30;
  s.seconds_total = 2.5;
  s.seconds_walk = 0.1;
  s.seconds_parse = 1.5;
  s.seconds_resolve = 0.9;
  s.parse_cpu_seconds = 2.9;
  s.vectors.synced = true;
  s.vectors.documents = 4000;
  s.vectors.added = 4000;
  s.vectors.seconds = 1.25;
  auto j = summary_json(s);
  EXPECT_EQ(summary_json(summary_from_json(j)), j);
  s.outcome = index_phase::failed;
  s.error = "disk full";
  s.vectors.error = "provider down";
  j = summary_json(s);
  EXPECT_EQ(summary_json(summary_from_json(j)), j);

  index_progress p;
  p.task = 9;
  p.project = "x";
  p.phase = index_phase::resolving;
  p.files_done = 10;
  p.files_total = 20;
  p.bytes_done = 100;
  p.bytes_total = 200;
  p.lines_done = 4321;
  p.errors = 1;
  p.resolve_done = 3;
  p.resolve_total = 4;
  p.elapsed_seconds = 1.5;
  p.eta_seconds = 2.5;
  p.current = "a/b.py";
  auto pj = progress_json(p);
  EXPECT_EQ(progress_json(progress_from_json(pj)), pj);

  auto junk =
      nlohmann::json::parse(R"({"files": 3, "outcome": 7, "parsed": {"by_language": [1, {"language": "cobol"}]}})");
  auto d = summary_from_json(junk);
  EXPECT_EQ(d.files_seen, 0u);
  EXPECT_EQ(d.outcome, index_phase::failed);  // an outcome it cannot read is not a success
  ASSERT_EQ(d.parsed.size(), 2u);
  EXPECT_EQ(d.parsed[1].lang, language::unknown);
  EXPECT_EQ(progress_from_json(nlohmann::json(5)).files_done, 0u);
}

}  // namespace
}  // namespace cg
