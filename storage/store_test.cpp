// The RocksDB store: persistence, atomic batches, counters, scans, snapshots, projects.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using test::temp_dir;

std::unique_ptr<store> open(const std::string& dir, bool ro = false) {
  store_options o;
  o.dir = dir;
  o.read_only = ro;
  auto s = store::open(o);
  if (!s.ok()) ADD_FAILURE() << s.err().message;
  return s.ok() ? std::move(*s) : nullptr;
}

// Two projects in a fresh store.
std::pair<uint32_t, uint32_t> alpha_and_beta(store& s) {
  auto a = s.ensure_project("alpha");
  auto b = s.ensure_project("beta");
  EXPECT_TRUE(a.ok() && b.ok());
  return {a.ok() ? *a : 0, b.ok() ? *b : 0};
}

TEST(store, survives_reopen) {
  temp_dir d("store");
  {
    auto s = open(d.str());
    auto b = s->batch();
    b.put(column::nodes, "k1", "v1");
    b.put(column::edges, "k1", "other-cf");
    ASSERT_TRUE(s->write(b).ok());
  }
  auto s = open(d.str());
  auto v = s->latest().get(column::nodes, "k1");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, "v1");
  EXPECT_EQ(**s->latest().get(column::edges, "k1"), "other-cf");
  EXPECT_FALSE(s->latest().get(column::idx, "k1")->has_value());
}

TEST(store, read_only_needs_an_existing_store_and_sees_committed_data) {
  temp_dir d("store");
  store_options o;
  o.dir = (d / "missing").string();
  o.read_only = true;
  auto missing = store::open(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.err().code, errc::not_found);

  auto writer = open(d.str());
  auto b = writer->batch();
  b.put(column::meta, "x", "1");
  ASSERT_TRUE(writer->write(b).ok());
  ASSERT_TRUE(writer->flush().ok());
  auto reader = open(d.str(), true);  // while the writer holds the lock
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(**reader->latest().get(column::meta, "x"), "1");
  auto rb = reader->batch();
  rb.put(column::meta, "y", "2");
  EXPECT_FALSE(reader->write(rb).ok());
}

TEST(store, a_second_writer_is_refused_with_a_clear_error) {
  temp_dir d("store");
  auto first = open(d.str());
  store_options o;
  o.dir = d.str();
  auto second = store::open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.err().code, errc::conflict);
  EXPECT_NE(second.err().message.find("another codegraph process"), std::string::npos);
}

// A first run killed while RocksDB created the column families: readers are told
// the store is incomplete, the next writer completes it.
TEST(store, an_interrupted_creation_is_reported_then_completed) {
  temp_dir d("store");
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    ASSERT_TRUE(rocksdb::DB::Open(o, d.str(), &raw).ok());  // only the default column family
    delete raw;
  }
  store_options ro;
  ro.dir = d.str();
  ro.read_only = true;
  auto r = store::open(ro);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::not_found);
  EXPECT_NE(r.err().message.find("incomplete"), std::string::npos) << r.err().message;
  {
    auto w = open(d.str());
    ASSERT_NE(w, nullptr);
  }
  EXPECT_NE(open(d.str(), true), nullptr);
}

TEST(store, operations_on_one_key_keep_their_order) {
  temp_dir d("store");
  auto s = open(d.str());
  auto b = s->batch();
  b.put(column::nodes, "a", "old");
  ASSERT_TRUE(s->write(b).ok());
  b.del(column::nodes, "a");
  b.put(column::nodes, "a", "new");  // delete then put: present
  b.put(column::nodes, "b", "x");
  b.del(column::nodes, "b");  // put then delete: absent
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_EQ(**s->latest().get(column::nodes, "a"), "new");
  EXPECT_FALSE(s->latest().get(column::nodes, "b")->has_value());
}

TEST(store, counters_add_across_batches_and_reopen) {
  temp_dir d("store");
  auto key = keys::counter(1, "n.function");
  {
    auto s = open(d.str());
    auto b = s->batch();
    b.add(key, 5);
    b.add(key, 3);
    ASSERT_TRUE(s->write(b).ok());
    b.add(key, -2);
    ASSERT_TRUE(s->write(b).ok());
    EXPECT_EQ(s->latest().counter(key), 6);
  }
  auto s = open(d.str());
  EXPECT_EQ(s->latest().counter(key), 6);
  EXPECT_EQ(s->latest().counter(keys::counter(1, "absent")), 0);
}

