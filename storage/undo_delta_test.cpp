// Undo deltas: every older value comes back from its delta and the newer value,
// the delta is small when little changed, and a delta that does not fit is refused.
#include "storage/undo_delta.hpp"

#include <gtest/gtest.h>

#include <random>

namespace cg {
namespace {

TEST(undo_delta, every_older_value_comes_back_from_the_newer_one) {
  std::mt19937 rng(7);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 4);  // few symbols: long common runs
    return s;
  };
  for (int i = 0; i < 5000; ++i) {
    auto newer = random_bytes(rng() % 40);
    auto older = newer;
    switch (rng() % 4) {
      case 0: older = random_bytes(rng() % 40); break;
      case 1:
        if (!older.empty()) older[rng() % older.size()] ^= 1;
        break;
      case 2: older.insert(rng() % (older.size() + 1), random_bytes(1 + rng() % 5)); break;
      default:
        if (!older.empty()) older.erase(rng() % older.size(), 1 + rng() % 3);
    }
    auto d = make_undo_delta(older, newer);
    auto back = apply_undo_delta(d, newer);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, older) << "case " << i;
  }
}

TEST(undo_delta, a_small_change_in_a_large_value_keeps_a_few_bytes) {
  std::string newer(300, 'x');
  newer.replace(120, 4, "0042");
  auto older = newer;
  older.replace(120, 4, "0040");
  auto d = make_undo_delta(older, newer);
  EXPECT_LE(d.size(), 8u);
  EXPECT_EQ(*apply_undo_delta(d, newer), older);
}

// A record whose numbers all moved (a file's reference list after an edit near its
// top: every site after it shifted) keeps what the two values share once.
TEST(undo_delta, a_record_whose_numbers_all_moved_keeps_little) {
  std::string newer, older;
  for (int i = 0; i < 200; ++i) {
    std::string name = "module.Class" + std::to_string(i % 17) + ".method_" + std::to_string(i);
    newer += name + "@" + std::to_string(1000 + i * 37 + 7) + ";";
    older += name + "@" + std::to_string(1000 + i * 37) + ";";
  }
  auto d = make_undo_delta(older, newer);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0], undo_zstd_tag);
  EXPECT_TRUE(is_undo_delta(d));
  EXPECT_LT(d.size(), older.size() / 4) << d.size() << " of " << older.size();
  EXPECT_EQ(*apply_undo_delta(d, newer), older);
  // Against another newer value it is refused (the frame's checksum), not misread.
  auto other = newer;
  other[10] = '#';
  other[500] = '#';
  EXPECT_FALSE(apply_undo_delta(d, other).has_value());
  // Larger random values, both forms: every one comes back.
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::string n2(200 + rng() % 2000, '\0');
    for (auto& c : n2) c = static_cast<char>('a' + rng() % 6);
    auto o2 = n2;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 20); ++k)
      o2[rng() % o2.size()] = static_cast<char>('A' + rng() % 3);
    if (rng() % 2) o2.insert(rng() % o2.size(), std::string(rng() % 100, 'q'));
    auto dd = make_undo_delta(o2, n2);
    ASSERT_EQ(apply_undo_delta(dd, n2), o2) << "case " << i;
  }
}

TEST(undo_delta, a_delta_that_does_not_fit_is_refused) {
  auto d = make_undo_delta("abcdefgh-old-ijklmnop", "abcdefgh-new-ijklmnop");
  EXPECT_FALSE(apply_undo_delta(d, "short").has_value());
  EXPECT_FALSE(apply_undo_delta("", "x").has_value());
  EXPECT_FALSE(apply_undo_delta("p123", "x").has_value());
  EXPECT_FALSE(apply_undo_delta(std::string(1, undo_delta_tag), "x").has_value());  // truncated
}

}  // namespace
}  // namespace cg
