// Versions in the store: undo capture per key, reads at a version (get, multi_get,
// scans, counters), commits that change nothing, reopen after an uncommitted write,
// and a randomized run checked against a model of every committed state.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "schema/bytes.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "storage/version_keys.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using test::temp_dir;
using state = std::map<std::pair<int, std::string>, std::string>;  // (column, key) -> value

std::unique_ptr<store> open(const std::string& dir, bool ro = false) {
  store_options o;
  o.dir = dir;
  o.read_only = ro;
  auto s = store::open(o);
  if (!s.ok()) ADD_FAILURE() << s.err().message;
  return s.ok() ? std::move(*s) : nullptr;
}

std::string num_of(uint64_t n) { return std::to_string(n); }

std::string k(uint32_t proj, std::string_view rest) { return keys::project_prefix(proj) + std::string(rest); }

// meta keys that versions do not keep: the change log and the pending marks.
bool resolver_state(char tag) { return tag == keys::tag_changed || tag == keys::tag_pending; }

// Everything a view holds for one project in the graph's columns (meta's working state aside).
state dump(const read_view& v, uint32_t proj) {
  state out;
  for (auto c : {column::nodes, column::edges, column::redges, column::idx, column::meta}) {
    auto st = v.for_each(c, keys::project_prefix(proj), [&](std::string_view key, std::string_view val) {
      if (c == column::meta && key.size() > 4 && resolver_state(key[4])) return true;
      out[{static_cast<int>(c), std::string(key)}] = std::string(val);
      return true;
    });
    EXPECT_TRUE(st.ok());
  }
  return out;
}

TEST(store_versions, a_version_reads_as_it_was_committed) {
  temp_dir d("versions");
  auto s = open(d.str());
  const uint32_t p = 1;
  auto b = s->batch();
  b.put(column::nodes, k(p, "a"), "a1");
  b.put(column::nodes, k(p, "b"), "b1");
  b.put(column::edges, k(p, "e"), "e1");
  b.add(keys::counter(p, "n"), 5);
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_EQ(*s->head_version(p), 0u);
  EXPECT_FALSE(s->as_of(p, 1).ok());  // not versioned yet
  version_record r;
  r.message = "first";
  ASSERT_EQ(*s->commit_version(p, r), 1u);

  // Version 2: a changed, b deleted, c added, the counter moved, an edge rewritten twice.
  b.put(column::nodes, k(p, "a"), "a2");
  b.del(column::nodes, k(p, "b"));
  b.put(column::nodes, k(p, "c"), "c2");
  b.add(keys::counter(p, "n"), 2);
  b.put(column::edges, k(p, "e"), "e-mid");
  ASSERT_TRUE(s->write(b).ok());
  b.put(column::edges, k(p, "e"), "e2");
  ASSERT_TRUE(s->write(b).ok());
  // Before the commit, version 1 already reads as it was.
  auto v1 = s->as_of(p, 1);
  ASSERT_TRUE(v1.ok()) << v1.err().message;
  EXPECT_EQ(v1->get(column::nodes, k(p, "a"))->value_or("-"), "a1");
  EXPECT_EQ(v1->get(column::nodes, k(p, "b"))->value_or("-"), "b1");
  EXPECT_EQ(v1->get(column::nodes, k(p, "c"))->value_or("-"), "-");
  EXPECT_EQ(v1->get(column::edges, k(p, "e"))->value_or("-"), "e1");
  EXPECT_EQ(v1->counter(keys::counter(p, "n")), 5);
  auto many = v1->multi_get(column::nodes, {k(p, "c"), k(p, "a"), k(p, "zz"), k(p, "b")});
  ASSERT_TRUE(many.ok());
  EXPECT_EQ((*many)[0].value_or("-"), "-");
  EXPECT_EQ((*many)[1].value_or("-"), "a1");
  EXPECT_EQ((*many)[2].value_or("-"), "-");
  EXPECT_EQ((*many)[3].value_or("-"), "b1");
  std::vector<std::string> scanned;
  (void)v1->for_each(column::nodes, keys::project_prefix(p), [&](std::string_view key, std::string_view val) {
    scanned.push_back(std::string(key.substr(4)) + "=" + std::string(val));
    return true;
  });
  EXPECT_EQ(scanned, (std::vector<std::string>{"a=a1", "b=b1"}));

  r.message = "second";
  ASSERT_EQ(*s->commit_version(p, r), 2u);
  auto list = s->versions(p);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].parent, 1u);
  EXPECT_EQ((*list)[1].message, "second");
  EXPECT_EQ((*list)[1].changed_keys, 5u);  // a, b, c, e and the counter
  auto v2 = s->as_of(p, 2);
  EXPECT_EQ(dump(*v2, p), dump(s->latest(), p));
  EXPECT_EQ(s->as_of(p, 1)->counter(keys::counter(p, "n")), 5);
  auto changed = s->changed_since(p, 1);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ((*changed)[static_cast<size_t>(column::nodes)],
            (std::vector<std::string>{k(p, "a"), k(p, "b"), k(p, "c")}));
  // Bounded: what the open version (3) writes is not in (1, 2].
  auto later = s->batch();
  later.put(column::nodes, k(p, "z"), "z3");
  ASSERT_TRUE(s->write(later).ok());
  const auto nodes_col = static_cast<size_t>(column::nodes);
  EXPECT_EQ(s->changed_since(p, 1, 2)->at(nodes_col), (std::vector<std::string>{k(p, "a"), k(p, "b"), k(p, "c")}));
  EXPECT_EQ(s->changed_since(p, 1)->at(nodes_col),
            (std::vector<std::string>{k(p, "a"), k(p, "b"), k(p, "c"), k(p, "z")}));
  EXPECT_EQ(s->changed_since(p, 2)->at(nodes_col), (std::vector<std::string>{k(p, "z")}));
  EXPECT_TRUE(s->changed_since(p, 1, 1)->at(nodes_col).empty());  // nothing in (1, 1]
  EXPECT_FALSE(s->as_of(p, 3).ok());
  EXPECT_NE(s->as_of(p, 3).err().message.find("versions 1 to 2"), std::string::npos);
}

