// Layered projects: a project laid over a version of another reads as that version
// plus its own writes (get, multi_get, scans, counters), keeps its writes to itself,
// empties on a new base, survives a reopen, and keeps its base from being dropped.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using test::temp_dir;
using state = std::map<std::pair<int, std::string>, std::string>;  // (column, key after the project id) -> value

std::unique_ptr<store> open(const std::string& dir) {
  store_options o;
  o.dir = dir;
  auto s = store::open(o);
  if (!s.ok()) ADD_FAILURE() << s.err().message;
  return s.ok() ? std::move(*s) : nullptr;
}

std::string k(uint32_t proj, std::string_view rest) { return keys::project_prefix(proj) + std::string(rest); }

constexpr column graph_columns[] = {column::nodes, column::edges, column::idx, column::meta};

// A project's keys, as a view reads them by scans (the project id taken off).
state dump(const read_view& v, uint32_t proj) {
  state out;
  for (auto c : graph_columns) {
    auto st = v.for_each(c, keys::project_prefix(proj), [&](std::string_view key, std::string_view val) {
      EXPECT_EQ(key.substr(0, 4), keys::project_prefix(proj));
      out[{static_cast<int>(c), std::string(key.substr(4))}] = std::string(val);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.err().message;
  }
  return out;
}

TEST(store_layers, a_layer_reads_as_its_base_version_plus_its_own_writes) {
  temp_dir d("layers");
  auto s = open(d.str());
  const uint32_t base = 1, layer = 2;
  auto b = s->batch();
  b.put(column::nodes, k(base, "a"), "a1");
  b.put(column::nodes, k(base, "b"), "b1");
  b.put(column::nodes, k(base, "d"), "d1");
  b.add(keys::counter(base, "n"), 3);
  ASSERT_TRUE(s->write(b).ok());
  ASSERT_EQ(*s->commit_version(base, {}), 1u);
  b.put(column::nodes, k(base, "a"), "a2");  // after version 1: the layer does not see it
  b.put(column::nodes, k(base, "c"), "c2");
  b.add(keys::counter(base, "n"), 1);
  ASSERT_TRUE(s->write(b).ok());
  ASSERT_EQ(*s->commit_version(base, {}), 2u);

  ASSERT_TRUE(s->set_layer(layer, {base, 1}).ok());
  auto v = s->latest();
  EXPECT_EQ(*v.get(column::nodes, k(layer, "a")), "a1");
  EXPECT_FALSE(v.get(column::nodes, k(layer, "c"))->has_value());
  EXPECT_EQ(v.counter(keys::counter(layer, "n")), 3);

  b.put(column::nodes, k(layer, "b"), "b-layer");  // replaces the base's
  b.del(column::nodes, k(layer, "d"));             // hides the base's
  b.put(column::nodes, k(layer, "e"), "");         // its own, empty
  b.add(keys::counter(layer, "n"), -1);
  ASSERT_TRUE(s->write(b).ok());
  v = s->latest();
  state want = {{{0, "a"}, "a1"}, {{0, "b"}, "b-layer"}, {{0, "e"}, ""}};
  state got;
  for (auto& [ck, val] : dump(v, layer))
    if (ck.first == 0) got[ck] = val;
  EXPECT_EQ(got, want);
  auto many = v.multi_get(column::nodes, {k(layer, "a"), k(layer, "b"), k(layer, "c"), k(layer, "d"), k(layer, "e")});
  ASSERT_TRUE(many.ok());
  EXPECT_EQ((*many)[0], "a1");
  EXPECT_EQ((*many)[1], "b-layer");
  EXPECT_FALSE((*many)[2].has_value());
  EXPECT_FALSE((*many)[3].has_value());
  EXPECT_EQ((*many)[4], "");
  EXPECT_EQ(v.counter(keys::counter(layer, "n")), 2);
  // The base is untouched, at its head and at version 1.
  EXPECT_EQ(*v.get(column::nodes, k(base, "b")), "b1");
  EXPECT_EQ(*v.get(column::nodes, k(base, "d")), "d1");
  EXPECT_EQ(s->as_of(base, 1)->counter(keys::counter(base, "n")), 3);
  // Its own keys: b, d (absent), e and the counter.
  EXPECT_EQ(s->layer_keys(layer)->keys, 4u);

  // Reopened: the same answers.
  s.reset();
  s = open(d.str());
  ASSERT_TRUE(s->layer_of(layer)->has_value());
  EXPECT_EQ((*s->layer_of(layer))->version, 1u);
  EXPECT_EQ(*s->latest().get(column::nodes, k(layer, "b")), "b-layer");
  EXPECT_FALSE(s->latest().get(column::nodes, k(layer, "d"))->has_value());

  // The base cannot be dropped under it, nor can the layer lie over itself or a layer.
  EXPECT_EQ(s->drop_project(base).err().code, errc::conflict);
  EXPECT_FALSE(s->set_layer(3, {layer, 1}).ok());
  EXPECT_FALSE(s->set_layer(base, {base, 1}).ok());
  EXPECT_FALSE(s->set_layer(layer, {base, 9}).ok());  // no such version

  // A new base empties the layer.
  ASSERT_TRUE(s->set_layer(layer, {base, 2}).ok());
  EXPECT_EQ(s->layer_keys(layer)->keys, 0u);
  EXPECT_EQ(*s->latest().get(column::nodes, k(layer, "a")), "a2");
  EXPECT_EQ(*s->latest().get(column::nodes, k(layer, "d")), "d1");
  EXPECT_EQ(s->latest().counter(keys::counter(layer, "n")), 4);

  ASSERT_TRUE(s->drop_project(layer).ok());
  EXPECT_FALSE(s->layer_of(layer)->has_value());
  EXPECT_TRUE(s->drop_project(base).ok());
}

// A prune of the base keeps the version a layer lies over, so the layer reads as before.
TEST(store_layers, a_prune_of_the_base_keeps_the_layers_version) {
  temp_dir d("layers-prune");
  auto s = open(d.str());
  const uint32_t base = 1, layer = 2;
  for (int v = 1; v <= 3; ++v) {
    auto b = s->batch();
    b.put(column::nodes, k(base, "a"), "a" + std::to_string(v));
    b.put(column::nodes, k(base, "v" + std::to_string(v)), "x");
    ASSERT_TRUE(s->write(b).ok());
    ASSERT_EQ(*s->commit_version(base, {}), static_cast<uint64_t>(v));
  }
  ASSERT_TRUE(s->set_layer(layer, {base, 1}).ok());
  auto before = dump(s->latest(), layer);
  ASSERT_TRUE(s->prune_versions(base, {}).ok());
  EXPECT_TRUE(s->as_of(base, 1).ok());
  EXPECT_FALSE(s->as_of(base, 2).ok());  // dropped
  s.reset();                             // and reopened: the base view is made again from the pruned log
  s = open(d.str());
  EXPECT_EQ(dump(s->latest(), layer), before);
  EXPECT_EQ(*s->latest().get(column::nodes, k(layer, "a")), "a1");
}

// Random writes to a base (several versions) and to a layer over one of them, checked
// against a model: the layer reads as the base's version with its own writes applied,
// by get, multi_get and scans of every column and of ranges inside the project.
TEST(store_layers, random_writes_read_as_a_model_of_base_version_plus_layer) {
  temp_dir d("layers-random");
  auto s = open(d.str());
  const uint32_t base = 3, layer = 4, other = 5;  // other: a project beside them, untouched
  std::mt19937 rng(20261206);
  auto key_of = [&] { return std::string(1, static_cast<char>('a' + rng() % 20)) + std::to_string(rng() % 5); };
  auto col_of = [&] { return graph_columns[rng() % 4]; };
  state now, at_two;
  auto write_random = [&](uint32_t proj, state& model, int n) {
    auto b = s->batch();
    for (int i = 0; i < n; ++i) {
      auto c = col_of();
      auto key = key_of();
      if (rng() % 4 == 0) {
        b.del(c, k(proj, key));
        model.erase({static_cast<int>(c), key});
      } else {
        auto val = std::to_string(rng());
        b.put(c, k(proj, key), val);
        model[{static_cast<int>(c), key}] = val;
      }
    }
    ASSERT_TRUE(s->write(b).ok());
  };
  for (int version = 1; version <= 4; ++version) {
    write_random(base, now, 40);
    ASSERT_EQ(*s->commit_version(base, {}), static_cast<uint64_t>(version));
    if (version == 2) at_two = now;
  }
  state other_model;
  write_random(other, other_model, 30);
  write_random(base, now, 20);  // the base's open version: not under the layer either
  ASSERT_TRUE(s->set_layer(layer, {base, 2}).ok());
  state model = at_two;
  for (int round = 0; round < 5; ++round) {
    write_random(layer, model, 30);
    auto v = s->snapshot();
    EXPECT_EQ(dump(v, layer), model) << "round " << round;
    EXPECT_EQ(dump(v, base), now);
    EXPECT_EQ(dump(v, other), other_model);
    EXPECT_EQ(dump(*s->as_of(base, 2), base), at_two);
    // Point reads, and a scan of a range inside the project.
    for (auto c : graph_columns) {
      std::vector<std::string> ks;
      for (char ch = 'a'; ch < 'a' + 20; ++ch)
        for (int i = 0; i < 5; ++i) ks.push_back(k(layer, std::string(1, ch) + std::to_string(i)));
      auto got = v.multi_get(c, ks);
      ASSERT_TRUE(got.ok());
      for (size_t i = 0; i < ks.size(); ++i) {
        auto it = model.find({static_cast<int>(c), ks[i].substr(4)});
        auto one = v.get(c, ks[i]);
        ASSERT_TRUE(one.ok());
        if (it == model.end()) {
          EXPECT_FALSE((*got)[i].has_value()) << ks[i].substr(4);
          EXPECT_FALSE(one->has_value());
        } else {
          EXPECT_EQ((*got)[i], it->second) << ks[i].substr(4);
          EXPECT_EQ(*one, it->second);
        }
      }
      state range, want;
      for (auto cur = v.scan_from(c, k(layer, "f"), k(layer, "m")); cur.valid(); cur.next())
        range[{static_cast<int>(c), std::string(cur.key().substr(4))}] = std::string(cur.value());
      for (const auto& [ck, val] : model)
        if (ck.first == static_cast<int>(c) && ck.second >= "f" && ck.second < "m") want[ck] = val;
      EXPECT_EQ(range, want);
      // Unbounded: the layer's keys and no other project's (the one after it has keys).
      state all, all_want;
      for (auto cur = v.scan_from(c, k(layer, ""), ""); cur.valid(); cur.next()) {
        ASSERT_EQ(cur.key().substr(0, 4), keys::project_prefix(layer));
        all[{static_cast<int>(c), std::string(cur.key().substr(4))}] = std::string(cur.value());
      }
      for (const auto& [ck, val] : model)
        if (ck.first == static_cast<int>(c)) all_want[ck] = val;
      EXPECT_EQ(all, all_want);
    }
  }
}

}  // namespace
}  // namespace cg
