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
  const std::vector<std::string> pieces = {"a", "Z", "_", " ", "\"", "\\", "/", "\n", "\t", std::string(1, '\x01'),
                                           "\x7f", "é", "—", "\xF0\x9F\x98\x80", "{}", ":", ","};
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

}  // namespace
}  // namespace cg