TEST(store, prefix_scans_stop_at_the_prefix) {
  temp_dir d("store");
  auto s = open(d.str());
  auto b = s->batch();
  std::string p1 = keys::edge_prefix(1, 0x00000000000000ffull);
  std::string p2 = keys::edge_prefix(1, 0x0000000000000100ull);
  b.put(column::edges, p1 + "\x01", "a");
  b.put(column::edges, p1 + "\xff\xff", "b");
  b.put(column::edges, p2 + "\x00", "c");
  b.put(column::edges, keys::edge_prefix(2, 0xff) + "\x01", "other project");
  ASSERT_TRUE(s->write(b).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(s->latest()
                  .for_each(column::edges, p1,
                            [&](std::string_view, std::string_view v) {
                              seen.emplace_back(v);
                              return true;
                            })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  size_t project_one = 0;
  ASSERT_TRUE(s->latest()
                  .for_each(column::edges, keys::project_prefix(1),
                            [&](std::string_view, std::string_view) {
                              ++project_one;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(project_one, 3u);
  EXPECT_EQ(keys::prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(keys::prefix_end(std::string("\xff\xff", 2)), "");
}

TEST(store, snapshots_do_not_see_later_writes) {
  temp_dir d("store");
  auto s = open(d.str());
  auto b = s->batch();
  b.put(column::nodes, "k", "1");
  ASSERT_TRUE(s->write(b).ok());
  auto snap = s->snapshot();
  b.put(column::nodes, "k", "2");
  b.put(column::nodes, "k2", "new");
  ASSERT_TRUE(s->write(b).ok());
  EXPECT_EQ(**snap.get(column::nodes, "k"), "1");
  EXPECT_FALSE(snap.get(column::nodes, "k2")->has_value());
  EXPECT_EQ(**s->latest().get(column::nodes, "k"), "2");
}

TEST(store, projects_get_stable_ids_and_can_be_dropped) {
  temp_dir d("store");
  auto s = open(d.str());
  auto [a, b] = alpha_and_beta(*s);
  EXPECT_NE(a, b);
  EXPECT_EQ(*s->ensure_project("alpha"), a);
  EXPECT_FALSE(s->project_id("gamma").ok());
  EXPECT_FALSE(s->ensure_project("").ok());
  auto batch = s->batch();
  batch.put(column::nodes, keys::node(a, 7), "node of alpha");
  batch.put(column::nodes, keys::node(b, 7), "node of beta");
  ASSERT_TRUE(s->write(batch).ok());
  ASSERT_TRUE(s->drop_project(a).ok());
  EXPECT_FALSE(s->latest().get(column::nodes, keys::node(a, 7))->has_value());
  EXPECT_TRUE(s->latest().get(column::nodes, keys::node(b, 7))->has_value());
  EXPECT_FALSE(s->project_id("alpha").ok());
  // Ids are cached: a dropped name is gone from the cache too, and comes back with the
  // id it is given anew; other names keep theirs, also after a reopen.
  EXPECT_EQ(*s->project_id("beta"), b);
  auto again = s->ensure_project("alpha");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*s->project_id("alpha"), *again);
  ASSERT_TRUE(s->drop_project(b).ok());
  EXPECT_FALSE(s->project_id("beta").ok());
  EXPECT_EQ(*s->project_id("alpha"), *again);
  s.reset();
  s = open(d.str());
  EXPECT_EQ(*s->project_id("alpha"), *again);
  EXPECT_FALSE(s->project_id("beta").ok());
}

// Inserts start from a hint per key prefix (store.cpp); RocksDB shares that hint
// between a memtable's point entries and its range deletions, and a hint taken from
// the wrong list breaks the memtable (Debian's RocksDB asserts). Sorted batches, a
// project dropped by range in between, and more batches on the same prefixes: every
// key reads back and scans in order.
TEST(store, hinted_inserts_survive_range_deletions_between_batches) {
  temp_dir d("store");
  auto s = open(d.str());
  auto [a, b] = alpha_and_beta(*s);
  auto fill = [&](uint32_t proj, node_id from, node_id to) {
    auto batch = s->batch();
    for (node_id id = from; id < to; ++id) {
      batch.put(column::nodes, keys::node(proj, id * 7919), "n");
      batch.put(column::idx, keys::name_index(proj, "name" + std::to_string(id % 97), id), "i");
      batch.put(column::edges, keys::edge(proj, id, edge_kind::calls, id + 1), "e");
    }
    ASSERT_TRUE(s->write(batch).ok());
  };
  fill(a, 1, 2000);
  fill(b, 1, 2000);
  ASSERT_TRUE(s->drop_project(a).ok());
  fill(b, 2000, 4000);
  auto again = s->ensure_project("alpha");
  ASSERT_TRUE(again.ok());
  fill(*again, 1, 3000);
  for (auto [proj, n] : {std::pair{b, node_id{4000}}, std::pair{*again, node_id{3000}}}) {
    size_t seen = 0;
    std::string last;
    auto st =
        s->latest().for_each(column::nodes, keys::project_prefix(proj), [&](std::string_view k, std::string_view) {
          EXPECT_LT(last, std::string(k));
          last = std::string(k);
          ++seen;
          return true;
        });
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(seen, n - 1);
    EXPECT_TRUE(s->latest().get(column::edges, keys::edge(proj, 5, edge_kind::calls, 6))->has_value());
  }
}

// A batch is written sorted by column and key (store::write), a key's ops in the order
// they were made: keys that share their first 15 bytes (the sort's numeric prefix) or
// differ only in length, and a key put and deleted in either order, come out as if the
// ops had been applied one by one.
TEST(store, a_sorted_batch_keeps_each_keys_ops_in_order) {
  temp_dir d("store");
  auto s = open(d.str());
  const std::string p15 = "abcdefghijklmno";
  const std::vector<std::string> keys = {p15 + "z",
                                         p15,
                                         p15 + std::string(1, '\0'),
                                         p15 + "a",
                                         "abc",
                                         "ab",
                                         std::string("ab\0", 3),
                                         "b",
                                         p15 + "a" + std::string(1, '\0')};
  auto b = s->batch();
  for (const auto& k : keys) b.put(column::meta, k, "v:" + k);
  b.del(column::meta, "gone");  // deleted before it was put: stays
  b.put(column::meta, "gone", "back");
  b.put(column::meta, "ab", "second");  // the later put wins
  b.put(column::nodes, "ab", "other column");
  b.put(column::meta, "kept", "x");  // put, then deleted: gone
  b.del(column::meta, "kept");
  ASSERT_TRUE(s->write(b).ok());
  auto v = s->latest();
  EXPECT_EQ(v.get(column::meta, "gone")->value_or(""), "back");
  EXPECT_EQ(v.get(column::meta, "ab")->value_or(""), "second");
  EXPECT_EQ(v.get(column::nodes, "ab")->value_or(""), "other column");
  EXPECT_FALSE(v.get(column::meta, "kept")->has_value());
  std::vector<std::string> seen;
  ASSERT_TRUE(v.for_each(column::meta, "", [&](std::string_view k, std::string_view) {
                 seen.emplace_back(k);
                 return true;
               }).ok());
  auto expected = keys;
  expected.push_back("gone");
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> ours;
  for (const auto& k : seen)
    if (std::find(expected.begin(), expected.end(), k) != expected.end()) ours.push_back(k);
  EXPECT_EQ(ours, expected);
}

TEST(store, refuses_a_store_of_another_layout) {
  temp_dir d("store");
  {
    auto s = open(d.str());
    auto b = s->batch();
    b.put(column::meta, keys::schema_version(), "codegraph-store-0");
    ASSERT_TRUE(s->write(b).ok());
  }
  store_options o;
  o.dir = d.str();
  auto s = store::open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, errc::unsupported);
}

// A run leaves its writes in the memtables below the bound it names (watch-mode saves
// pass a large one), and above it they go to tables in the background.
TEST(store, flush_in_background_keeps_small_writes_in_memory) {
  temp_dir d("store");
  auto s = open(d.str());
  auto b = s->batch();
  std::string value(1024, 'v');
  for (int i = 0; i < 6 * 1024; ++i) b.put(column::nodes, "k" + std::to_string(i), value);  // ~6 MB
  ASSERT_TRUE(s->write(b).ok());
  auto tables = [&] { return s->property(column::nodes, "rocksdb.num-files-at-level0"); };
  ASSERT_EQ(tables(), "0");
  s->flush_in_background(uint64_t{32} << 20);
  EXPECT_EQ(tables(), "0");
  s->flush_in_background(uint64_t{4} << 20);
  for (int i = 0; i < 500 && tables() == "0"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(tables(), "1");
  EXPECT_EQ(**s->latest().get(column::nodes, "k6000"), value);
}

}  // namespace
}  // namespace cg