TEST(store_versions, a_commit_that_changes_nothing_is_no_version) {
  temp_dir d("versions");
  auto s = open(d.str());
  const uint32_t p = 3;
  auto b = s->batch();
  b.put(column::nodes, k(p, "a"), "a1");
  ASSERT_TRUE(s->write(b).ok());
  ASSERT_EQ(*s->commit_version(p, {}), 1u);
  EXPECT_EQ(*s->commit_version(p, {}), 0u);  // nothing written
  b.put(column::nodes, k(p, "a"), "other");
  ASSERT_TRUE(s->write(b).ok());
  b.put(column::nodes, k(p, "a"), "a1");  // and back
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_EQ(*s->commit_version(p, {}), 0u);
  // The open version starts over: the next change is captured from the value now.
  b.put(column::nodes, k(p, "a"), "a3");
  ASSERT_TRUE(s->write(b).ok());
  ASSERT_EQ(*s->commit_version(p, {}), 2u);
  EXPECT_EQ(s->as_of(p, 1)->get(column::nodes, k(p, "a"))->value_or("-"), "a1");
  // Another project's writes are not this one's versions.
  b.put(column::nodes, k(p + 1, "a"), "x");
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_EQ(*s->commit_version(p, {}), 0u);
}

TEST(store_versions, an_uncommitted_write_survives_a_restart_without_touching_committed_versions) {
  temp_dir d("versions");
  const uint32_t p = 2;
  {
    auto s = open(d.str());
    auto b = s->batch();
    b.put(column::nodes, k(p, "a"), "a1");
    ASSERT_TRUE(s->write(b).ok());
    ASSERT_EQ(*s->commit_version(p, {}), 1u);
    b.put(column::nodes, k(p, "a"), "a2");  // the open version, never committed (a crash)
    ASSERT_TRUE(s->write(b).ok());
  }
  auto s = open(d.str());
  EXPECT_EQ(s->as_of(p, 1)->get(column::nodes, k(p, "a"))->value_or("-"), "a1");
  auto b = s->batch();
  b.put(column::nodes, k(p, "a"), "a3");  // the reopened store keeps the first earlier value
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_EQ(s->as_of(p, 1)->get(column::nodes, k(p, "a"))->value_or("-"), "a1");
  ASSERT_EQ(*s->commit_version(p, {}), 2u);
  // Version 2 held writes from before the restart (a binary that may have kept less):
  // the graph is never put back across it; a version after it is clean again.
  EXPECT_TRUE(*s->resolver_state_since(p, 2));
  EXPECT_FALSE(*s->resolver_state_since(p, 1));
  EXPECT_FALSE(s->version(p, 2)->resolver_state);
  EXPECT_TRUE(s->version(p, 1)->resolver_state);
  b.put(column::nodes, k(p, "a"), "a4");
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_FALSE(*s->resolver_state_since(p, 1));
  ASSERT_EQ(*s->commit_version(p, {}), 3u);
  EXPECT_TRUE(*s->resolver_state_since(p, 2));
  EXPECT_TRUE(s->version(p, 3)->resolver_state);
  b.put(column::nodes, k(p, "a"), "a3");
  ASSERT_TRUE(s->write(b).ok());
  ASSERT_EQ(*s->commit_version(p, {}), 4u);
  s.reset();
  auto ro = open(d.str(), true);  // a reader beside the writer
  EXPECT_EQ(ro->as_of(p, 1)->get(column::nodes, k(p, "a"))->value_or("-"), "a1");
  EXPECT_EQ(ro->as_of(p, 2)->get(column::nodes, k(p, "a"))->value_or("-"), "a3");
}

// Random batches over nodes, edges (mirrored to redges), idx and meta, committed as
// versions round by round; `at[v]` is the state committed as version v.
void random_history(store& s, uint32_t p, std::mt19937& rng, int rounds, state& model, std::vector<state>& at) {
  const column cols[] = {column::nodes, column::edges, column::idx, column::meta};
  for (int round = 0; round < rounds; ++round) {
    int batches = 1 + static_cast<int>(rng() % 4);
    for (int bi = 0; bi < batches; ++bi) {
      auto b = s.batch();
      int n = round == 0 ? 200 : 1 + static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        auto c = cols[rng() % 4];
        // Edges are real edge keys, written to redges too (as graph_state does): a
        // version's redges come from edges' kept values. Long values that differ in a
        // few bytes are kept as deltas.
        auto key = c == column::edges ? keys::edge(p, rng() % 12, edge_kind::calls, rng() % 12)
                                      : k(p, "key" + std::to_string(rng() % 120));
        auto put = [&](column col, const std::string& key_in, const std::string& val) {
          b.put(col, key_in, val);
          model[{static_cast<int>(col), key_in}] = val;
        };
        auto del = [&](column col, const std::string& key_in) {
          b.del(col, key_in);
          model.erase({static_cast<int>(col), key_in});
        };
        if (rng() % 4 == 0) {
          del(c, key);
          if (c == column::edges) del(column::redges, keys::mirror_edge_key(key));
        } else {
          auto num = std::to_string(rng() % 1000);
          auto val = rng() % 2 ? "v" + num : std::string(40, 'x') + num + std::string(30, 'y');
          put(c, key, val);
          if (c == column::edges) put(column::redges, keys::mirror_edge_key(key), val);
        }
        if (rng() % 10 == 0) b.put(column::meta, keys::changed(p, "file" + num_of(rng() % 5)), "working state");
      }
      ASSERT_TRUE(s.write(b).ok());
    }
    auto id = s.commit_version(p, {});
    ASSERT_TRUE(id.ok());
    if (*id == 0) continue;
    ASSERT_EQ(*id, at.size());
    at.push_back(model);
  }
}

// Every version in `at` that `keep` holds reads as it was committed, through a dump
// and key by key; the others are refused.
void check_versions(const store& s, uint32_t p, const std::vector<state>& at, const std::set<uint64_t>& keep) {
  for (uint64_t v = 1; v < at.size(); ++v) {
    auto view = s.as_of(p, v);
    if (!keep.count(v)) {
      ASSERT_FALSE(view.ok()) << "version " << v << " was pruned";
      EXPECT_EQ(view.err().code, errc::not_found);
      continue;
    }
    ASSERT_TRUE(view.ok()) << view.err().message;
    EXPECT_EQ(dump(*view, p), at[v]) << "version " << v;
    for (const auto& [ck, val] : at[v])
      EXPECT_EQ(view->get(static_cast<column>(ck.first), ck.second)->value_or("-"), val);
  }
}

TEST(store_versions, random_writes_read_back_exactly_at_every_version) {
  temp_dir d("versions");
  auto s = open(d.str());
  const uint32_t p = 7;
  std::mt19937 rng(20261204);
  state model;                // the newest state
  std::vector<state> at{{}};  // at[v]: the state committed as version v
  random_history(*s, p, rng, 30, model, at);
  ASSERT_GE(at.size(), 10u);
  std::set<uint64_t> all;
  for (uint64_t v = 1; v < at.size(); ++v) all.insert(v);
  check_versions(*s, p, at, all);
}

TEST(store_versions, pruning_keeps_every_kept_version_exact_and_reclaims_the_rest) {
  temp_dir d("versions");
  auto s = open(d.str());
  const uint32_t p = 3;
  std::mt19937 rng(5);
  state model;
  std::vector<state> at{{}};
  random_history(*s, p, rng, 40, model, at);
  ASSERT_GE(at.size(), 20u);
  const uint64_t head = at.size() - 1;
  ASSERT_TRUE(s->set_ref(p, "tag/old", 3).ok());
  ASSERT_TRUE(s->set_ref(p, "tag/mid", head / 2).ok());
  // An uncommitted write past the head: the open version is left alone.
  auto b = s->batch();
  b.put(column::nodes, k(p, "key1"), std::string(50, 'o') + "open");
  ASSERT_TRUE(s->write(b).ok());
  model[{static_cast<int>(column::nodes), k(p, "key1")}] = std::string(50, 'o') + "open";
  auto entries = [&] {
    size_t n = 0;
    auto st = s->latest().for_each(column::versions, keys::version_tag_prefix(p, keys::tag_undo),
                                   [&](std::string_view, std::string_view) { return ++n, true; });
    EXPECT_TRUE(st.ok());
    return n;
  };
  const size_t before = entries();
  // Keep a random half, then a random half of that, then only the head.
  std::set<uint64_t> keep;
  for (uint64_t v = 1; v <= head; ++v)
    if (rng() % 2 || v == head / 2) keep.insert(v);
  keep.insert(head);
  auto st = s->prune_versions(p, keep);
  ASSERT_TRUE(st.ok()) << st.err().message;
  EXPECT_EQ(st->versions_dropped, head - keep.size());
  check_versions(*s, p, at, keep);
  EXPECT_LT(entries(), before);
  EXPECT_EQ(*s->ref(p, "tag/mid"), head / 2);                 // kept
  EXPECT_EQ(*s->ref(p, "tag/old"), keep.count(3) ? 3u : 0u);  // gone with its version
  // Parents link the kept versions.
  auto recs = s->versions(p);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), keep.size());
  uint64_t prev = 0;
  for (const auto& r : *recs) {
    EXPECT_EQ(r.parent, prev);
    prev = r.id;
  }
  // Later writes and versions build on the pruned log; then prune again.
  random_history(*s, p, rng, 10, model, at);
  for (uint64_t v = head + 1; v < at.size(); ++v) keep.insert(v);
  check_versions(*s, p, at, keep);
  std::set<uint64_t> fewer;
  for (auto v : keep)
    if (rng() % 3 == 0) fewer.insert(v);
  fewer.insert(at.size() - 1);
  ASSERT_TRUE(s->prune_versions(p, fewer).ok());
  check_versions(*s, p, at, fewer);
  // After a restart too.
  s.reset();
  s = open(d.str());
  check_versions(*s, p, at, fewer);
  ASSERT_TRUE(s->prune_versions(p, {}).ok());  // only the head stays
  check_versions(*s, p, at, {at.size() - 1});
  EXPECT_EQ(s->versions(p)->size(), 1u);
}

}  // namespace
}  // namespace cg
